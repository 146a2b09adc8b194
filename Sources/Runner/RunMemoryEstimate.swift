import Config
import Datasets
import Geometry
import Network

/// The memory a run will need, estimated from its config before anything is loaded or
/// written: the training loop's phases, and each BFD measurement's own peak on top of what
/// training keeps while it measures.
///
/// The model counts the large buffers (every one of O(P), O(n·width) or more) with checked
/// arithmetic, phase by phase, plus ``baselineBytes`` for the process itself; the estimate
/// is meant to be an upper bound within a few tens of percent (EndToEndTests compare it with
/// the peak resident memory of real runs). docs/runner.md lists the formulas.
public struct RunMemoryEstimate: Sendable {
    /// What one measurement needs beyond ``measurementBase``, and the key that sizes it.
    public struct Measurement: Sendable {
        /// What is measured, e.g. "test (n = 100)" or "Gaussian batches (n ≤ 1200)".
        public let source: String
        /// The phases of the measurement.
        public let model: MemoryModel
        /// What to change when it does not fit, e.g. "lower bfd.test_samples".
        public let lever: String
    }

    /// The process before the run allocates anything: the Swift runtime, Foundation, HDF5,
    /// OpenBLAS and its per-thread buffers (measured at 30–60 MiB; rounded up for allocator slack).
    public static let baselineBytes = 80 << 20

    /// The training loop's phases: loading MNIST, the steps, each checkpoint's writes, and
    /// reading a resume state when resuming.
    public let training: MemoryModel
    /// What training keeps while a measurement runs: the resident buffers and the parameters
    /// in float64.
    public let measurementBase: MemoryPhase
    /// One model per BFD input set (numerical and, when asked, exact), then the CFFD's.
    public let measurements: [Measurement]
    /// What to change for each training buffer ("lower model.hidden"), by buffer name.
    public let levers: [String: String]

    public init(training: MemoryModel, measurementBase: MemoryPhase, measurements: [Measurement], levers: [String: String]) {
        self.training = training
        self.measurementBase = measurementBase
        self.measurements = measurements
        self.levers = levers
    }

    /// The measurement with the largest peak, if any.
    public var largestMeasurement: Measurement? {
        measurements.max { $0.model.peakBytes < $1.model.peakBytes }
    }

    /// The training peak, process included.
    public var trainingPeakBytes: Int { Self.baselineBytes &+ training.peakBytes }

    /// The peak while the largest measurement runs, process and training buffers included.
    public var measurementPeakBytes: Int {
        Self.baselineBytes &+ measurementBase.bytes &+ (largestMeasurement?.model.peakBytes ?? 0)
    }

    /// The run's peak: the larger of the two.
    public var peakBytes: Int { max(trainingPeakBytes, measurementPeakBytes) }

    /// The change that shrinks the peak most, e.g. "lower model.hidden": the largest measurement's lever when
    /// the measurement sets the peak and outweighs what training keeps, else the lever of the
    /// largest buffer of the training peak.
    public var lever: String {
        if let largest = largestMeasurement, measurementPeakBytes >= trainingPeakBytes,
           largest.model.peakBytes >= measurementBase.bytes {
            return largest.lever
        }
        let phase = measurementPeakBytes >= trainingPeakBytes ? measurementBase : training.peak
        guard let buffer = phase?.largest else { return "lower model.hidden" }
        return levers[buffer.name] ?? "lower model.hidden"
    }
}

