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
/// Every key is declared once, in the table ``ExperimentConfig/keyTable`` (ConfigKeys.swift):
/// its path, property, type, default, documentation, range check and whether a resume may
/// change it. Decoding, validation, the resolved YAML, the schema, key suggestions, resume
/// checks and docs/config-keys.md all derive from that table; there is no other decode path.
/// The values a struct starts with are placeholders, not defaults: decoding sets every key, from
/// the YAML or from the table's default.
public struct ExperimentConfig: Equatable, Sendable {
    /// Placeholder values only; ``ExperimentConfig/parse(yaml:source:overrides:)`` sets every key.
    public init() {}

    /// The run's name, used as the run-directory name: one or more of `[A-Za-z0-9._-]`.
    public var name: String = ""
    /// The seed every random stream (initialisation, shuffling, data draw, random inputs) is
    /// derived from.
    public var seed: UInt64 = 0
    /// BLAS threads, 1...64, or ``automaticThreads`` (`auto` in YAML).
    public var threads: Int = 0

    /// The stored value of `threads: auto`: one thread when a training step's largest GEMM is
    /// small, all cores otherwise (``resolvedThreads(cpuCount:)``).
    public static let automaticThreads = 0
    /// The network.
    public var model: ModelSection = ModelSection()
    /// Where the data comes from and how it is split.
    public var data: DataSection = DataSection()
    /// The synthetic regression data (`data.source: synthetic`).
    public var synthetic: SyntheticSection = SyntheticSection()
    /// The training loop.
    public var training: TrainingSection = TrainingSection()
    /// The optimiser.
    public var optimizer: OptimizerSection = OptimizerSection()
    /// When to checkpoint (and measure the BFD).
    public var checkpoints: CheckpointSection = CheckpointSection()
    /// What to measure at each checkpoint.
    public var bfd: BFDSection = BFDSection()
    /// Where the run's outputs go.
    public var logging: LoggingSection = LoggingSection()
}

extension ExperimentConfig {
    /// `model`: a fully connected ReLU network from 784 inputs through ``hidden`` to 10 logits.
    public struct ModelSection: Equatable, Sendable {
        /// Placeholder values only; ``ExperimentConfig/parse(yaml:source:overrides:)`` sets every key.
        public init() {}

        /// Widths of the hidden layers, input side first; non-empty, each at least 1.
        public var hidden: [Int] = []
        /// How weights are initialised (biases start at zero).
        public var initScheme: WeightInit = .glorotUniform
        /// ``WeightInit/randomFeatures``: the range R of the first-layer biases U(−R, R).
        public var kinkRange: Double = 0
    }

    /// `data`: the MNIST files and which images train and test on.
    public struct DataSection: Equatable, Sendable {
        /// Placeholder values only; ``ExperimentConfig/parse(yaml:source:overrides:)`` sets every key.
        public init() {}

        /// IDX files (the default) or the synthetic regression problem of ``SyntheticSection``.
        public var source: DataSource = .mnist
        /// Which data set the files hold: checked against its canonical checksums, or any
        /// IDX files with ``classes`` classes.
        public var dataset: DatasetName = .mnist
        /// Directory holding the four IDX files, relative to the current directory.
        public var directory: String = ""
        /// The number of classes of an `idx` data set (labels in 0..<classes); nil for the
        /// known sets (10).
        public var classes: Int? = nil
        /// How the train and test sets are formed (YAML key `protocol`).
        public var splitProtocol: SplitProtocol = .standard
        /// Training-set size; `nil` means all of the protocol's training set. Required by
        /// ``SplitProtocol/paper``.
        public var trainSize: Int? = nil
        /// Test-set size; `nil` means all of the protocol's test set.
        public var testSize: Int? = nil
        /// Extra training samples with random labels appended to the training set (images
        /// drawn from the pool unused by train and test, labels uniform in 0...9), >= 0.
        public var randomLabelExtras: Int = 0
        /// Standard deviation of the N(0, std²) noise added to every training input (pixels
        /// are in [0, 1]; no clamping), >= 0. Test and random inputs stay clean.
        public var inputNoiseStd: Double = 0
    }

