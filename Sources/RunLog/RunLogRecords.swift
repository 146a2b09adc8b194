/// The format identifier stored in the root attribute `format`.
public let runLogFormat = "geodim-run"
/// The layout version this build writes and the newest it reads.
public let runLogFormatVersion: Int64 = 1

/// How a run ended (the root attribute `status`).
public enum RunStatus: String, Sendable {
    case running, completed, failed, interrupted, diverged
}

/// Everything the log records once, at creation.
public struct RunMetadata: Sendable {
    public var geodimVersion: String
    public var configYAML: String
    public var overrides: [String]
    public var commandLine: String
    public var seed: Int64
    public var layerSizes: [Int]
    public var parameterCount: Int
    public var hiddenNeurons: Int
    public var precision: String
    /// Further string attributes for /meta (host, CPU, BLAS, checksums, start time ...).
    public var textAttributes: [(String, String)]
    /// Further integer attributes for /meta (cpu_count, blas_threads ...).
    public var integerAttributes: [(String, Int64)]

    public init(
        geodimVersion: String, configYAML: String, overrides: [String], commandLine: String,
        seed: Int64, layerSizes: [Int], parameterCount: Int, hiddenNeurons: Int, precision: String,
        textAttributes: [(String, String)] = [], integerAttributes: [(String, Int64)] = []
    ) {
        self.geodimVersion = geodimVersion
        self.configYAML = configYAML
        self.overrides = overrides
        self.commandLine = commandLine
        self.seed = seed
        self.layerSizes = layerSizes
        self.parameterCount = parameterCount
        self.hiddenNeurons = hiddenNeurons
        self.precision = precision
        self.textAttributes = textAttributes
        self.integerAttributes = integerAttributes
    }
}

/// Exactly which inputs a run used (the /data group).
public struct RunInputs: Sendable {
    public var trainIndices: [Int64]
    public var trainLabels: [Int32]
    public var testIndices: [Int64]
    public var testLabels: [Int32]
    public var bfdTrainIndices: [Int64]
    public var bfdTestIndices: [Int64]
    /// (count, featureCount) row-major.
    public var randomInputs: [Float]
    public var randomFeatureCount: Int
    public var randomMean: Double
    public var randomStd: Double
    /// The BFD training inputs, (count, randomFeatureCount) row-major, when they are not the
    /// plain MNIST images of ``bfdTrainIndices`` (noisy training inputs); empty otherwise.
    public var bfdTrainInputs: [Float]
    /// The standard deviation of the noise in ``bfdTrainInputs`` (0 when there is none).
    public var inputNoiseStd: Double

    public init(
        trainIndices: [Int64], trainLabels: [Int32], testIndices: [Int64], testLabels: [Int32],
        bfdTrainIndices: [Int64], bfdTestIndices: [Int64], randomInputs: [Float],
        randomFeatureCount: Int, randomMean: Double, randomStd: Double,
        bfdTrainInputs: [Float] = [], inputNoiseStd: Double = 0
    ) {
        self.bfdTrainInputs = bfdTrainInputs
        self.inputNoiseStd = inputNoiseStd
        self.trainIndices = trainIndices
        self.trainLabels = trainLabels
        self.testIndices = testIndices
        self.testLabels = testLabels
        self.bfdTrainIndices = bfdTrainIndices
        self.bfdTestIndices = bfdTestIndices
        self.randomInputs = randomInputs
        self.randomFeatureCount = randomFeatureCount
        self.randomMean = randomMean
        self.randomStd = randomStd
    }
}

/// Identifies one BFD series: an input set and an output variant, with its fixed facts.
public struct BFDSeries: Sendable, Hashable {
    public var source: String
    public var output: String
    public var method: String
    public var rankRule: String
    public var relativeTolerance: Double
    public var inputCount: Int
    public var rows: Int
    public var rowCap: Int
    public var parameterCount: Int
    public var symmetryBound: Int

