import Config
import Datasets
import Foundation
import Geometry
import Linalg
import Network
import Optimizers
import RunLog
import SeededRandom

/// The version string written into every log.
public let geodimVersion = "0.1.0"

/// What a run reports back to the command line.
public struct RunSummary: Sendable {
    public let directory: String
    public let logPath: String
    /// `completed` or `interrupted` (failures and divergence are thrown).
    public let status: RunStatus
    /// Whether an `interrupted` run stopped because it was asked to (`stopAtStep`) rather
    /// than by a signal.
    public let stoppedOnRequest: Bool
    /// The command that continues an interrupted run.
    public let resumeCommand: String
    public let finalTestAccuracy: Double
    public let wallTime: Double
    public let trainingTime: Double
    public let bfdTime: Double
}

/// How geodim was invoked, for /meta and for the resume command it prints.
public struct RunInvocation: Sendable {
    /// The full command line, recorded in /meta.
    public var commandLine: String
    /// How to call geodim again, e.g. `.build/release/geodim` (argv[0]).
    public var program: String
    /// Further /meta text attributes (a sweep point's index and values).
    public var metadata: [(String, String)]
    /// Stop, as an interrupt would but on purpose, once this many steps (since the start of
    /// the run) are done: a resumable pause for time-sliced jobs, and a deterministic stop for
    /// tests of resume.
    public var stopAtStep: Int?
    /// Write the order of every epoch to `<run dir>/batch_order.npy` (``BatchOrderDump``), for
    /// checking the trainer against an independent one. Fresh runs only: a resumed session
    /// ignores it.
    public var dumpBatches = false
    /// Start even when the estimated peak memory exceeds the machine's (``MemoryPreflight``):
    /// the refusal becomes a warning.
    public var ignoreMemoryCheck = false

    public init(commandLine: String, program: String, metadata: [(String, String)] = [], stopAtStep: Int? = nil) {
        self.commandLine = commandLine
        self.program = program
        self.metadata = metadata
        self.stopAtStep = stopAtStep
    }

    /// The command that resumes the run in `directory`.
    public func resumeCommand(_ directory: String) -> String {
        shellQuoted(program) + " resume " + shellQuoted(directory)
    }
}

