import Geometry
import Network

/// Every config key, in schema order, each declared once: path, property, type, default (or
/// the hint a missing required key gets), the domain and meaning that `geodim keys` and
/// docs/config-keys.md print, its own range check, and whether a resume must keep it.
///
/// To add a key: a property in Config.swift (its use), and one entry here. Decoding,
/// validation of its own range, the resolved YAML, the schema and suggestions, the resume
/// check and the docs follow. Checks that relate several keys go in Config+Validation.swift.
extension ExperimentConfig {
    typealias Entry = ConfigKeyEntry

    nonisolated(unsafe) static let keyTable: [ConfigKeyEntry] = [
        .required(
            "name", \.name, .string, hint: "a run name such as quick or paper-mnist",
            "string", "run name and run-directory name, [A-Za-z0-9._-]+", check: .custom(checkName)),
        .value(
            "seed", \.seed, .unsignedInteger, default: 0, "integer >= 0", "seed of every random stream", fixed: true),
        .value(
            "threads", \.threads, threadsType, default: automaticThreads, "integer 1...64 or auto",
            "BLAS threads; auto = 1 for small networks, all cores for large ones (measured, BENCHMARKS.md)",
            check: .custom { value, key, check throws(ConfigError) in
                if value != automaticThreads { try check.that(value, in: 1...64, key) }
            }),

        .section("model", "the network"),
        .required(
            "model.hidden", \.model.hidden, .integers, hint: "a non-empty list of hidden-layer widths, e.g. [30, 30, 30]",
            "list of integers >= 1", "hidden-layer widths, e.g. [30, 30, 30]", fixed: true, check: .custom(checkHidden)),
        .choice(
            "model.init", \.model.initScheme, default: .glorotUniform,
            "weight initialisation (biases start at 0); random_features: first layer w = ±1, b ~ U(−kink_range, kink_range), later layers 0 (Heiss et al.'s random first layer)",
            fixed: true),
        .value(
            "model.kink_range", \.model.kinkRange, .number, default: 2.0, "number > 0",
            "random_features: first-layer biases are U(−kink_range, kink_range), so 1-D kinks are uniform there",
            fixed: true, check: .above(0)),

        .section("data", "the data set"),
        .choice(
            "data.source", \.data.source, default: .mnist,
            "IDX image files (data.dataset), or a seeded synthetic regression problem (the synthetic section; needs training.loss mse)",
            fixed: true),
        .choice(
            "data.dataset", \.data.dataset, default: .mnist,
            "MNIST or Fashion-MNIST (checked against their canonical checksums), or any four IDX files in MNIST's layout with data.classes classes (idx, no checksum)",
            fixed: true),
        .value(
            "data.directory", \.data.directory, .string, default: "data/mnist", "path",
            "directory of the four IDX files (train-/t10k-images/labels, optionally .gz)", fixed: true, check: .nonEmpty),
        .nullable(
            "data.classes", \.data.classes, .integer, default: nil, "integer in 2...256 or null",
            "number of classes of an idx data set (labels 0..classes-1); null for mnist and fashion_mnist (10)",
            fixed: true, check: .within(2...256)),
        .choice(
            "data.protocol", \.data.splitProtocol, default: .standard,
            "60k/10k files, or a seeded draw from the 70k pool", fixed: true),
        .nullable(
            "data.train_size", \.data.trainSize, .integer, default: nil, "integer >= 1 or null",
            "training-set size (null = all); required for paper", fixed: true, check: .atLeast(1)),
        .nullable(
            "data.test_size", \.data.testSize, .integer, default: nil, "integer >= 1 or null",
            "test-set size (null = all)", fixed: true, check: .atLeast(1)),
        .value(
            "data.random_label_extras", \.data.randomLabelExtras, .integer, default: 0, "integer >= 0",
            "extra training images with uniformly random labels, drawn from images unused by train and test",
            fixed: true, check: .atLeast(0)),
        .value(
            "data.input_noise_std", \.data.inputNoiseStd, .number, default: 0, "number >= 0",
            "std of N(0, std²) noise added to every training input (pixels in [0, 1])", fixed: true,
            check: .atLeast(0.0)),

        .section("synthetic", "the synthetic regression data of data.source synthetic: inputs, target function, noise"),
        .value(
            "synthetic.input_dim", \.synthetic.inputDimension, .integer, default: 1, "integer in 1...64",
            "input dimension; the target is a function of the inputs' mean s = (x_1 + ... + x_d)/d", fixed: true,
            check: .within(1...64)),
        .choice(
            "synthetic.inputs", \.synthetic.inputs, default: .uniform,
            "training inputs: i.i.d. uniform draws in [low, high]^d, or an even grid of [low, high] (grid: input_dim 1 only); test inputs are an even grid for input_dim 1, uniform draws otherwise",
            fixed: true),
        .value(
            "synthetic.low", \.synthetic.low, .number, default: -1.0, "number", "lower end of each input coordinate",
            fixed: true, check: .finite),
        .value(
            "synthetic.high", \.synthetic.high, .number, default: 1.0, "number > low", "upper end of each input coordinate",
            fixed: true, check: .finite),
        .choice(
            "synthetic.target", \.synthetic.target, default: .piecewiseLinear,
            "target f(s): linear interpolation of the knots (constant beyond them), amplitude·sin(2π·frequency·s + phase), or Σ_k coefficients[k]·s^k",
            fixed: true),
        .value(
            "synthetic.knots_x", \.synthetic.knotsX, .numbers, default: [-1.0, -0.5, 0.0, 0.5, 1.0],
            "list of numbers, strictly increasing, at least 2", "piecewise_linear: the knots' positions", fixed: true),
        .value(
            "synthetic.knots_y", \.synthetic.knotsY, .numbers, default: [0.0, 1.0, -0.5, 0.5, 0.0],
            "list of numbers, as many as knots_x", "piecewise_linear: the target's values at the knots", fixed: true),
        .value(
            "synthetic.amplitude", \.synthetic.amplitude, .number, default: 1.0, "number", "sine: amplitude",
            fixed: true, check: .finite),
        .value(
            "synthetic.frequency", \.synthetic.frequency, .number, default: 1.0, "number",
            "sine: cycles per unit of s", fixed: true, check: .finite),
        .value(
            "synthetic.phase", \.synthetic.phase, .number, default: 0.0, "number", "sine: phase in radians",
            fixed: true, check: .finite),
        .value(
            "synthetic.coefficients", \.synthetic.coefficients, .numbers, default: [0.0, 0.0, 1.0],
            "non-empty list of numbers", "polynomial: c_0, c_1, ... of Σ c_k s^k", fixed: true),
        .value(
            "synthetic.noise_std", \.synthetic.noiseStd, .number, default: 0.0, "number >= 0",
            "std of the N(0, std²) noise added to every training target (test targets are noise-free)", fixed: true,
            check: .atLeast(0.0)),

        .section("training", "the training loop"),
        .required(
            "training.epochs", \.training.epochs, .integer, hint: "the number of passes over the training set, e.g. 680",
            "integer >= 0", "passes over the training set", check: .atLeast(0)),
        .value(
            "training.batch_size", \.training.batchSize, .integer, default: 256, "integer >= 1", "mini-batch size",
            fixed: true, check: .atLeast(1)),
        .choice("training.precision", \.training.precision, default: .float32, "training arithmetic", fixed: true),
        .choice(
            "training.loss", \.training.loss, default: .crossEntropy,
            "mean softmax cross-entropy against the labels, or half mean squared error ½·mean_i ‖f(x_i) − y_i‖² (against one-hot labels for image data)",
            fixed: true),
        .value(
            "training.freeze", \.training.freeze, .integers, default: [], "list of distinct affine-layer indices, 0 = first",
            "layers whose weights and biases stay at their initial values (bitwise); the BFD is then also measured over the trained parameters only",
            fixed: true),
        .value(
            "training.log_every", \.training.logEvery, .integer, default: 1, "integer >= 1",
            "steps between rows of the training log", check: .atLeast(1)),
        .value(
            "training.eval_batch_size", \.training.evalBatchSize, .integer, default: 1000, "integer >= 1",
            "batch size for evaluation", check: .atLeast(1)),
        .nullable(
            "training.stop_at_train_accuracy", \.training.stopAtTrainAccuracy, .number, default: nil,
            "number in (0, 1] or null",
            "stop early once the training accuracy at the end of an epoch reaches this (null = run every epoch); that epoch is measured as the last checkpoint and logged as /meta stopped_early_epoch",
            check: .custom { value, key, check throws(ConfigError) in
                try check.that(
                    value > 0 && value <= 1, key, "must be in (0, 1], found \(ConfigYAMLText.short(value))",
                    hint: "1.0 stops once every training image is classified correctly")
            }),

        .section("optimizer", "the optimiser"),
        .choice("optimizer.name", \.optimizer.name, default: nil, "the optimiser", fixed: true),
        .required(
            "optimizer.lr", \.optimizer.lr, .number, hint: "the learning rate, e.g. 0.1", "number > 0",
            "learning rate", check: .above(0, hint: "the learning rate, e.g. 0.1")),
        .value(
            "optimizer.momentum", \.optimizer.momentum, .number, default: 0, "number in [0, 1)", "SGD momentum",
            check: .halfOpenUnit),
        .value(
            "optimizer.nesterov", \.optimizer.nesterov, .boolean, default: false, "boolean",
            "Nesterov momentum (SGD, needs momentum > 0)"),
        .value(
            "optimizer.weight_decay", \.optimizer.weightDecay, .number, default: 0, "number >= 0",
            "L2, or decoupled decay for Adam", check: .atLeast(0.0)),
        .value(
            "optimizer.decoupled_weight_decay", \.optimizer.decoupledWeightDecay, .boolean, default: false, "boolean",
            "AdamW-style decay (Adam only)"),
        .value(
            "optimizer.beta1", \.optimizer.beta1, .number, default: 0.9, "number in [0, 1)", "Adam first-moment decay",
            check: .halfOpenUnit),
        .value(
            "optimizer.beta2", \.optimizer.beta2, .number, default: 0.999, "number in [0, 1)",
            "Adam second-moment decay", check: .halfOpenUnit),
        .value(
            "optimizer.epsilon", \.optimizer.epsilon, .number, default: 1e-7, "number > 0", "Adam denominator guard",
            check: .above(0)),
        .value(
            "optimizer.path_epsilon", \.optimizer.pathEpsilon, .number, default: 1e-12, "number > 0",
            "Path-SGD: the floor of κ (a dead path, κ = 0, takes no step)", check: .above(0)),
        .choice(
            "optimizer.schedule", \.optimizer.schedule, default: .constant,
            "learning rate after the warm-up: constant, lr·decay_factor^⌊epoch/decay_epochs⌋ (step), or half a cosine from lr to lr_min over the run (cosine); logged per step as /train/lr"),
        .value(
            "optimizer.warmup_steps", \.optimizer.warmupSteps, .integer, default: 0, "integer >= 0",
            "linear warm-up: step k < W uses (k+1)/W of the scheduled rate", check: .atLeast(0)),
        .value(
            "optimizer.decay_epochs", \.optimizer.decayEpochs, .integer, default: 100, "integer >= 1",
            "step schedule: epochs between decays", check: .atLeast(1)),
        .value(
            "optimizer.decay_factor", \.optimizer.decayFactor, .number, default: 0.1, "number in (0, 1]",
            "step schedule: each decay multiplies the rate by this",
            check: .custom { value, key, check throws(ConfigError) in
                try check.that(
                    value > 0 && value <= 1, key, "must be in (0, 1], found \(ConfigYAMLText.short(value))",
                    hint: "e.g. 0.1")
            }),
        .value(
            "optimizer.lr_min", \.optimizer.lrMin, .number, default: 0, "number in [0, lr]",
            "cosine schedule: the rate it ends at", check: .atLeast(0.0)),

        .section("checkpoints", "when to checkpoint and measure; exactly one of epochs and every"),
        .nullable(
            "checkpoints.epochs", \.checkpoints.epochs, .integers, default: nil,
            "list of integers, strictly increasing, each in 0...training.epochs", "explicit checkpoint epochs",
            omittedWhenNull: true),
        .nullable(
            "checkpoints.every", \.checkpoints.every, .integer, default: nil, "integer >= 1",
            "epochs 0, every, 2*every, ... and the final epoch", omittedWhenNull: true, check: .atLeast(1)),

        .section("bfd", "the batch functional dimension"),
        .value("bfd.enabled", \.bfd.enabled, .boolean, default: true, "boolean", "measure at checkpoints", fixed: true),
        .choices("bfd.inputs", \.bfd.inputs, default: BFDInput.allCases, "input batches", fixed: true),
        .choices("bfd.outputs", \.bfd.outputs, default: [.logits], "outputs differentiated", fixed: true),
        .nullable(
            "bfd.train_samples", \.bfd.trainSamples, .integer, default: 100, "integer >= 1 or null",
            "first N training inputs (null = all)", fixed: true, check: .atLeast(1, hint: "null means all")),
        .value(
            "bfd.test_samples", \.bfd.testSamples, .integer, default: 100, "integer >= 1", "first N test inputs",
            fixed: true, check: .atLeast(1)),
        .value(
            "bfd.random_samples", \.bfd.randomSamples, .integer, default: 100, "integer >= 1",
            "Gaussian random inputs", fixed: true, check: .atLeast(1)),
        .value(
            "bfd.random_mean", \.bfd.randomMean, .number, default: 0.5, "number", "mean of each random pixel",
            fixed: true,
            check: .custom { value, key, check throws(ConfigError) in
                try check.that(value.isFinite, key, "must be finite, found \(ConfigYAMLText.short(value))")
            }),
        .value(
            "bfd.random_std", \.bfd.randomStd, .number, default: 1.0, "number > 0",
            "standard deviation of each random pixel", fixed: true, check: .above(0)),
        .choice(
            "bfd.method", \.bfd.method, default: .gram,
            "structured J Jᵀ and its spectrum, the same with the rank certified by inertia counts, or explicit float64 Jacobian + SVD"),
        .choice(
            "bfd.gram_side", \.bfd.gramSide, default: .auto,
            "Gram product the gram methods form: the smaller one (auto), J̃J̃ᵀ, m × m (rows), or J̃ᵀJ̃, P̃ × P̃, summed over blocks of samples (parameters); same rank, the side used is logged per checkpoint"),
        .choice("bfd.rank_rule", \.bfd.rankRule, default: .gap, "rule for the headline rank"),
        .value(
            "bfd.relative_tolerance", \.bfd.relativeTolerance, .number, default: 1e-10, "number in (0, 1)",
            "tolerance of the relative rule",
            check: .custom { value, key, check throws(ConfigError) in
                try check.that(
                    value > 0 && value < 1, key, "must be in (0, 1), found \(ConfigYAMLText.short(value))",
                    hint: "e.g. 1.0e-10")
            }),
        .value("bfd.spectrum", \.bfd.spectrum, .boolean, default: true, "boolean", "log the singular spectrum", fixed: true),
        .value(
            "bfd.cffd", \.bfd.cffd, .boolean, default: false, "boolean",
            "at each checkpoint, estimate the CFFD from Gaussian batches of doubling size"),
        .value(
            "bfd.cffd_max_rows", \.bfd.cffdMaxRows, .integer, default: 12_000, "integer >= 10",
            "largest n·d the CFFD estimate may use", check: .atLeast(10)),
        .value(
            "bfd.exact", \.bfd.exact, .boolean, default: false, "boolean",
            "also compute the exact BFD: rank modulo random primes, certified when it reaches the structural bound",
            fixed: true),
        .value(
            "bfd.exact_primes", \.bfd.exactPrimes, .integer, default: 2, "integer in 1...16",
            "primes the exact engine tries while a rank is not certified (each lowers the failure bound)", fixed: true,
            check: .within(1...16)),
        .value(
            "bfd.exact_prime_bits", \.bfd.exactPrimeBits, .integer, default: 23, "integer in 20...26",
            "bit length of the exact engine's primes: longer ones sharpen an uncertified rank's failure bound and cost more",
            fixed: true, check: .within(20...26)),
        .choice(
            "bfd.exact_matrix", \.bfd.exactMatrix, default: .auto,
            "matrix the exact engine reduces mod p: K = JJᵀ when m′ ≤ P else J (auto), K (gram_rows), or J (jacobian); logged as exact_matrix",
            fixed: true),

        .value(
            "bfd.kink_tolerance", \.bfd.kinkTolerance, .number, default: 1e-2, "number > 0",
            "1-D inputs: kinks −b/w of first-layer neurons closer than this (in input units) count as one in the alignment statistic distinct_kinks",
            check: .above(0)),

        .section("logging", "outputs"),
        .value(
            "logging.runs_directory", \.logging.runsDirectory, .string, default: "runs", "path",
            "parent of run directories", check: .nonEmpty),
        .value(
            "logging.live", \.logging.live, .boolean, default: false, "boolean",
            "write the log with HDF5 SWMR so h5py can follow the run", fixed: true),
        .value(
            "logging.save_params", \.logging.saveParams, .boolean, default: true, "boolean",
            "store parameters at each checkpoint", fixed: true),
    ]