    /// `synthetic`: a seeded regression problem y = f(s) + noise, s the mean of x's coordinates.
    ///
    /// The training inputs are `data.train_size` uniform draws in [low, high]^d or an even
    /// grid (d = 1); the test inputs (`data.test_size`, default 200) an even grid for d = 1 and
    /// uniform draws otherwise, with noise-free targets. Every value is stored in the log.
    public struct SyntheticSection: Equatable, Sendable {
        /// Placeholder values only; ``ExperimentConfig/parse(yaml:source:overrides:)`` sets every key.
        public init() {}

        /// Input dimension d, 1...64.
        public var inputDimension: Int = 0
        /// How the training inputs are placed.
        public var inputs: SyntheticInputs = .uniform
        /// Lower end of each coordinate.
        public var low: Double = 0
        /// Upper end of each coordinate, > low.
        public var high: Double = 0
        /// The target function of s.
        public var target: SyntheticTarget = .piecewiseLinear
        /// Piecewise-linear knots' positions, strictly increasing.
        public var knotsX: [Double] = []
        /// Piecewise-linear values at the knots.
        public var knotsY: [Double] = []
        /// Sine amplitude.
        public var amplitude: Double = 0
        /// Sine frequency (cycles per unit of s).
        public var frequency: Double = 0
        /// Sine phase (radians).
        public var phase: Double = 0
        /// Polynomial coefficients c_0, c_1, ....
        public var coefficients: [Double] = []
        /// Std of the Gaussian noise on the training targets, >= 0.
        public var noiseStd: Double = 0
    }

    /// `training`: the loop over epochs and mini-batches.
    public struct TrainingSection: Equatable, Sendable {
        /// Placeholder values only; ``ExperimentConfig/parse(yaml:source:overrides:)`` sets every key.
        public init() {}

        /// Passes over the training set; 0 trains nothing (measure at initialisation only).
        public var epochs: Int = 0
        /// Mini-batch size; the last batch of an epoch may be smaller.
        public var batchSize: Int = 0
        /// Arithmetic of the forward and backward passes.
        public var precision: Precision = .float32
        /// The loss trained on and reported.
        public var loss: LossFunction = .crossEntropy
        /// Affine layers (0 = first) whose parameters are never updated.
        public var freeze: [Int] = []
        /// Optimiser steps between rows of the training log.
        public var logEvery: Int = 0
        /// Batch size for evaluating loss and accuracy on whole sets.
        public var evalBatchSize: Int = 0
        /// Stop after the first epoch whose training accuracy reaches this (nil: never early).
        public var stopAtTrainAccuracy: Double? = nil
    }

    /// `optimizer`: SGD (with momentum, Nesterov, L2), Adam (with L2 or decoupled decay) or
    /// Path-SGD (with momentum, Nesterov), and the learning-rate schedule.
    public struct OptimizerSection: Equatable, Sendable {
        /// Placeholder values only; ``ExperimentConfig/parse(yaml:source:overrides:)`` sets every key.
        public init() {}

        /// Which optimiser.
        public var name: OptimizerName = .sgd
        /// Learning rate, finite and > 0.
        public var lr: Double = 0
        /// SGD momentum, 0 <= m < 1 (SGD only).
        public var momentum: Double = 0
        /// Nesterov momentum (SGD only; needs momentum > 0).
        public var nesterov: Bool = false
        /// Weight decay, >= 0: an L2 term added to the gradient, or, for Adam with
        /// ``decoupledWeightDecay``, AdamW-style decay of the parameters.
        public var weightDecay: Double = 0
        /// Adam only: decay the parameters directly (AdamW) instead of adding L2 to the gradient.
        public var decoupledWeightDecay: Bool = false
        /// Adam's first-moment decay, 0 <= b < 1.
        public var beta1: Double = 0
        /// Adam's second-moment decay, 0 <= b < 1.
        public var beta2: Double = 0
        /// Adam's denominator guard, > 0 (Keras' default 1e-7).
        public var epsilon: Double = 0
        /// Path-SGD only: κ_e below this is raised to it, > 0 (a dead path, κ_e = 0, has a zero
        /// gradient and takes no step instead of 0/0).
        public var pathEpsilon: Double = 0
        /// How η changes with the step (after ``warmupSteps``).
        public var schedule: LearningRateScheduleName = .constant
        /// Steps of linear warm-up from lr/W to lr, >= 0 (0: none).
        public var warmupSteps: Int = 0
        /// Step schedule: epochs between decays, >= 1.
        public var decayEpochs: Int = 0
        /// Step schedule: the factor each decay multiplies η by, in (0, 1].
        public var decayFactor: Double = 0
        /// Cosine schedule: the rate the cosine ends at, 0 <= lr_min <= lr.
        public var lrMin: Double = 0
    }