/// A complete training run: validated config and data first, then the run directory and log,
/// then training with a measurement at every checkpoint epoch; or the continuation of one
/// (``resume(directory:overrides:force:invocation:say:)``).
public enum TrainingRun {
    /// Runs `config` in a new run directory: `runDirectory` exactly (which must not exist, or,
    /// with `reuseUnstarted`, may hold what a run killed before its first save left: no
    /// resume state, at most an empty log),
    /// or `<logging.runs_directory>/<name>/<UTC timestamp>`.
    ///
    /// Errors in the config or the data are raised before anything is written, and so is a
    /// ``PreflightError``: a size that overflows, a log chunk HDF5 cannot store, or an estimated
    /// peak memory above the machine's (``MemoryPreflight``); a failure after
    /// the log exists marks it `failed` (or `diverged`) and closes it cleanly. SIGINT/SIGTERM/SIGHUP
    /// stop the run after the current step with status `interrupted` (the summary's status).
    ///
    /// - Parameters:
    ///   - say: receives each line meant for stdout (the startup table and summary lines).
    public static func run(
        config: ExperimentConfig, overrides: [String], invocation: RunInvocation, runDirectory: String? = nil,
        reuseUnstarted: Bool = false, say: @escaping (String) -> Void
    ) throws -> RunSummary {
        Interrupts.install()
        let memory = try MemoryPreflight.check(
            config: config, overrides: overrides, ignore: invocation.ignoreMemoryCheck, resuming: false)
        let resolvedYAML = try config.resolvedYAML()
        let prepared = try Prepared(config)
        if Interrupts.requested { throw RunnerError.interruptedBeforeStart }

        let directory: RunDirectory
        let lock: RunLock
        var madeDirectory = true
        if let runDirectory, reuseUnstarted {
            // A sweep point: its directory may be new, left by a run killed before its first
            // save (at most a log without rows), or being started by another process at this
            // very moment. So: make it if missing, take its lock, and only then look inside,
            // so that nothing another process has started is touched.
            directory = RunDirectory(path: runDirectory)
            madeDirectory = !FileManager.default.fileExists(atPath: runDirectory)
            try RunDirectory.makeDirectories(runDirectory)
            lock = try RunLock(directory: directory.path)
            if FileManager.default.fileExists(atPath: directory.statePath) {
                throw RunnerError.runDirectoryBusy(path: runDirectory)  // another process got there first
            }
            if FileManager.default.fileExists(atPath: directory.logPath) {
                let header = try RunLogHeader.read(path: directory.logPath)
                guard header.checkpointRows == 0 && header.trainRows == 0 else {
                    throw RunnerError.notARunDirectory(
                        path: runDirectory, reason: "its log has rows but there is no resume.state; move it away to run this point again")
                }
                unlink(directory.logPath)
            }
        } else {
            if let runDirectory {
                directory = try RunDirectory.create(exactPath: runDirectory)
            } else {
                directory = try RunDirectory.create(runsDirectory: config.logging.runsDirectory, name: config.name)
            }
            lock = try RunLock(directory: directory.path)
        }
        let unstarted = UnstartedRun(directory: directory, madeDirectory: madeDirectory)
        let log: RunLogWriter
        do {
            try directory.write(resolvedYAML, to: directory.configPath)
            try directory.write(overrides.joined(separator: "\n") + (overrides.isEmpty ? "" : "\n"), to: directory.path + "/overrides.txt")
            log = try createLog(config: config, overrides: overrides, invocation: invocation, prepared: prepared, directory: directory, resolvedYAML: resolvedYAML)
        } catch {
            throw unstarted.abandon(after: error)
        }

        let textLog = TextLog(path: directory.textLogPath, appending: false)
        let emit: (String) -> Void = { line in
            say(line)
            textLog.append(line)
        }
        for line in startupTable(config: config, prepared: prepared, directory: directory, memory: memory) { emit(line) }
        return try withLogClosedOnFailure(
            log, directory: directory, unstarted: unstarted, resumeCommand: invocation.resumeCommand(directory.path), emit: emit
        ) {
            try prepared.session(
                config: config, resolvedYAML: resolvedYAML, log: log, directory: directory, state: nil,
                invocation: invocation, emit: emit, lock: lock
            ).run()
        }
    }

    /// Creates the log of a fresh run in `directory`: its metadata, inputs and layout.
    private static func createLog(
        config: ExperimentConfig, overrides: [String], invocation: RunInvocation, prepared: Prepared,
        directory: RunDirectory, resolvedYAML: String
    ) throws -> RunLogWriter {
        let startDate = Date()
        let provenance = Provenance.runText(config: config, data: prepared.data, blasThreads: prepared.blasThreads, start: startDate)
        let metadata = RunMetadata(
            geodimVersion: geodimVersion, configYAML: resolvedYAML, overrides: overrides,
            commandLine: invocation.commandLine, seed: Int64(bitPattern: config.seed),
            layerSizes: prepared.architecture.layerSizes, parameterCount: prepared.architecture.parameterCount,
            hiddenNeurons: prepared.architecture.hiddenNeuronCount, precision: config.training.precision.rawValue,
            textAttributes: provenance.text + invocation.metadata, integerAttributes: provenance.integers)
        let data = prepared.data
        let bfdIndices: (train: [Int64], test: [Int64]) = (
            data.bfdSets.first { $0.source == .train }?.pooledIndices ?? [],
            data.bfdSets.first { $0.source == .test }?.pooledIndices ?? []
        )
        let inputs = RunInputs(
            trainIndices: data.train.sourceIndices.map(Int64.init), trainLabels: data.train.labels,
            testIndices: data.test.sourceIndices.map(Int64.init), testLabels: data.test.labels,
            bfdTrainIndices: bfdIndices.train, bfdTestIndices: bfdIndices.test,
            randomInputs: data.randomInputs, randomFeatureCount: data.train.featureCount,
            randomMean: config.bfd.randomMean, randomStd: config.bfd.randomStd,
            bfdTrainInputs: data.storedTrainInputs, inputNoiseStd: config.data.inputNoiseStd,
            synthetic: syntheticData(config: config, data: data))
        return try RunLogWriter(
            path: directory.logPath, metadata: metadata, inputs: inputs, layout: prepared.layout,
            created: Provenance.timestamp(startDate), live: config.logging.live)
    }

