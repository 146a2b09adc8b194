import Geometry
import Network

/// The complete description of one experiment: what to train, on which data, how, and when
/// and how to measure the batch functional dimension (BFD).
///
/// A config is read from YAML by ``ExperimentConfig/load(path:overrides:)`` or
/// ``ExperimentConfig/parse(yaml:source:overrides:)``, which apply `dotted.key=value`
/// overrides, reject unknown keys, decode, fill in defaults and validate ranges. YAML keys are
/// snake_case and mirror the property names (`training.batch_size` is
/// ``TrainingSection/batchSize``); ``ExperimentConfig/allKeys`` lists them all.
///
/// The synthesised `Codable` conformance uses the same snake_case keys (so the JSON form matches
/// the YAML one), but decoding through it bypasses validation: call ``validate(source:)`` on a
/// config that did not come from `parse`.
public struct ExperimentConfig: Codable, Equatable, Sendable {
    /// The run's name, used as the run-directory name: one or more of `[A-Za-z0-9._-]`.
    public var name: String
    /// The seed every random stream (initialisation, shuffling, data draw, random inputs) is
    /// derived from.
    public var seed: UInt64
    /// BLAS threads, 1...64, or ``automaticThreads`` (`auto` in YAML).
    public var threads: Int

    /// The stored value of `threads: auto`: one thread when a training step's largest GEMM is
    /// small, all cores otherwise (``resolvedThreads(cpuCount:)``).
    public static let automaticThreads = 0
    /// The network.
    public var model: ModelSection
    /// Where the data comes from and how it is split.
    public var data: DataSection
    /// The training loop.
    public var training: TrainingSection
    /// The optimiser.
    public var optimizer: OptimizerSection
    /// When to checkpoint (and measure the BFD).
    public var checkpoints: CheckpointSection
    /// What to measure at each checkpoint.
    public var bfd: BFDSection
    /// Where the run's outputs go.
    public var logging: LoggingSection

    /// Creates a config; sections that have defaults for every key may be left out.
    public init(
        name: String,
        seed: UInt64 = 0,
        threads: Int = ExperimentConfig.automaticThreads,
        model: ModelSection,
        data: DataSection = DataSection(),
        training: TrainingSection,
        optimizer: OptimizerSection,
        checkpoints: CheckpointSection,
        bfd: BFDSection = BFDSection(),
        logging: LoggingSection = LoggingSection()
    ) {
        self.name = name
        self.seed = seed
        self.threads = threads
        self.model = model
        self.data = data
        self.training = training
        self.optimizer = optimizer
        self.checkpoints = checkpoints
        self.bfd = bfd
        self.logging = logging
    }
}

extension ExperimentConfig {
    /// `model`: a fully connected ReLU network from 784 inputs through ``hidden`` to 10 logits.
    public struct ModelSection: Codable, Equatable, Sendable {
        /// Widths of the hidden layers, input side first; non-empty, each at least 1.
        public var hidden: [Int]
        /// How weights are initialised (biases start at zero).
        public var initScheme: WeightInit

        /// Creates the section; the defaults are those a YAML file gets for absent keys.
        public init(hidden: [Int], initScheme: WeightInit = .glorotUniform) {
            self.hidden = hidden
            self.initScheme = initScheme
        }

        enum CodingKeys: String, CodingKey {
            case hidden
            case initScheme = "init"
        }
    }

    /// `data`: the MNIST files and which images train and test on.
    public struct DataSection: Codable, Equatable, Sendable {
        /// Directory holding the MNIST IDX files, relative to the current directory.
        public var directory: String
        /// How the train and test sets are formed (YAML key `protocol`).
        public var splitProtocol: SplitProtocol
        /// Training-set size; `nil` means all of the protocol's training set. Required by
        /// ``SplitProtocol/paper``.
        public var trainSize: Int?
        /// Test-set size; `nil` means all of the protocol's test set.
        public var testSize: Int?
        /// Extra training samples with random labels appended to the training set (images
        /// drawn from the pool unused by train and test, labels uniform in 0...9), >= 0.
        public var randomLabelExtras: Int
        /// Standard deviation of the N(0, std²) noise added to every training input (pixels
        /// are in [0, 1]; no clamping), >= 0. Test and random inputs stay clean.
        public var inputNoiseStd: Double