    /// `checkpoints`: exactly one of an explicit list of epochs and a period.
    ///
    /// ``ExperimentConfig/resolvedCheckpointEpochs`` turns either form into the explicit list.
    public struct CheckpointSection: Equatable, Sendable {
        /// Placeholder values only; ``ExperimentConfig/parse(yaml:source:overrides:)`` sets every key.
        public init() {}

        /// Explicit checkpoint epochs, strictly increasing, each in `0...training.epochs`.
        public var epochs: [Int]? = nil
        /// A period: checkpoints at 0, every, 2·every, … and always at the final epoch.
        public var every: Int? = nil
    }

    /// `bfd`: which inputs and outputs the batch functional dimension is measured on, and how.
    public struct BFDSection: Equatable, Sendable {
        /// Placeholder values only; ``ExperimentConfig/parse(yaml:source:overrides:)`` sets every key.
        public init() {}

        /// Measure at all.
        public var enabled: Bool = false
        /// Input batches to measure on; non-empty, no duplicates.
        public var inputs: [BFDInput] = []
        /// Network outputs whose Jacobian is measured; non-empty, no duplicates.
        public var outputs: [OutputVariant] = []
        /// The first N training inputs; `nil` means the whole training set.
        public var trainSamples: Int? = nil
        /// The first N test inputs.
        public var testSamples: Int = 0
        /// How many Gaussian random inputs.
        public var randomSamples: Int = 0
        /// Mean of each pixel of a random input.
        public var randomMean: Double = 0
        /// Standard deviation of each pixel of a random input, > 0.
        public var randomStd: Double = 0
        /// How the rank is computed.
        public var method: BFDMethod = .gram
        /// Which Gram product the Gram methods form: the smaller (auto), m × m, or P̃ × P̃.
        public var gramSide: GramSideChoice = .auto
        /// Which rank rule gives the headline number.
        public var rankRule: RankRule = .gap
        /// Tolerance of ``RankRule/relative``, 0 < t < 1.
        public var relativeTolerance: Double = 0
        /// Log the singular spectrum.
        public var spectrum: Bool = false
        /// Estimate the CFFD at each checkpoint (BFD on Gaussian batches of doubling size).
        public var cffd: Bool = false
        /// Largest number of Jacobian rows n·d the CFFD estimate may use.
        public var cffdMaxRows: Int = 0
        /// Also compute the exact BFD (rank modulo random primes, certified when it reaches the bound).
        public var exact: Bool = false
        /// Primes the exact engine tries while a rank is not certified.
        public var exactPrimes: Int = 0
        /// Bit length of the exact engine's primes.
        public var exactPrimeBits: Int = 0
        /// Which matrix the exact engine reduces modulo each prime: auto, K = JJᵀ, or J.
        public var exactMatrix: ExactMatrixChoice = .auto
        /// 1-D inputs: the tolerance (input units) within which first-layer kinks count as one.
        public var kinkTolerance: Double = 0
    }

    /// `logging`: where runs are written and what they keep.
    public struct LoggingSection: Equatable, Sendable {
        /// Placeholder values only; ``ExperimentConfig/parse(yaml:source:overrides:)`` sets every key.
        public init() {}

        /// Parent directory of run directories.
        public var runsDirectory: String = ""
        /// Write the log with HDF5 SWMR (single writer, multiple readers), appending training
        /// rows as they come, so that h5py (`swmr=True`) can follow the run while it trains.
        public var live: Bool = false
        /// Store the parameters at each checkpoint.
        public var saveParams: Bool = false
    }
}
