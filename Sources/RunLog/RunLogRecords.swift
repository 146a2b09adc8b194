/// The format identifier stored in the root attribute `format`.
public let runLogFormat = "geodim-run"
/// The layout version this build writes and the newest it reads.
public let runLogFormatVersion: Int64 = 2

/// How a run ended (the root attribute `status`).
public enum RunStatus: String, Sendable {
    case running, completed, failed, interrupted, diverged
}

/// Everything the log records once, at creation.
public struct RunMetadata: Sendable {
    /// Version of the program writing the log (root attribute `geodim_version`).
    public var geodimVersion: String
    /// The fully resolved config, every default filled in (`/meta/config_yaml`).
    public var configYAML: String
    /// The `key=value` overrides given on the command line (`/meta/overrides`; may be empty).
    public var overrides: [String]
    /// The full command line (`/meta` `command_line`).
    public var commandLine: String
    /// The run's seed, its UInt64 bits as int64 (`/meta` `seed`).
    public var seed: Int64
    /// Widths, inputs first (`/meta` `layer_sizes`, and `architecture` as e.g. `784-30-30-30-10`).
    public var layerSizes: [Int]
    /// P, the number of weights and biases (`/meta` `parameter_count`).
    public var parameterCount: Int
    /// Number of hidden neurons (`/meta` `hidden_neurons`).
    public var hiddenNeurons: Int
    /// Training precision, `float32` or `float64` (`/meta` `precision`).
    public var precision: String
    /// Further string attributes for /meta (host, CPU, BLAS, checksums, start time ...).
    public var textAttributes: [(String, String)]
    /// Further integer attributes for /meta (cpu_count, blas_threads ...).
    public var integerAttributes: [(String, Int64)]

    /// Metadata with the given values; the further attribute lists default to empty.
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
    /// Pooled MNIST index of each training image (`/data/train_indices`): i < 60000 is image i of
    /// train-images-idx3-ubyte, else image i − 60000 of t10k-images-idx3-ubyte.
    public var trainIndices: [Int64]
    /// Label of each training image, in the order of ``trainIndices`` (`/data/train_labels`).
    public var trainLabels: [Int32]
    /// Pooled MNIST index of each test image (`/data/test_indices`).
    public var testIndices: [Int64]
    /// Label of each test image, in the order of ``testIndices`` (`/data/test_labels`).
    public var testLabels: [Int32]
    /// Pooled indices of the training inputs the BFD is measured on, in Jacobian row order
    /// (`/data/bfd_train_indices`; empty when the BFD is not measured on training inputs).
    public var bfdTrainIndices: [Int64]
    /// Pooled indices of the test inputs the BFD is measured on, in Jacobian row order
    /// (`/data/bfd_test_indices`; empty when the BFD is not measured on test inputs).
    public var bfdTestIndices: [Int64]
    /// The Gaussian random inputs (`/data/random_inputs`), (count, ``randomFeatureCount``)
    /// row-major.
    public var randomInputs: [Float]
    /// Features per input (784 for MNIST): the row width of `/data/random_inputs` and
    /// `/data/bfd_train_inputs`.
    public var randomFeatureCount: Int
    /// Per-pixel mean of the Gaussian random inputs (attribute `mean` of `/data/random_inputs`).
    public var randomMean: Double
    /// Per-pixel standard deviation of the Gaussian random inputs (attribute `std` of
    /// `/data/random_inputs`).
    public var randomStd: Double
    /// The BFD training inputs, (count, randomFeatureCount) row-major, when they are not the
    /// plain MNIST images of ``bfdTrainIndices`` (noisy training inputs); empty otherwise.
    public var bfdTrainInputs: [Float]
    /// The standard deviation of the noise in ``bfdTrainInputs`` (0 when there is none).
    public var inputNoiseStd: Double
    /// The synthetic regression data (`/data/synthetic`), for `data.source: synthetic`.
    public var synthetic: SyntheticData?