    /// `/data/synthetic` of a synthetic run (nil for image data).
    private static func syntheticData(config: ExperimentConfig, data: ExperimentData) -> SyntheticData? {
        guard data.synthetic != nil else { return nil }
        let syn = config.synthetic
        func list(_ values: [Double]) -> String { "[" + values.map { String($0) }.joined(separator: ", ") + "]" }
        var attributes: [(String, String)] = [("target", syn.target.rawValue), ("inputs", syn.inputs.rawValue)]
        switch syn.target {
        case .piecewiseLinear: attributes += [("knots_x", list(syn.knotsX)), ("knots_y", list(syn.knotsY))]
        case .sine:
            attributes += [("amplitude", String(syn.amplitude)), ("frequency", String(syn.frequency)), ("phase", String(syn.phase))]
        case .polynomial: attributes.append(("coefficients", list(syn.coefficients)))
        }
        return SyntheticData(
            trainX: data.train.inputs, trainY: data.train.targets, testX: data.test.inputs, testY: data.test.targets,
            inputDimension: syn.inputDimension, attributes: attributes,
            numbers: [("low", syn.low), ("high", syn.high), ("noise_std", syn.noiseStd)])
    }

    /// Continues the run in `directory` from its resume state, bit-exactly.
    ///
    /// The config is the run directory's `config.yaml` with `overrides` applied. If it differs
    /// from the config the state was saved under, the resume is refused with the keys that
    /// differ, unless `force` is set; keys that fix the network, the data or the log layout
    /// can never change. The log is cut back to the rows the state accounts for (so rows
    /// written after the last save, e.g. before a `kill -9`, are written again, once).
    public static func resume(
        directory path: String, overrides: [String], force: Bool, invocation: RunInvocation,
        say: @escaping (String) -> Void
    ) throws -> RunSummary {
        Interrupts.install()
        let directory = RunDirectory(path: path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RunnerError.notARunDirectory(path: directory.path, reason: "no such directory")
        }
        guard FileManager.default.fileExists(atPath: directory.logPath) else {
            throw RunnerError.notARunDirectory(path: directory.path, reason: "it has no log.h5")
        }
        // The lock first (another process training here is named plainly), then the header:
        // what is read under the lock cannot change before this process is done with it.
        let lock = try RunLock(directory: directory.path)
        let header = try RunLogHeader.read(path: directory.logPath)
        guard FileManager.default.fileExists(atPath: directory.statePath) else {
            throw RunnerError.notARunDirectory(
                path: directory.path, reason: "it has no resume.state (the run was stopped before its first save)")
        }
        let state = try ResumeState.load(path: directory.statePath)
        let previous = try ExperimentConfig.parse(yaml: state.configYAML, source: directory.statePath)
        let config = try ExperimentConfig.load(path: directory.configPath, overrides: overrides)
        let changes = try ResumeCheck.changes(from: previous, to: config, directory: directory.path, force: force)
        guard config.training.epochs >= state.completedEpochs else {
            throw ConfigError(
                kind: .invalidValue, source: directory.configPath, key: "training.epochs",
                problem: "must be >= the \(state.completedEpochs) epochs already trained, found \(config.training.epochs)")
        }
        let finished = state.completedEpochs == config.training.epochs
            && !TrainingPosition.checkpointPending(
                epochs: config.resolvedCheckpointEpochs, completedEpochs: state.completedEpochs,
                batchesIntoEpoch: state.batchesIntoEpoch, checkpointRows: state.checkpointRows)
        if header.status == RunStatus.diverged.rawValue && changes.isEmpty {
            throw RunnerError.diverged(directory: directory.path)
        }
        // A completed run resumed unchanged has nothing left, whether it trained every epoch
        // or stopped early at training.stop_at_train_accuracy.
        if header.status == RunStatus.completed.rawValue && (finished || changes.isEmpty) {
            throw RunnerError.nothingToResume(
                directory: directory.path, epochs: config.training.epochs, completedEpochs: state.completedEpochs)
        }

        let memory = try MemoryPreflight.check(
            config: config, overrides: overrides, ignore: invocation.ignoreMemoryCheck, resuming: true)
        let resolvedYAML = try config.resolvedYAML()
        let prepared = try Prepared(config)
        guard state.trainCount == prepared.data.train.count, state.seed == config.seed else {
            throw RunnerError.badResumeState(
                path: directory.statePath,
                reason: "it was saved for \(state.trainCount) training images and seed \(state.seed), "
                    + "the config gives \(prepared.data.train.count) and \(config.seed)")
        }
        if Interrupts.requested { throw RunnerError.interruptedBeforeStart }
        var note = Provenance.timestamp() + " | from step \(state.step) | " + invocation.commandLine
        if !changes.isEmpty { note += " | changed " + changes.joined(separator: ", ") }
        let log: RunLogWriter
        do {
            log = try RunLogWriter.reopen(
                path: directory.logPath, layout: prepared.layout, trainRows: state.trainRows,
                checkpointRows: state.checkpointRows, live: config.logging.live, note: note)
        } catch {
            throw NoSpaceError.from(
                error, directory: directory.path,
                hint: "the log was not changed; free some space there, then run the same command again") ?? error
        }

        let textLog = TextLog(path: directory.textLogPath, appending: true)
        let emit: (String) -> Void = { line in
            say(line)
            textLog.append(line)
        }
        for line in startupTable(config: config, prepared: prepared, directory: directory, memory: memory) { emit(line) }
        let batches = batchRanges(count: state.trainCount, batchSize: config.training.batchSize).count
        emit("resuming at step \(state.step): epoch \(state.completedEpochs) done"
             + (state.batchesIntoEpoch > 0 ? " + \(state.batchesIntoEpoch)/\(batches) batches" : "")
             + ", \(state.checkpointRows) checkpoint(s) logged"
             + (changes.isEmpty ? "" : "; changed (--force): " + changes.joined(separator: ", ")))
        return try withLogClosedOnFailure(
            log, directory: directory, unstarted: nil, resumeCommand: invocation.resumeCommand(directory.path), emit: emit
        ) {
            if !changes.isEmpty { try directory.write(resolvedYAML, to: directory.configPath) }
            return try prepared.session(
                config: config, resolvedYAML: resolvedYAML, log: log, directory: directory, state: state,
                invocation: invocation, emit: emit, lock: lock
            ).run()
        }
    }