        /// Creates the section; the defaults are those a YAML file gets for absent keys.
        public init(
            directory: String = "data/mnist", splitProtocol: SplitProtocol = .standard,
            trainSize: Int? = nil, testSize: Int? = nil, randomLabelExtras: Int = 0, inputNoiseStd: Double = 0
        ) {
            self.directory = directory
            self.splitProtocol = splitProtocol
            self.trainSize = trainSize
            self.testSize = testSize
            self.randomLabelExtras = randomLabelExtras
            self.inputNoiseStd = inputNoiseStd
        }

        enum CodingKeys: String, CodingKey {
            case directory
            case splitProtocol = "protocol"
            case trainSize = "train_size"
            case testSize = "test_size"
            case randomLabelExtras = "random_label_extras"
            case inputNoiseStd = "input_noise_std"
        }
    }

    /// `training`: the loop over epochs and mini-batches.
    public struct TrainingSection: Codable, Equatable, Sendable {
        /// Passes over the training set; 0 trains nothing (measure at initialisation only).
        public var epochs: Int
        /// Mini-batch size; the last batch of an epoch may be smaller.
        public var batchSize: Int
        /// Arithmetic of the forward and backward passes.
        public var precision: Precision
        /// Optimiser steps between rows of the training log.
        public var logEvery: Int
        /// Batch size for evaluating loss and accuracy on whole sets.
        public var evalBatchSize: Int

        /// Creates the section; the defaults are those a YAML file gets for absent keys.
        public init(
            epochs: Int, batchSize: Int = 256, precision: Precision = .float32, logEvery: Int = 1,
            evalBatchSize: Int = 1000
        ) {
            self.epochs = epochs
            self.batchSize = batchSize
            self.precision = precision
            self.logEvery = logEvery
            self.evalBatchSize = evalBatchSize
        }

        enum CodingKeys: String, CodingKey {
            case epochs
            case batchSize = "batch_size"
            case precision
            case logEvery = "log_every"
            case evalBatchSize = "eval_batch_size"
        }
    }

    /// `optimizer`: SGD (with momentum, Nesterov, L2) or Adam (with L2 or decoupled decay).
    public struct OptimizerSection: Codable, Equatable, Sendable {
        /// Which optimiser.
        public var name: OptimizerName
        /// Learning rate, finite and > 0.
        public var lr: Double
        /// SGD momentum, 0 <= m < 1 (SGD only).
        public var momentum: Double
        /// Nesterov momentum (SGD only; needs momentum > 0).
        public var nesterov: Bool
        /// Weight decay, >= 0: an L2 term added to the gradient, or, for Adam with
        /// ``decoupledWeightDecay``, AdamW-style decay of the parameters.
        public var weightDecay: Double
        /// Adam only: decay the parameters directly (AdamW) instead of adding L2 to the gradient.
        public var decoupledWeightDecay: Bool
        /// Adam's first-moment decay, 0 <= b < 1.
        public var beta1: Double
        /// Adam's second-moment decay, 0 <= b < 1.
        public var beta2: Double
        /// Adam's denominator guard, > 0 (Keras' default 1e-7).
        public var epsilon: Double

        /// Creates the section; the defaults are those a YAML file gets for absent keys.
        public init(
            name: OptimizerName, lr: Double, momentum: Double = 0, nesterov: Bool = false,
            weightDecay: Double = 0, decoupledWeightDecay: Bool = false, beta1: Double = 0.9,
            beta2: Double = 0.999, epsilon: Double = 1e-7
        ) {
            self.name = name
            self.lr = lr
            self.momentum = momentum
            self.nesterov = nesterov
            self.weightDecay = weightDecay
            self.decoupledWeightDecay = decoupledWeightDecay
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
        }

        enum CodingKeys: String, CodingKey {
            case name, lr, momentum, nesterov
            case weightDecay = "weight_decay"
            case decoupledWeightDecay = "decoupled_weight_decay"
            case beta1, beta2, epsilon
        }
    }