    public init(
        source: String, output: String, method: String, rankRule: String, relativeTolerance: Double,
        inputCount: Int, rows: Int, rowCap: Int, parameterCount: Int, symmetryBound: Int
    ) {
        self.source = source
        self.output = output
        self.method = method
        self.rankRule = rankRule
        self.relativeTolerance = relativeTolerance
        self.inputCount = inputCount
        self.rows = rows
        self.rowCap = rowCap
        self.parameterCount = parameterCount
        self.symmetryBound = symmetryBound
    }

    /// The group name under /checkpoints/bfd.
    public var groupName: String { "\(source)_\(output)" }
}

/// One BFD measurement at one checkpoint.
public struct BFDEntry: Sendable {
    public var rank: Int
    public var rankNumpy: Int
    public var rankGap: Int
    public var rankRelative: Int
    public var tolerance: Double
    public var gapRatio: Double
    public var sigmaAbove: Double
    public var sigmaBelow: Double
    public var floor: Double
    public var clear: Bool
    public var rulesDisagree: Bool
    public var upperBound: Int
    public var seconds: Double
    /// Singular values of J, descending (may be empty when spectra are not logged).
    public var spectrum: [Double]

    public init(
        rank: Int, rankNumpy: Int, rankGap: Int, rankRelative: Int, tolerance: Double,
        gapRatio: Double, sigmaAbove: Double, sigmaBelow: Double, floor: Double, clear: Bool,
        rulesDisagree: Bool, upperBound: Int, seconds: Double, spectrum: [Double]
    ) {
        self.rank = rank
        self.rankNumpy = rankNumpy
        self.rankGap = rankGap
        self.rankRelative = rankRelative
        self.tolerance = tolerance
        self.gapRatio = gapRatio
        self.sigmaAbove = sigmaAbove
        self.sigmaBelow = sigmaBelow
        self.floor = floor
        self.clear = clear
        self.rulesDisagree = rulesDisagree
        self.upperBound = upperBound
        self.seconds = seconds
        self.spectrum = spectrum
    }
}

/// Activation-pattern statistics of one input set at one checkpoint.
public struct NeuronEntry: Sendable {
    public var dead: [Int]
    public var alwaysActive: [Int]
    public var patterns: Int

    public init(dead: [Int], alwaysActive: [Int], patterns: Int) {
        self.dead = dead
        self.alwaysActive = alwaysActive
        self.patterns = patterns
    }
}

/// The CFFD estimate at one checkpoint: BFD on Gaussian batches of growing size.
public struct CFFDEntry: Sendable {
    /// The BFD where the sequence stopped growing (or the last measured).
    public var estimate: Int
    /// Whether two consecutive sizes gave the same clear rank.
    public var converged: Bool
    /// Batch sizes tried, in order, and the BFD at each.
    public var sizes: [Int]
    public var ranks: [Int]

    public init(estimate: Int, converged: Bool, sizes: [Int], ranks: [Int]) {
        self.estimate = estimate
        self.converged = converged
        self.sizes = sizes
        self.ranks = ranks
    }
}

/// Everything logged at one checkpoint.
public struct CheckpointRecord: Sendable {
    public var step: Int
    public var epoch: Int
    public var wallTime: Double
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    /// One entry per series, in the order the series were declared.
    public var bfd: [BFDEntry]
    /// One entry per input source, in the order the sources were declared.
    public var neurons: [NeuronEntry]
    /// Flat parameters (as Double, stored in the log's parameter precision), or empty.
    public var parameters: [Double]
    /// The CFFD estimate, when the layout logs one.
    public var cffd: CFFDEntry?

    public init(
        step: Int, epoch: Int, wallTime: Double, trainLoss: Double, trainAccuracy: Double,
        testLoss: Double, testAccuracy: Double, bfd: [BFDEntry], neurons: [NeuronEntry],
        parameters: [Double], cffd: CFFDEntry? = nil
    ) {
        self.cffd = cffd
        self.step = step
        self.epoch = epoch
        self.wallTime = wallTime
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.bfd = bfd
        self.neurons = neurons
        self.parameters = parameters
    }
}
