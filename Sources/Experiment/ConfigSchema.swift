/// One key of the config schema: a section (a mapping of keys) or a leaf (a value).
public struct ConfigKey: Sendable, Equatable {
    /// The dotted path, e.g. `optimizer.lr`.
    public let path: String
    /// Whether the key holds a mapping of further keys.
    public let isSection: Bool
    /// Type, default and meaning in a few words, for `--help`-style listings.
    public let summary: String

    /// The last component of ``path``.
    var name: Substring { path.split(separator: ".").last ?? Substring(path) }
    /// The path of the enclosing section, or `""` at the top level.
    var parent: String {
        guard let dot = path.lastIndex(of: ".") else { return "" }
        return String(path[..<dot])
    }
}

extension ExperimentConfig {
    /// Every key of the schema, sections and leaves, in schema order (the order of
    /// ``resolvedYAML()``).
    public static let schema: [ConfigKey] = [
        leaf("name", "string, required: run name and run-directory name, [A-Za-z0-9._-]+"),
        leaf("seed", "integer >= 0 (0): seed of every random stream"),
        leaf("threads", "integer 1...64 or auto (auto): BLAS threads; auto = 1 for small networks, all cores for large ones (measured, BENCHMARKS.md)"),
        section("model", "the network"),
        leaf("model.hidden", "list of integers >= 1, required: hidden-layer widths, e.g. [30, 30, 30]"),
        leaf("model.init", "glorot_uniform | he_normal (glorot_uniform): weight initialisation"),
        section("data", "the MNIST data"),
        leaf("data.directory", "path (data/mnist): directory of the MNIST IDX files"),
        leaf("data.protocol", "standard | paper (standard): 60k/10k files, or a seeded draw from the 70k pool"),
        leaf("data.train_size", "integer >= 1 or null (null = all): training-set size; required for paper"),
        leaf("data.test_size", "integer >= 1 or null (null = all): test-set size"),
        leaf("data.random_label_extras", "integer >= 0 (0): extra training images with uniformly random labels, drawn from images unused by train and test"),
        leaf("data.input_noise_std", "number >= 0 (0): std of N(0, std²) noise added to every training input (pixels in [0, 1])"),
        section("training", "the training loop"),
        leaf("training.epochs", "integer >= 0, required: passes over the training set"),
        leaf("training.batch_size", "integer >= 1 (256): mini-batch size"),
        leaf("training.precision", "float32 | float64 (float32): training arithmetic"),
        leaf("training.log_every", "integer >= 1 (1): steps between rows of the training log"),
        leaf("training.eval_batch_size", "integer >= 1 (1000): batch size for evaluation"),
        section("optimizer", "the optimiser"),
        leaf("optimizer.name", "sgd | adam, required"),
        leaf("optimizer.lr", "number > 0, required: learning rate"),
        leaf("optimizer.momentum", "number in [0, 1) (0): SGD momentum"),
        leaf("optimizer.nesterov", "boolean (false): Nesterov momentum (SGD, needs momentum > 0)"),
        leaf("optimizer.weight_decay", "number >= 0 (0): L2, or decoupled decay for Adam"),
        leaf("optimizer.decoupled_weight_decay", "boolean (false): AdamW-style decay (Adam only)"),
        leaf("optimizer.beta1", "number in [0, 1) (0.9): Adam first-moment decay"),
        leaf("optimizer.beta2", "number in [0, 1) (0.999): Adam second-moment decay"),
        leaf("optimizer.epsilon", "number > 0 (1e-7): Adam denominator guard"),
        section("checkpoints", "when to checkpoint and measure; exactly one of epochs and every"),
        leaf("checkpoints.epochs", "list of integers, strictly increasing, each in 0...training.epochs"),
        leaf("checkpoints.every", "integer >= 1: epochs 0, every, 2*every, ... and the final epoch"),
        section("bfd", "the batch functional dimension"),
        leaf("bfd.enabled", "boolean (true): measure at checkpoints"),
        leaf("bfd.inputs", "list of train | test | random (all three): input batches"),
        leaf("bfd.outputs", "list of logits | softmax | centred (logits): outputs differentiated"),
        leaf("bfd.train_samples", "integer >= 1 or null (100; null = all): first N training inputs"),
        leaf("bfd.test_samples", "integer >= 1 (100): first N test inputs"),
        leaf("bfd.random_samples", "integer >= 1 (100): Gaussian random inputs"),
        leaf("bfd.random_mean", "number (0.5): mean of each random pixel"),
        leaf("bfd.random_std", "number > 0 (1.0): standard deviation of each random pixel"),
        leaf("bfd.method", "gram | gram_inertia | jacobian (gram): structured J Jᵀ and its spectrum, the same with the rank certified by inertia counts, or explicit float64 Jacobian + SVD"),
        leaf("bfd.rank_rule", "gap | numpy | relative (gap): rule for the headline rank"),
        leaf("bfd.relative_tolerance", "number in (0, 1) (1e-10): tolerance of the relative rule"),
        leaf("bfd.spectrum", "boolean (true): log the singular spectrum"),
        leaf("bfd.cffd", "boolean (false): at each checkpoint, estimate the CFFD from Gaussian batches of doubling size"),
        leaf("bfd.cffd_max_rows", "integer >= 10 (12000): largest n·d the CFFD estimate may use"),
        section("logging", "outputs"),
        leaf("logging.runs_directory", "path (runs): parent of run directories"),
        leaf("logging.live", "boolean (false): write the log with HDF5 SWMR so h5py can follow the run"),
        leaf("logging.save_params", "boolean (true): store parameters at each checkpoint"),
    ]

    /// Every dotted key, sections included, in schema order.
    public static var allKeys: [String] { schema.map(\.path) }

    /// The keys that hold values (no sections), in schema order.
    public static var leafKeys: [String] { schema.filter { !$0.isSection }.map(\.path) }

    /// The schema entry for a dotted path, if there is one.
    static func schemaKey(_ path: String) -> ConfigKey? {
        schema.first { $0.path == path }
    }

    /// The names of the keys directly inside a section (`""` for the top level), in order.
    static func childNames(of section: String) -> [String] {
        schema.filter { $0.parent == section }.map { String($0.name) }
    }

    private static func leaf(_ path: String, _ summary: String) -> ConfigKey {
        ConfigKey(path: path, isSection: false, summary: summary)
    }

    private static func section(_ path: String, _ summary: String) -> ConfigKey {
        ConfigKey(path: path, isSection: true, summary: summary)
    }
}