extension RunMemoryEstimate {
    /// The estimate for a training run of `config` (`resuming` adds reading the resume state),
    /// on the BLAS thread count the run will use. Throws ``PreflightError/overflow(key:value:quantity:hint:override:)``
    /// naming the config key whose value makes a size overflow 64-bit integers.
    public init(config: ExperimentConfig, overrides: [String] = [], resuming: Bool = false) throws(PreflightError) {
        let blame = OverflowBlame(config: config, overrides: overrides)
        let hiddenHint = "no machine holds a network this wide; P = Σ n_(l+1)·(n_l + 1) must stay far below 9.2e18, e.g. model.hidden=[30, 30, 30]"
        // An idx data set's image size is known only once it is read; its class count is declared.
        let classCount = config.outputSize
        let layerSizes = [config.inputSize] + config.model.hidden + [classCount]
        guard let parameterCount = MLPArchitecture.checkedParameterCount(layerSizes: layerSizes),
              checkedSum(config.model.hidden) != nil
        else {
            throw blame.overflow("model.hidden", quantity: "the parameter count P", hint: hiddenHint)
        }
        let architecture = MLPArchitecture(
            inputSize: config.inputSize, hiddenWidths: config.model.hidden, outputSize: classCount)
        let scalar = config.training.precision == .float32 ? 4 : 8
        let moments: Int = switch config.optimizer.name {
        case .sgd: config.optimizer.momentum > 0 ? 1 : 0
        case .adam: 2
        case .pathSGD: (config.optimizer.momentum > 0 ? 1 : 0) + 1  // the momentum, and κ (P)
        }
        var levers: [String: String] = [:]

        // Parameter-sized buffers: P·s for the state, P·8 for geometry and the log.
        let parameters: [MemoryBuffer]
        let checkpointDoubles: MemoryBuffer
        let stateSave: [MemoryBuffer]
        let resumeRead: [MemoryBuffer]
        let logWrite: [MemoryBuffer]
        do {
            parameters = [try MemoryBuffer("parameters (P = \(parameterCount))", [parameterCount], elementBytes: scalar),
                          try MemoryBuffer("gradient (P)", [parameterCount], elementBytes: scalar)]
                + (moments > 0 ? [try MemoryBuffer("optimizer moments (\(moments) × P)", [moments, parameterCount], elementBytes: scalar)] : [])
            checkpointDoubles = try MemoryBuffer("parameters in float64 (P)", [parameterCount], elementBytes: 8)
            stateSave = [try MemoryBuffer("resume state: snapshot and file bytes (2 × \(1 + moments) × P)", [2, 1 + moments, parameterCount], elementBytes: scalar)]
            resumeRead = [try MemoryBuffer("resume state: file, sections, values (3 × \(1 + moments) × P)", [3, 1 + moments, parameterCount], elementBytes: scalar)]
            let stored = config.training.precision == .float32 ? 4 : 8
            let largest = architecture.checkedLargestWeightCount ?? Int.max
            logWrite = config.logging.saveParams
                ? [try MemoryBuffer("largest layer to the log (copy, conversion, HDF5 chunk and filter)", [largest], elementBytes: 8 + 3 * stored)]
                : []
        } catch {
            throw blame.overflow("model.hidden", quantity: error.quantity, hint: hiddenHint)
        }
        for buffer in parameters + [checkpointDoubles] + stateSave + resumeRead + logWrite { levers[buffer.name] = "lower model.hidden" }

        // The data, as loaded (MNIST bytes), split (float32) and copied into the engine.
        let trainCount = config.data.resolvedTrainSize + config.data.randomLabelExtras
        let testCount = config.data.resolvedTestSize
        let pool = ExperimentConfig.DataSection.poolCount
        var data: [MemoryBuffer] = []
        let loading: MemoryBuffer
        do {
            loading = try MemoryBuffer("MNIST files while loading (2 × 70,000 images)", [2, pool, MNIST.featureCount + 1], elementBytes: 1)
            data = [
                try MemoryBuffer("MNIST images (70,000 × 785 bytes)", [pool, MNIST.featureCount + 1], elementBytes: 1),
                try MemoryBuffer("training set, float32 (\(trainCount) × 784)", [trainCount, MNIST.featureCount], elementBytes: 4),
                try MemoryBuffer("test set, float32 (\(testCount) × 784)", [testCount, MNIST.featureCount], elementBytes: 4),
                try MemoryBuffer("engine's inputs in \(config.training.precision.rawValue)", [trainCount + testCount, MNIST.featureCount], elementBytes: scalar),
                try MemoryBuffer("labels and indices", [trainCount + testCount], elementBytes: 28),
            ]
        } catch {
            throw blame.overflow("data.train_size", quantity: error.quantity, hint: "at most 70,000 images")
        }
        levers[data[1].name] = "lower data.train_size"
        levers[data[3].name] = "lower data.train_size"
        levers[data[2].name] = "lower data.test_size"

        // The BFD input sets, float64 (plus float32 copies the log stores).
        let sets = Self.bfdSets(config)
        for set in sets {
            let key = Self.samplesKey(set.source)
            var buffers: [MemoryBuffer] = []
            do {
                buffers.append(try MemoryBuffer("BFD \(set.source.rawValue) inputs, float64 (\(set.count) × 784)", [set.count, MNIST.featureCount + 1], elementBytes: 8))
                if set.source == .random || (set.source == .train && config.data.inputNoiseStd > 0) {
                    buffers.append(try MemoryBuffer("BFD \(set.source.rawValue) inputs, float32 for the log", [set.count, MNIST.featureCount], elementBytes: 4))
                }
            } catch {
                throw blame.overflow(key, quantity: error.quantity, hint: "lower \(key)")
            }
            for buffer in buffers { levers[buffer.name] = "lower \(key)" }
            data += buffers
        }

        // The workspaces of the training step and of evaluation.
        let workspaces: [MemoryBuffer]
        do {
            workspaces = try Self.workspace(architecture, capacity: config.training.batchSize, scalar: scalar)
        } catch {
            throw blame.overflow("training.batch_size", quantity: error.quantity, hint: "a batch of a few hundred rows is usual")
        }
        let evaluation: [MemoryBuffer]
        do {
            evaluation = try Self.workspace(architecture, capacity: config.training.evalBatchSize, scalar: scalar)
                .map { buffer throws(SizeOverflow) in
                    try MemoryBuffer("evaluation " + buffer.name, [buffer.count], elementBytes: buffer.elementBytes)
                }
        } catch {
            throw blame.overflow("training.eval_batch_size", quantity: error.quantity, hint: "a few thousand rows is plenty")
        }
        for buffer in workspaces { levers[buffer.name] = "lower training.batch_size" }
        for buffer in evaluation { levers[buffer.name] = "lower training.eval_batch_size" }

        let resident = data + parameters + workspaces + evaluation
        var phases: [MemoryPhase] = []
        do {
            phases.append(try MemoryPhase("loading MNIST", [loading]))
            phases.append(try MemoryPhase("training steps", resident))
            phases.append(try MemoryPhase("checkpoint: resume state", resident + [checkpointDoubles] + stateSave))
            if !logWrite.isEmpty {
                phases.append(try MemoryPhase("checkpoint: parameters to the log", resident + [checkpointDoubles] + logWrite))
            }
            if resuming { phases.append(try MemoryPhase("resume: reading the state", resident + resumeRead)) }
        } catch {
            throw blame.overflow("model.hidden", quantity: error.quantity, hint: hiddenHint)
        }
        let base: MemoryPhase
        do {
            base = try MemoryPhase("training buffers and float64 parameters", resident + [checkpointDoubles])
        } catch {
            throw blame.overflow("model.hidden", quantity: error.quantity, hint: hiddenHint)
        }

        var measurements: [Measurement] = []
        if config.bfd.enabled {
            let threads = config.threads == ExperimentConfig.automaticThreads
                ? architecture.recommendedBLASThreads(batchSize: config.training.batchSize, cpuCount: Provenance.cpuCount)
                : config.threads
            let methodHint = "or measure with another bfd.method"
            for set in sets {
                let key = Self.samplesKey(set.source)
                let encoding: ExactInputEncoding = set.source == .random || (set.source == .train && config.data.inputNoiseStd > 0)
                    ? .binaryFloats : .pixelBytes
                let numerical = try blame.measuring(key, n: set.count, architecture: architecture, hint: "lower \(key), \(methodHint)") {
                    (n: Int) throws(SizeOverflow) -> MemoryModel in
                    try bfdMemory(
                        architecture: architecture, sampleCount: n, method: config.bfd.method,
                        gramSide: config.bfd.gramSide, threads: threads)
                }
                measurements.append(Measurement(
                    source: "\(set.source.rawValue) (n = \(set.count))", model: numerical,
                    lever: "lower \(key) (n = \(set.count)) or model.hidden, or measure with another bfd.method or bfd.gram_side"))
                if config.bfd.exact {
                    let exact = try blame.measuring(key, n: set.count, architecture: architecture, hint: "lower \(key), or set bfd.exact_matrix") {
                        (n: Int) throws(SizeOverflow) -> MemoryModel in
                        try exactBFDMemory(
                            architecture: architecture, sampleCount: n, variants: config.bfd.outputs, encoding: encoding,
                            matrix: config.bfd.exactMatrix)
                    }
                    measurements.append(Measurement(
                        source: "\(set.source.rawValue) (n = \(set.count))", model: exact,
                        lever: "lower \(key) (n = \(set.count)) or model.hidden, or set bfd.exact_matrix or bfd.exact: false"))
                }
            }
            if config.bfd.cffd {
                let cffd = try blame.measuring("bfd.cffd_max_rows", n: config.bfd.cffdMaxRows, architecture: architecture, hint: "lower bfd.cffd_max_rows") {
                    (rows: Int) throws(SizeOverflow) -> MemoryModel in
                    try cffdMemory(architecture: architecture, method: config.bfd.method, maxRows: rows, threads: threads)
                }
                measurements.append(Measurement(
                    source: "Gaussian batches (n ≤ \(cffdLargestBatch(architecture: architecture, maxRows: config.bfd.cffdMaxRows)))", model: cffd, lever: "lower bfd.cffd_max_rows"))
            }
        }
        self.init(
            training: MemoryModel("training (\(architecture.description), \(config.training.precision.rawValue))", phases: phases),
            measurementBase: base, measurements: measurements, levers: levers)
    }

