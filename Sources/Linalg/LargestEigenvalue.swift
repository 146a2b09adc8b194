import COpenBLAS

/// An estimate of the largest eigenvalue of a symmetric positive semi-definite matrix by
/// power iteration (dsymv on the upper triangle), from the start vector of ones.
///
/// a is (n, n), row-major, upper triangle read. Returns the Rayleigh quotient after
/// `iterations` steps: a lower bound on λ_max that, for the Gram matrices geodim builds,
/// is within a few percent after a dozen steps. Cost: `iterations`·2n² flops.
public func largestEigenvalueEstimate(_ a: [Double], n: Int, iterations: Int = 12) throws -> Double {
    let routine = "dsymv"
    guard a.count == n * n else {
        throw LinalgError.shapeMismatch(routine, expected: n * n, actual: a.count, shape: "\(n) × \(n)")
    }
    if n == 0 { return 0 }
    let n32 = try lapackInt(n, routine)
    var x = [Double](repeating: 1 / Double(n).squareRoot(), count: n)
    var y = [Double](repeating: 0, count: n)
    var rayleigh = 0.0
    for _ in 0..<max(1, iterations) {
        a.withUnsafeBufferPointer { ap in
            cblas_dsymv(CblasRowMajor, CblasUpper, n32, 1, ap.baseAddress, n32, x, 1, 0, &y, 1)
        }
        rayleigh = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
        let norm = y.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { return max(rayleigh, 0) }
        for i in 0..<n { x[i] = y[i] / norm }
    }
    return rayleigh
}