    /// `checkpoints`: exactly one of an explicit list of epochs and a period.
    ///
    /// ``ExperimentConfig/resolvedCheckpointEpochs`` turns either form into the explicit list.
    public struct CheckpointSection: Codable, Equatable, Sendable {
        /// Explicit checkpoint epochs, strictly increasing, each in `0...training.epochs`.
        public var epochs: [Int]?
        /// A period: checkpoints at 0, every, 2·every, … and always at the final epoch.
        public var every: Int?

        /// Creates the section; the defaults are those a YAML file gets for absent keys.
        public init(epochs: [Int]? = nil, every: Int? = nil) {
            self.epochs = epochs
            self.every = every
        }
    }

    /// `bfd`: which inputs and outputs the batch functional dimension is measured on, and how.
    public struct BFDSection: Codable, Equatable, Sendable {
        /// Measure at all.
        public var enabled: Bool
        /// Input batches to measure on; non-empty, no duplicates.
        public var inputs: [BFDInput]
        /// Network outputs whose Jacobian is measured; non-empty, no duplicates.
        public var outputs: [OutputVariant]
        /// The first N training inputs; `nil` means the whole training set.
        public var trainSamples: Int?
        /// The first N test inputs.
        public var testSamples: Int
        /// How many Gaussian random inputs.
        public var randomSamples: Int
        /// Mean of each pixel of a random input.
        public var randomMean: Double
        /// Standard deviation of each pixel of a random input, > 0.
        public var randomStd: Double
        /// How the rank is computed.
        public var method: BFDMethod
        /// Which rank rule gives the headline number.
        public var rankRule: RankRule
        /// Tolerance of ``RankRule/relative``, 0 < t < 1.
        public var relativeTolerance: Double
        /// Log the singular spectrum.
        public var spectrum: Bool
        /// Estimate the CFFD at each checkpoint (BFD on Gaussian batches of doubling size).
        public var cffd: Bool
        /// Largest number of Jacobian rows n·d the CFFD estimate may use.
        public var cffdMaxRows: Int

        /// Creates the section; the defaults are those a YAML file gets for absent keys.
        public init(
            enabled: Bool = true, inputs: [BFDInput] = BFDInput.allCases,
            outputs: [OutputVariant] = [.logits], trainSamples: Int? = 100, testSamples: Int = 100,
            randomSamples: Int = 100, randomMean: Double = 0.5, randomStd: Double = 1.0,
            method: BFDMethod = .gram, rankRule: RankRule = .gap,
            relativeTolerance: Double = 1e-10, spectrum: Bool = true, cffd: Bool = false,
            cffdMaxRows: Int = 12_000
        ) {
            self.cffd = cffd
            self.cffdMaxRows = cffdMaxRows
            self.enabled = enabled
            self.inputs = inputs
            self.outputs = outputs
            self.trainSamples = trainSamples
            self.testSamples = testSamples
            self.randomSamples = randomSamples
            self.randomMean = randomMean
            self.randomStd = randomStd
            self.method = method
            self.rankRule = rankRule
            self.relativeTolerance = relativeTolerance
            self.spectrum = spectrum
        }

        enum CodingKeys: String, CodingKey {
            case enabled, inputs, outputs
            case trainSamples = "train_samples"
            case testSamples = "test_samples"
            case randomSamples = "random_samples"
            case randomMean = "random_mean"
            case randomStd = "random_std"
            case method
            case rankRule = "rank_rule"
            case relativeTolerance = "relative_tolerance"
            case spectrum
            case cffd
            case cffdMaxRows = "cffd_max_rows"
        }
    }

    /// `logging`: where runs are written and what they keep.
    public struct LoggingSection: Codable, Equatable, Sendable {
        /// Parent directory of run directories.
        public var runsDirectory: String
        /// Write the log with HDF5 SWMR (single writer, multiple readers), appending training
        /// rows as they come, so that h5py (`swmr=True`) can follow the run while it trains.
        public var live: Bool
        /// Store the parameters at each checkpoint.
        public var saveParams: Bool

        /// Creates the section; the defaults are those a YAML file gets for absent keys.
        public init(runsDirectory: String = "runs", live: Bool = false, saveParams: Bool = true) {
            self.runsDirectory = runsDirectory
            self.live = live
            self.saveParams = saveParams
        }

        enum CodingKeys: String, CodingKey {
            case runsDirectory = "runs_directory"
            case live
            case saveParams = "save_params"
        }
    }
}