    /// Runs `body`; if it throws, records the error in the log, marks it `diverged` or
    /// `failed`, closes it, and rethrows.
    ///
    /// A full disk becomes one ``NoSpaceError`` line whose hint is `resumeCommand`. The status
    /// printed is the one the log holds: when there was no room even to record the failure,
    /// the log keeps `running` (and its rows up to the last commit), and the line says so. A
    /// fresh run (`unstarted`) stopped by a full disk before its first resume state was saved
    /// has trained nothing: what it created is removed instead (``UnstartedRun``).
    private static func withLogClosedOnFailure(
        _ log: RunLogWriter, directory: RunDirectory, unstarted: UnstartedRun?, resumeCommand: String,
        emit: (String) -> Void, _ body: () throws -> RunSummary
    ) throws -> RunSummary {
        do {
            return try body()
        } catch {
            if let unstarted, !FileManager.default.fileExists(atPath: directory.statePath),
               NoSpaceError.from(error, directory: directory.path, hint: "") != nil {
                try? log.close()
                let abandoned = unstarted.abandon(after: error)
                emit("stopped: \(abandoned)")
                throw abandoned
            }
            let error = NoSpaceError.from(
                error, directory: directory.path,
                hint: "free some space there (or move the run directory to a disk with room), then continue the run with: \(resumeCommand)")
                ?? error
            let status: RunStatus = if case ExperimentError.diverged = error { .diverged } else { .failed }
            var recorded = true
            do {
                try log.setMeta(text: [("end_time", Provenance.timestamp()), ("error", String(describing: error))])
                try log.setStatus(status)
            } catch {
                recorded = false
            }
            try? log.close()
            if recorded {
                emit("stopped: \(error); log: \(log.path) (status \(status.rawValue))")
            } else {
                let found = (try? RunLogHeader.read(path: log.path).status).map { "status \($0)" } ?? "unreadable"
                emit("stopped: \(error); log: \(log.path) (\(found): there was no room to record the failure in it)")
            }
            throw error
        }
    }