    /// The BFD input sets a config measures on, with their sizes (as ``ExperimentData/prepare(_:)`` forms them).
    static func bfdSets(_ config: ExperimentConfig) -> [(source: ExperimentConfig.BFDInput, count: Int)] {
        guard config.bfd.enabled else { return [] }
        let train = config.data.resolvedTrainSize
        return config.bfd.inputs.map { source in
            switch source {
            case .train: return (source, min(config.bfd.trainSamples ?? train, train))
            case .test: return (source, min(config.bfd.testSamples, config.data.resolvedTestSize))
            case .random: return (source, config.bfd.randomSamples)
            }
        }
    }

    /// The key that sets a BFD input set's size.
    static func samplesKey(_ source: ExperimentConfig.BFDInput) -> String {
        "bfd.\(source.rawValue)_samples"
    }

    /// ``MLPWorkspace/memoryBuffers(_:capacity:)`` in the run's precision.
    static func workspace(_ architecture: MLPArchitecture, capacity: Int, scalar: Int) throws(SizeOverflow) -> [MemoryBuffer] {
        scalar == 4
            ? try MLPWorkspace<Float>.memoryBuffers(architecture, capacity: capacity)
            : try MLPWorkspace<Double>.memoryBuffers(architecture, capacity: capacity)
    }
}

/// Turns a ``SizeOverflow`` into a ``PreflightError`` naming the key, its value and the
/// override that set it.
struct OverflowBlame {
    let config: ExperimentConfig
    let overrides: [String]

    func overflow(_ key: String, quantity: String, hint: String) -> PreflightError {
        let value = config.resolvedValues.first { $0.key == key }?.value ?? "?"
        return .overflow(key: key, value: value, quantity: quantity, hint: hint, override: PreflightError.override(setting: key, in: overrides))
    }

    /// `model(n)`; an overflow is blamed on `key` unless the model overflows already for one
    /// sample, which puts it on the network (`model.hidden`).
    func measuring(
        _ key: String, n: Int, architecture: MLPArchitecture, hint: String,
        _ model: (Int) throws(SizeOverflow) -> MemoryModel
    ) throws(PreflightError) -> MemoryModel {
        do {
            return try model(n)
        } catch {
            if (try? model(1)) == nil {
                throw overflow("model.hidden", quantity: error.quantity, hint: "\(architecture.description) is too wide to measure; lower model.hidden")
            }
            throw overflow(key, quantity: error.quantity, hint: hint)
        }
    }
}