    /// Inputs with the given values; without `bfdTrainInputs` the log has no
    /// `/data/bfd_train_inputs`.
    public init(
        trainIndices: [Int64], trainLabels: [Int32], testIndices: [Int64], testLabels: [Int32],
        bfdTrainIndices: [Int64], bfdTestIndices: [Int64], randomInputs: [Float],
        randomFeatureCount: Int, randomMean: Double, randomStd: Double,
        bfdTrainInputs: [Float] = [], inputNoiseStd: Double = 0, synthetic: SyntheticData? = nil
    ) {
        self.synthetic = synthetic
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
    /// The input set, `train`, `test` or `random` (group attribute `source`).
    public var source: String
    /// The output variant, `logits`, `softmax` or `centred` (group attribute `output`).
    public var output: String
    /// How the spectrum of J is obtained, `gram`, `gram_inertia` or `jacobian` (group attribute
    /// `method`).
    public var method: String
    /// The rule behind the headline `rank`, `gap`, `numpy` or `relative` (group attribute
    /// `rank_rule`).
    public var rankRule: String
    /// τ of the relative rule σ > τ·σ₁ (group attribute `relative_tolerance`).
    public var relativeTolerance: Double
    /// n, the inputs in the set (group attribute `n`).
    public var inputCount: Int
    /// m = n·d, the rows of J (group attribute `rows`).
    public var rows: Int
    /// The largest rank the rows allow: n·d for logits, n·(d − 1) for softmax and centred (group
    /// attribute `row_cap`).
    public var rowCap: Int
    /// P, the columns of J (group attribute `parameter_count`).
    public var parameterCount: Int
    /// P − hidden neurons, the rank bound left by ReLU rescaling symmetry (group attribute
    /// `symmetry_bound`).
    public var symmetryBound: Int
    /// When the exact BFD is logged beside this series: the facts fixed for the series.
    public var exact: ExactSeriesFacts?

    /// A series with the given group attributes.
    public init(
        source: String, output: String, method: String, rankRule: String, relativeTolerance: Double,
        inputCount: Int, rows: Int, rowCap: Int, parameterCount: Int, symmetryBound: Int,
        exact: ExactSeriesFacts? = nil
    ) {
        self.exact = exact
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

/// The fixed facts of an exact-BFD series (group attributes `exact_*`).
public struct ExactSeriesFacts: Sendable, Hashable {
    /// The variant whose Jacobian is reduced: the series' own, or `centred` for softmax
    /// (`exact_computed_as`).
    public var computedAs: String
    /// `pixel_bytes` or `binary_floats`: how the inputs are read exactly (`exact_encoding`).
    public var encoding: String
    /// `gram_rows` (K = JJᵀ; automatically when m′ ≤ P) or `jacobian` (J itself; automatically
    /// when m′ > P), as `bfd.exact_matrix` resolves (`exact_matrix`).
    public var matrix: String
    /// How many primes a row of `exact_primes` can hold (`exact_prime_slots`).
    public var primeSlots: Int
    /// The primes' bit length (`exact_prime_bits`).
    public var primeBits: Int

    public init(computedAs: String, encoding: String, matrix: String, primeSlots: Int, primeBits: Int) {
        self.primeBits = primeBits
        self.computedAs = computedAs
        self.encoding = encoding
        self.matrix = matrix
        self.primeSlots = primeSlots
    }
}

/// The exact BFD of one series at one checkpoint.
public struct ExactEntry: Sendable {
    /// max over the primes of rank_p, a proven lower bound (`rank_exact`).
    public var rank: Int
    /// Whether the rank equals its structural upper bound, which proves it (`exact_certified`).
    public var certified: Bool
    /// The primes used (`exact_primes`, 0-padded).
    public var primes: [UInt64]
    /// rank_p for each prime (`exact_ranks`, −1-padded).
    public var ranks: [Int]
    /// Upper bound on the probability that the rank exceeds `rank` (`exact_failure_bound`; 0 when certified).
    public var failureBound: Double
    /// log₂ of the Hadamard bound the failure bound rests on (`exact_integer_bits`).
    public var integerBits: Double
    /// Smallest relative pre-activation margin (`pattern_margin`).
    public var patternMargin: Double
    /// Pre-activations with margin below 1e-9 (`pattern_ambiguous`).
    public var ambiguous: Int
    /// Seconds for this exact entry (`exact_seconds`).
    public var seconds: Double

    public init(
        rank: Int, certified: Bool, primes: [UInt64], ranks: [Int], failureBound: Double, integerBits: Double,
        patternMargin: Double, ambiguous: Int, seconds: Double
    ) {
        self.rank = rank
        self.certified = certified
        self.primes = primes
        self.ranks = ranks
        self.failureBound = failureBound
        self.integerBits = integerBits
        self.patternMargin = patternMargin
        self.ambiguous = ambiguous
        self.seconds = seconds
    }
}

/// One BFD measurement at one checkpoint.
public struct BFDEntry: Sendable {
    /// The headline BFD under the series' rank rule (`rank` under
    /// `/checkpoints/bfd/<source>_<output>`).
    public var rank: Int
    /// #{σ > σ₁·max(m, P)·ε}, numpy's `matrix_rank` default, with the threshold raised to the
    /// method's floor where that is higher (`rank_numpy`).
    public var rankNumpy: Int
    /// The cut r maximising σ_r/σ_(r+1) over cuts with σ_r above the method's floor (`rank_gap`);
    /// the spectrum's length when no σ lies at or below the floor. With gram_inertia: the count
    /// above the floor, as ``rankNumpy``.
    public var rankGap: Int
    /// #{σ > max(τ, floor)·σ₁}, τ the series' relative tolerance (`rank_relative`); −1 when not computed
    /// (gram_inertia with a rank rule other than `relative`).
    public var rankRelative: Int
    /// The absolute singular-value threshold t with rank = #{σ > t} under the headline rule
    /// (`tolerance`).
    public var tolerance: Double
    /// σ_r/σ_(r+1) across the headline cut (`gap_ratio`); +∞ when the cut is the end of the
    /// spectrum or σ_(r+1) = 0. With gram_inertia: the proven bound 1e3 when clear, else NaN.
    public var gapRatio: Double
    /// σ_r/σ₁ just above the headline cut (`sigma_above`); 0 when r = 0. With gram_inertia: the
    /// proven bound 1e3·floor when clear, else NaN.
    public var sigmaAbove: Double
    /// σ_(r+1)/σ₁ just below the headline cut (`sigma_below`); 0 when the cut is the end of the
    /// spectrum. With gram_inertia: the proven bound `floor` when clear, else NaN.
    public var sigmaBelow: Double
    /// Relative level (of σ/σ₁) below which the method cannot resolve singular values: √(m·ε) for
    /// gram and gram_inertia, max(m, P)·ε for jacobian (`floor`).
    public var floor: Double
    /// Whether the headline rank is to be trusted: gap ratio ≥ 1e3 with σ_r above the floor
    /// (`clear`, uint8 1/0).
    public var clear: Bool
    /// Whether the numpy, gap and relative ranks differ (`rules_disagree`, uint8 1/0); always
    /// true when ``rankRelative`` is −1.
    public var rulesDisagree: Bool
    /// min(row cap, P − hidden − Σ over dead neurons (n_(l−1) + n_(l+1)) + dead pairs in
    /// consecutive layers): the rank bound with this set's dead neurons removed (`upper_bound`).
    public var upperBound: Int
    /// Wall-clock seconds for this entry: the set's shared forward pass plus this variant's own
    /// work (`seconds`).
    public var seconds: Double
    /// Singular values of J, descending (`spectrum`, NaN-padded to min(m, P); may be empty
    /// when spectra are not logged).
    public var spectrum: [Double]
    /// Which Gram product gave the rank: `rows` (J̃J̃ᵀ, m × m), `parameters` (J̃ᵀJ̃, P̃ × P̃),
    /// `block_schur`, or nil when no Gram matrix was used (method jacobian) (`gram_side`, as the
    /// code ``RunLogWriter/gramSideCodes`` gives it).
    public var gramSide: String?
    /// The exact BFD, when the series logs it.
    public var exact: ExactEntry?

    /// An entry with the given columns; `spectrum` is cut or NaN-padded to the dataset's width when
    /// written.
    public init(
        rank: Int, rankNumpy: Int, rankGap: Int, rankRelative: Int, tolerance: Double,
        gapRatio: Double, sigmaAbove: Double, sigmaBelow: Double, floor: Double, clear: Bool,
        rulesDisagree: Bool, upperBound: Int, seconds: Double, spectrum: [Double], gramSide: String? = nil,
        exact: ExactEntry? = nil
    ) {
        self.exact = exact
        self.gramSide = gramSide
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
    /// Per hidden layer, how many neurons are inactive on every input of the set (`dead` under
    /// `/checkpoints/neurons/<source>`, int64 [K, L − 1]).
    public var dead: [Int]
    /// Per hidden layer, how many neurons are active on every input of the set (`always_active`,
    /// int64 [K, L − 1]).
    public var alwaysActive: [Int]
    /// Distinct activation patterns over the set: the linear regions it perceives (`patterns`).
    public var patterns: Int

    /// An entry with one count per hidden layer in `dead` and `alwaysActive`.
    public init(dead: [Int], alwaysActive: [Int], patterns: Int) {
        self.dead = dead
        self.alwaysActive = alwaysActive
        self.patterns = patterns
    }
}

/// The CFFD estimate at one checkpoint: BFD on Gaussian batches of growing size.
public struct CFFDEntry: Sendable {
    /// The BFD where the sequence stopped growing, or the last measured
    /// (`/checkpoints/cffd/estimate`; −1 in a row written without an estimate).
    public var estimate: Int
    /// Whether the sequence converged: two consecutive sizes gave the same clear rank, or a
    /// clear rank reached P − hidden (`/checkpoints/cffd/converged`, uint8 1/0).
    public var converged: Bool
    /// Batch sizes tried, in order (`/checkpoints/cffd/sizes`, int64 [K, 16], −1 padded; sizes
    /// past ``RunLogLayout/cffdSlots`` are not logged).
    public var sizes: [Int]
    /// The BFD at each size in ``sizes`` (`/checkpoints/cffd/ranks`, int64 [K, 16], −1 padded).
    public var ranks: [Int]

    /// An entry; `sizes` and `ranks` run in parallel.
    public init(estimate: Int, converged: Bool, sizes: [Int], ranks: [Int]) {
        self.estimate = estimate
        self.converged = converged
        self.sizes = sizes
        self.ranks = ranks
    }
}

/// Everything logged at one checkpoint.
public struct CheckpointRecord: Sendable {
    /// Optimizer steps done (`/checkpoints/step`, the commit column).
    public var step: Int
    /// Epochs done (`/checkpoints/epoch`).
    public var epoch: Int
    /// Seconds since the start of the run, earlier sessions included (`/checkpoints/wall_time_s`).
    public var wallTime: Double
    /// Mean cross-entropy on the full training set, in nats (`/checkpoints/train_loss`).
    public var trainLoss: Double
    /// Fraction of the full training set classified correctly (`/checkpoints/train_accuracy`).
    public var trainAccuracy: Double
    /// Mean cross-entropy on the full test set, in nats (`/checkpoints/test_loss`).
    public var testLoss: Double
    /// Fraction of the full test set classified correctly (`/checkpoints/test_accuracy`).
    public var testAccuracy: Double
    /// One entry per series, in the order the series were declared.
    public var bfd: [BFDEntry]
    /// One entry per input source, in the order the sources were declared.
    public var neurons: [NeuronEntry]
    /// Flat parameters (as Double, stored in the log's parameter precision), or empty.
    public var parameters: [Double]
    /// The CFFD estimate, when the layout logs one.
    public var cffd: CFFDEntry?
    /// Linear-region statistics, when the layout logs them.
    public var regions: RegionEntry?
    /// Ranks over the trained parameters, one per source of the layout's `trainedSources`.
    public var trained: [TrainedRankEntry]

    /// A checkpoint row; `bfd` and `neurons` must match the layout's series and sources (checked
    /// when appended).
    public init(
        step: Int, epoch: Int, wallTime: Double, trainLoss: Double, trainAccuracy: Double,
        testLoss: Double, testAccuracy: Double, bfd: [BFDEntry], neurons: [NeuronEntry],
        parameters: [Double], cffd: CFFDEntry? = nil, regions: RegionEntry? = nil, trained: [TrainedRankEntry] = []
    ) {
        self.cffd = cffd
        self.regions = regions
        self.trained = trained
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
