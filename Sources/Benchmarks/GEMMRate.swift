import Linalg
import Timing

/// One sgemm call's shape: C (m, n) ← α·op(A)·op(B) + β·C with op(A) (m, k) and op(B) (k, n),
/// row-major, as `BLASScalar.gemm` takes it.
public struct GEMMShape: Hashable, Sendable, CustomStringConvertible {
    public let transA: Transpose
    public let transB: Transpose
    public let m: Int
    public let n: Int
    public let k: Int
    /// 0 or 1: the training step writes its forward GEMMs onto the bias and its fused SGD
    /// weight updates onto the weights (β = 1), its dinp GEMMs fresh (β = 0).
    public let beta: Float

    public init(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, beta: Float = 0) {
        self.transA = transA
        self.transB = transB
        self.m = m
        self.n = n
        self.k = k
        self.beta = beta
    }

    /// A square n × n × n product.
    public static func square(_ size: Int) -> GEMMShape { GEMMShape(.none, .none, m: size, n: size, k: size) }

    /// 2·m·n·k.
    public var flops: Int { 2 * m * n * k }

    /// E.g. "NT 256×256×784 β=1": the transposes of A and B, m × n × k, and β unless 0.
    public var description: String {
        let letter = { (t: Transpose) in t == .none ? "N" : "T" }
        return "\(letter(transA))\(letter(transB)) \(m)×\(n)×\(k)" + (beta == 0 ? "" : beta == 1 ? " β=1" : " β=\(beta)")
    }
}

/// sgemm's rate on `shape` with the current BLAS thread count, in GFLOP/s: the best of
/// `repetitions` timings, each of enough back-to-back calls to last at least `minimumSeconds`
/// (after one untimed call that warms the caches and the thread pool, and one timed call
/// that sizes the timings and counts as one when a single call lasts long enough).
///
/// The operands are filled with small values and reused, so they stay in cache when they
/// fit, as the operands of a training step do.
public func measureSGEMM(_ shape: GEMMShape, repetitions: Int = 3, minimumSeconds: Double = 0.2) -> Double {
    let (rowsA, columnsA) = shape.transA == .none ? (shape.m, shape.k) : (shape.k, shape.m)
    let (rowsB, columnsB) = shape.transB == .none ? (shape.k, shape.n) : (shape.n, shape.k)
    let a = (0..<(rowsA * columnsA)).map { Float($0 % 7) * 0.01 }
    let b = (0..<(rowsB * columnsB)).map { Float($0 % 5) * 0.01 }
    var c = [Float](repeating: 0, count: shape.m * shape.n)
    return a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return 0 }
                let call = {
                    Float.gemm(shape.transA, shape.transB, m: shape.m, n: shape.n, k: shape.k, alpha: 1,
                               a: a, lda: columnsA, b: b, ldb: columnsB, beta: shape.beta, c: c, ldc: shape.n)
                }
                call()
                // Calls per timing: enough for minimumSeconds, judged from one timed call.
                let single = BenchClock.seconds(call)
                let calls = max(1, Int((minimumSeconds / max(single, 1e-9)).rounded(.up)))
                var best = calls == 1 ? single : Double.infinity
                for _ in 0..<max(1, repetitions) {
                    best = min(best, BenchClock.seconds { for _ in 0..<calls { call() } } / Double(calls))
                }
                return Double(shape.flops) / best / 1e9
            }
        }
    }
}

/// The monotonic clock the benchmarks time with.
public enum BenchClock {
    /// Seconds `body` takes, on `ContinuousClock`.
    public static func seconds(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        body()
        return Timing.seconds(clock.now - start)
    }
}
