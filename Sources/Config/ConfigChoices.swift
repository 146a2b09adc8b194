import Geometry
import Network

/// The closed sets of values some config keys take. Raw values are the YAML spellings.
extension ExperimentConfig {
    /// `data.protocol`: how train and test sets are formed from MNIST.
    public enum SplitProtocol: String, Codable, CaseIterable, Sendable {
        /// The 60,000 training and 10,000 test images of the standard files (first N of each).
        case standard
        /// The paper's: pool all 70,000 images and draw the train and test sets with the seed.
        case paper
    }

    /// `data.dataset`: which data set the four IDX files of `data.directory` hold.
    public enum DatasetName: String, Codable, CaseIterable, Sendable {
        /// MNIST's handwritten digits, checked against their canonical checksums.
        case mnist
        /// Zalando's Fashion-MNIST, checked against its checksums (Debian's dataset-fashion-mnist).
        case fashion_mnist
        /// Any four IDX files in MNIST's layout: `data.classes` classes, no checksum.
        case idx
    }

    /// `data.source`: where the data comes from.
    public enum DataSource: String, Codable, CaseIterable, Sendable {
        /// The four IDX files of `data.directory` (`data.dataset`).
        case mnist
        /// A seeded regression problem drawn from the `synthetic` section.
        case synthetic
    }

    /// `synthetic.inputs`: how the training inputs are placed.
    public enum SyntheticInputs: String, Codable, CaseIterable, Sendable {
        /// i.i.d. uniform in [low, high]^d.
        case uniform
        /// An even grid of [low, high], end points included (d = 1).
        case grid
    }

    /// `synthetic.target`: the target function of s, the mean of the input coordinates.
    public enum SyntheticTarget: String, Codable, CaseIterable, Sendable {
        /// Linear interpolation of (knots_x, knots_y), constant beyond the end knots.
        case piecewiseLinear = "piecewise_linear"
        /// amplitude · sin(2π · frequency · s + phase).
        case sine
        /// Σ_k coefficients[k] · s^k.
        case polynomial
    }

    /// `training.precision`: arithmetic of training.
    public enum Precision: String, Codable, CaseIterable, Sendable {
        case float32
        case float64
    }

    /// `optimizer.name`.
    public enum OptimizerName: String, Codable, CaseIterable, Sendable {
        case sgd
        case adam
        /// Path-SGD, p = 2 (Neyshabur, Salakhutdinov & Srebro 2015).
        case pathSGD = "path_sgd"
    }

    /// `optimizer.schedule`: how the learning rate changes with the step (``LearningRateSchedule``).
    public enum LearningRateScheduleName: String, Codable, CaseIterable, Sendable {
        /// lr throughout (after the warm-up).
        case constant
        /// lr·decay_factor^⌊epoch / decay_epochs⌋.
        case step
        /// Half a cosine from lr to lr_min over the steps after the warm-up.
        case cosine
    }

    /// `bfd.inputs`: the batches the BFD is measured on.
    public enum BFDInput: String, Codable, CaseIterable, Sendable {
        /// The first `bfd.train_samples` training inputs.
        case train
        /// The first `bfd.test_samples` test inputs.
        case test
        /// `bfd.random_samples` Gaussian inputs, N(random_mean, random_std²) per pixel.
        case random
    }
}

/// A config value drawn from a closed set of YAML spellings.
protocol ConfigChoice: CaseIterable, RawRepresentable, Sendable where RawValue == String {}

extension ConfigChoice {
    /// The allowed spellings, in declaration order.
    static var allowedSpellings: [String] { allCases.map(\.rawValue) }
}

extension ExperimentConfig.SplitProtocol: ConfigChoice {}
extension ExperimentConfig.DatasetName: ConfigChoice {}
extension ExperimentConfig.Precision: ConfigChoice {}
extension ExperimentConfig.DataSource: ConfigChoice {}
extension ExperimentConfig.SyntheticInputs: ConfigChoice {}
extension ExperimentConfig.SyntheticTarget: ConfigChoice {}
extension LossFunction: ConfigChoice {}
extension ExperimentConfig.OptimizerName: ConfigChoice {}
extension ExperimentConfig.LearningRateScheduleName: ConfigChoice {}
extension ExperimentConfig.BFDInput: ConfigChoice {}
// The network's and the geometry's own enums are the config's choices too: `model.init` is
// ``WeightInit``, `bfd.outputs` ``OutputVariant``, `bfd.method` ``BFDMethod`` and
// `bfd.rank_rule` ``RankRule``, `bfd.gram_side` ``GramSideChoice`` and `bfd.exact_matrix`
// ``ExactMatrixChoice``, documented where they are defined.
extension WeightInit: ConfigChoice {}
extension OutputVariant: ConfigChoice {}
extension BFDMethod: ConfigChoice {}
extension RankRule: ConfigChoice {}
extension GramSideChoice: ConfigChoice {}
extension ExactMatrixChoice: ConfigChoice {}
