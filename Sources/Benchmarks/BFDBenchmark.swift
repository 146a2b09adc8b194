import Datasets
import Foundation
import Geometry
import Linalg
import Network
import SeededRandom
import Timing

/// One timed BFD computation of `geodim bench bfd`.
public struct BFDBenchmarkRow: Sendable, Codable {
    /// Inputs n; rows of J are m = n·d.
    public var n: Int
    public var rows: Int
    /// The ``BFDMethod``'s spelling: `jacobian`, `gram` or `gram_inertia`.
    public var method: String
    /// The Gram side used (`rows`, `parameters`, `block_schur`), the exact matrix
    /// (`gram_rows`, `jacobian`), or `-` for the explicit Jacobian.
    public var side: String
    public var variant: String
    public var rank: Int
    public var clear: Bool
    public var gapRatio: Double
    public var seconds: Double
    /// Peak resident memory of the process that computed this row, in bytes.
    public var peakBytes: Int
}

/// A method `geodim bench bfd` times: a numerical ``BFDMethod`` or the exact engine.
public enum BenchBFDMethod: String, CaseIterable, Sendable, Codable {
    case jacobian
    case gram
    case gramInertia = "gram_inertia"
    /// The exact BFD (``exactBatchFunctionalDimensions(architecture:parameters:inputs:count:encoding:variants:settings:threads:)``),
    /// seed 0: "clear" reads certified.
    case exact

    /// The numerical method, nil for exact.
    public var numerical: BFDMethod? { BFDMethod(rawValue: rawValue) }
}

/// An MLP (the paper's 784-30-30-30-10 by default) at Glorot-uniform initialisation (seed 0)
/// and the first n MNIST test images: the workload of `geodim bench bfd`.
public struct BFDBenchmarkWorkload: Sendable {
    public let architecture: MLPArchitecture
    public let parameters: [Double]
    public let inputs: [Double]
    public let n: Int

    public init(n: Int, dataDirectory: String, hidden: [Int] = [30, 30, 30]) throws {
        let mnist = try MNIST.load(directory: dataDirectory, verifyChecksums: true)
        let split = try mnist.standardSplit(trainSize: nil, testSize: nil, seed: 0)
        precondition(n <= split.test.count)
        architecture = MLPArchitecture(inputSize: MNIST.featureCount, hiddenWidths: hidden, outputSize: MNIST.classCount)
        var generator = SeededGenerator(seed: 0, stream: "network.init")
        parameters = initialParameters(architecture, scheme: .glorotUniform, generator: &generator, as: Double.self)
        inputs = split.test.inputs[0..<(n * MNIST.featureCount)].map(Double.init)
        self.n = n
    }

    /// Runs one method on `threads` BLAS threads and returns its row (the peak memory is this
    /// process's so far). `gramSide` applies to the Gram methods, `exactMatrix` to exact.
    public func run(
        _ method: BenchBFDMethod, variant: OutputVariant, threads: Int, exactPrimes: Int = 2,
        gramSide: GramSideChoice = .auto, exactMatrix: ExactMatrixChoice = .auto
    ) throws -> BFDBenchmarkRow {
        let clock = ContinuousClock()
        let start = clock.now
        guard let method = method.numerical else {
            let result = try exactBatchFunctionalDimensions(
                architecture: architecture, parameters: parameters, inputs: inputs, count: n, encoding: .pixelBytes,
                variants: [variant], settings: ExactBFDSettings(primeCount: exactPrimes, seed: 0, matrix: exactMatrix),
                threads: threads)[0]
            let elapsed = seconds(clock.now - start)
            let rowsPerSample = result.computedAs == .logits ? architecture.outputSize : architecture.outputSize - 1
            return BFDBenchmarkRow(
                n: n, rows: n * rowsPerSample, method: BenchBFDMethod.exact.rawValue, side: result.matrix.rawValue,
                variant: variant.rawValue,
                rank: result.rank, clear: result.certified, gapRatio: .nan, seconds: elapsed,
                peakBytes: peakResidentBytes())
        }
        let result = try batchFunctionalDimension(
            architecture: architecture, parameters: parameters, inputs: inputs, count: n, variant: variant,
            method: method, rule: .gap, relativeTolerance: 1e-10, gramSide: gramSide, threads: threads)
        let elapsed = seconds(clock.now - start)
        return BFDBenchmarkRow(
            n: n, rows: result.rows, method: method.rawValue, side: result.gramSide?.rawValue ?? "-",
            variant: variant.rawValue, rank: result.rank,
            clear: result.evidence.isClear, gapRatio: result.evidence.gapRatio,
            seconds: elapsed, peakBytes: peakResidentBytes())
    }
}

/// Peak resident set size of this process (Linux: ru_maxrss in KiB).
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}
