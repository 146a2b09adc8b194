/// The closed sets of values some config keys take. Raw values are the YAML spellings.
extension ExperimentConfig {
    /// `model.init`: how weights are drawn (biases are always zero).
    public enum InitScheme: String, Codable, CaseIterable, Sendable {
        /// Glorot (Xavier) uniform, U(±√(6 / (fan_in + fan_out))), as Keras does by default.
        case glorotUniform = "glorot_uniform"
        /// He normal, N(0, 2 / fan_in).
        case heNormal = "he_normal"
    }

    /// `data.protocol`: how train and test sets are formed from MNIST.
    public enum SplitProtocol: String, Codable, CaseIterable, Sendable {
        /// The 60,000 training and 10,000 test images of the standard files (first N of each).
        case standard
        /// The paper's: pool all 70,000 images and draw the train and test sets with the seed.
        case paper
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

    /// `bfd.outputs`: which function of the logits is differentiated.
    public enum BFDOutput: String, Codable, CaseIterable, Sendable {
        /// The raw logits.
        case logits
        /// The softmax probabilities (what the paper's script measures).
        case softmax
        /// Logits minus their mean over classes (drops the direction every row shares).
        case centred
    }

    /// `bfd.method`: how the rank is computed.
    public enum BFDMethod: String, Codable, CaseIterable, Sendable {
        /// Eigenvalues of the structured Gram matrix J Jᵀ.
        case gram
        /// The structured Gram matrix without a spectrum: the rank certified by LDLᵀ inertia
        /// counts (fast; no spectrum is logged).
        case gramInertia = "gram_inertia"
        /// An explicit float64 Jacobian and its singular values.
        case jacobian
    }

    /// `bfd.rank_rule`: which rule turns a spectrum into the headline rank.
    public enum RankRule: String, Codable, CaseIterable, Sendable {
        /// The largest gap in the log-spectrum.
        case gap
        /// NumPy's `matrix_rank` default: σ > σ_max · max(n, m) · ε.
        case numpy
        /// σ > σ_max · `bfd.relative_tolerance`.
        case relative
    }
}

/// A config value drawn from a closed set of YAML spellings.
protocol ConfigChoice: CaseIterable, RawRepresentable, Sendable where RawValue == String {}

extension ConfigChoice {
    /// The allowed spellings, in declaration order.
    static var allowedSpellings: [String] { allCases.map(\.rawValue) }
}

extension ExperimentConfig.InitScheme: ConfigChoice {}
extension ExperimentConfig.SplitProtocol: ConfigChoice {}
extension ExperimentConfig.Precision: ConfigChoice {}
extension ExperimentConfig.OptimizerName: ConfigChoice {}
extension ExperimentConfig.BFDInput: ConfigChoice {}
extension ExperimentConfig.BFDOutput: ConfigChoice {}
extension ExperimentConfig.BFDMethod: ConfigChoice {}
extension ExperimentConfig.RankRule: ConfigChoice {}