    /// `threads`: an integer, or `auto` (stored as ``automaticThreads``, so a literal 0 is
    /// rejected rather than read as auto).
    static var threadsType: ConfigValueType<Int> {
        ConfigValueType<Int>(
        expected: "an integer or auto",
        read: { node in
            node.scalar?.string == "auto" ? automaticThreads : ConfigYAMLText.int(node).flatMap { $0 == 0 ? nil : $0 }
        },
        write: { $0 == automaticThreads ? "auto" : String($0) })
    }

    private static func checkName(_ name: String, _ key: String, _ check: RangeCheck) throws(ConfigError) {
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && (("A"..."Z").contains($0) || ("a"..."z").contains($0)
                || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
        try check.that(
            !name.isEmpty && allowed, key,
            "must be one or more of A-Z a-z 0-9 . _ -, found \(ConfigYAMLText.quoted(name))",
            hint: "it names the run directory")
        try check.that(name != "." && name != "..", key, "must not be \(name)", hint: "it names the run directory")
    }

    private static func checkHidden(_ hidden: [Int], _ key: String, _ check: RangeCheck) throws(ConfigError) {
        try check.that(
            !hidden.isEmpty, key, "must list at least one hidden-layer width",
            hint: "a list of hidden-layer widths, e.g. [30, 30, 30]")
        for (position, width) in hidden.enumerated() {
            try check.that(width >= 1, key, "widths must be >= 1, found \(width) at item \(position + 1)")
        }
    }
}