    static func optimizerSettings(_ section: ExperimentConfig.OptimizerSection) -> OptimizerSettings {
        switch section.name {
        case .sgd:
            return .sgd(learningRate: section.lr, momentum: section.momentum, nesterov: section.nesterov,
                        weightDecay: section.weightDecay)
        case .adam:
            return .adam(learningRate: section.lr, beta1: section.beta1, beta2: section.beta2,
                         epsilon: section.epsilon, weightDecay: section.weightDecay,
                         decoupled: section.decoupledWeightDecay)
        case .pathSGD:
            return .pathSGD(learningRate: section.lr, momentum: section.momentum, nesterov: section.nesterov,
                            epsilon: section.pathEpsilon)
        }
    }

    /// The learning-rate schedule of `config`, for epochs of `stepsPerEpoch` steps: the step
    /// schedule decays every `decay_epochs` epochs, the cosine spans all `training.epochs`.
    static func learningRateSchedule(_ config: ExperimentConfig, stepsPerEpoch: Int) -> LearningRateSchedule {
        let section = config.optimizer
        let decay: LearningRateSchedule.Decay = switch section.schedule {
        case .constant: .constant
        case .step: .step(every: max(1, section.decayEpochs * stepsPerEpoch), factor: section.decayFactor)
        case .cosine: .cosine(totalSteps: config.training.epochs * stepsPerEpoch, minimum: section.lrMin)
        }
        return LearningRateSchedule(base: section.lr, decay: decay, warmupSteps: section.warmupSteps)
    }

    private static func startupTable(
        config: ExperimentConfig, prepared: Prepared, directory: RunDirectory, memory: String
    ) -> [String] {
        let data = prepared.data, architecture = prepared.architecture
        let optimizer = config.optimizer
        var optimizerText = "\(optimizer.name.rawValue) lr \(optimizer.lr)"
        if optimizer.momentum > 0 { optimizerText += " momentum \(optimizer.momentum)\(optimizer.nesterov ? " nesterov" : "")" }
        if optimizer.weightDecay > 0 { optimizerText += " weight decay \(optimizer.weightDecay)" }
        let bfdText = config.bfd.enabled
            ? data.bfdSets.map { "\($0.source.rawValue) \($0.count)" }.joined(separator: ", ")
                + " | outputs " + config.bfd.outputs.map(\.rawValue).joined(separator: ", ")
                + " | \(config.bfd.method.rawValue), rule \(config.bfd.rankRule.rawValue)"
            : "off"
        let rows: [(String, String)] = [
            ("run", config.name + "  (seed \(config.seed))"),
            ("network", "\(architecture.description)  P = \(architecture.parameterCount), P - hidden = \(architecture.parameterCount - architecture.hiddenNeuronCount), init \(config.model.initScheme.rawValue)"),
            ("data", data.synthetic == nil
                ? "MNIST \(config.data.splitProtocol.rawValue) protocol: train \(data.train.count), test \(data.test.count) (checksums verified)"
                : "synthetic \(config.synthetic.target.rawValue), d = \(config.synthetic.inputDimension), noise std \(config.synthetic.noiseStd): train \(data.train.count) (\(config.synthetic.inputs.rawValue)), test \(data.test.count)"),
            ("loss", config.training.loss.rawValue + (config.training.freeze.isEmpty ? "" : ", frozen layers " + config.training.freeze.map(String.init).joined(separator: ", "))),
            ("training", "\(config.training.epochs) epochs, batch \(config.training.batchSize), \(config.training.precision.rawValue), \(optimizerText), \(config.threads == ExperimentConfig.automaticThreads ? "auto → " : "")\(prepared.blasThreads) BLAS thread(s)"),
            ("checkpoints", "epochs " + config.resolvedCheckpointEpochs.map(String.init).joined(separator: ", ")),
            ("bfd", bfdText),
            ("memory", memory),
            ("run dir", directory.path + (config.logging.live ? "  (live log: h5py can follow it with swmr=True)" : "")),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + " : " + $0.1 }
            + ["(a ? after a BFD marks a spectrum with no clear gap: that rank depends on the rule)"]
    }
}

/// What a run needs before its directory exists: data, network shape, BFD measurement, log layout.
struct Prepared {
    let data: ExperimentData
    let architecture: MLPArchitecture
    let measurement: CheckpointMeasurement
    /// Regions, kinks and the trained-parameter rank.
    let shallowMeasurement: ShallowMeasurement
    let layout: RunLogLayout
    /// The BLAS threads training and measurement run on: `threads`, or for `auto` the count
    /// that measured fastest for this network (``MLPArchitecture/recommendedBLASThreads(batchSize:cpuCount:)``).
    let blasThreads: Int

    init(_ config: ExperimentConfig) throws {
        data = try ExperimentData.prepare(config)
        architecture = MLPArchitecture(
            inputSize: data.train.featureCount, hiddenWidths: config.model.hidden, outputSize: data.outputSize)
        blasThreads = config.threads == ExperimentConfig.automaticThreads
            ? architecture.recommendedBLASThreads(batchSize: config.training.batchSize, cpuCount: Provenance.cpuCount)
            : config.threads
        measurement = CheckpointMeasurement(
            config: config, architecture: architecture, sets: data.bfdSets, threads: blasThreads)
        shallowMeasurement = ShallowMeasurement(config: config, architecture: architecture, data: data, threads: blasThreads)
        layout = RunLogLayout(
            series: measurement.series, neuronSources: data.bfdSets.map { $0.source.rawValue },
            layerSizes: architecture.layerSizes, saveParameters: config.logging.saveParams,
            storeSpectra: config.bfd.spectrum && config.bfd.method != .gramInertia,
            parametersAsFloat32: config.training.precision == .float32, storeCFFD: config.bfd.cffd,
            shallow: config.bfd.enabled ? shallowMeasurement.layout : nil)
    }

    func session(
        config: ExperimentConfig, resolvedYAML: String, log: RunLogWriter, directory: RunDirectory,
        state: ResumeState?, invocation: RunInvocation, emit: @escaping (String) -> Void, lock: RunLock
    ) throws -> any TrainingSessionProtocol {
        switch config.training.precision {
        case .float32:
            return try TrainingSession<Float>(
                config: config, resolvedYAML: resolvedYAML, prepared: self, log: log, directory: directory,
                state: state, invocation: invocation, emit: emit, lock: lock)
        case .float64:
            return try TrainingSession<Double>(
                config: config, resolvedYAML: resolvedYAML, prepared: self, log: log, directory: directory,
                state: state, invocation: invocation, emit: emit, lock: lock)
        }
    }
}

/// Rows of /train waiting to be appended.
struct TrainRows {
    var steps: [Int64] = []
    var epochs: [Double] = []
    var losses: [Double] = []
    var learningRates: [Double] = []
    var wallTimes: [Double] = []

    var isEmpty: Bool { steps.isEmpty }

    mutating func append(step: Int, epoch: Double, loss: Double, learningRate: Double, wallTime: Double) {
        steps.append(Int64(step))
        epochs.append(epoch)
        losses.append(loss)
        learningRates.append(learningRate)
        wallTimes.append(wallTime)
    }
}

/// Appends lines to the run's plain-text log.
final class TextLog {
    private let path: String

    init(path: String, appending: Bool) {
        self.path = path
        if !appending || !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
    }

    /// Appends `line`; a failure (a full disk) loses the line here only: it was printed, and
    /// the log and the resume state say how the run stands.
    func append(_ line: String) {
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((line + "\n").utf8))
        try? handle.close()
    }
}

