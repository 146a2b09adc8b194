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

/// What a finished run reports back to the command line.
public struct RunSummary: Sendable {
    public let directory: String
    public let logPath: String
    public let finalTestAccuracy: Double
    public let wallTime: Double
    public let trainingTime: Double
    public let bfdTime: Double
}

/// A complete training run: validated config and data first, then the run directory and log,
/// then training with a measurement at every checkpoint epoch.
public enum TrainingRun {
    /// Runs `config`. Errors in the config or the data are raised before anything is written;
    /// a failure after the log exists marks it `failed` and closes it cleanly.
    ///
    /// - Parameters:
    ///   - say: receives each line meant for stdout (the startup table and summary lines).
    public static func run(
        config: ExperimentConfig, overrides: [String], commandLine: String, say: @escaping (String) -> Void
    ) throws -> RunSummary {
        let resolvedYAML = try config.resolvedYAML()
        let data = try ExperimentData.prepare(config)
        let architecture = MLPArchitecture(
            inputSize: data.train.featureCount, hiddenWidths: config.model.hidden, outputSize: MNIST.classCount)
        let measurement = try CheckpointMeasurement(config: config, architecture: architecture, sets: data.bfdSets)
        BLASRuntime.setThreadCount(config.threads)

        let directory = try RunDirectory.create(runsDirectory: config.logging.runsDirectory, name: config.name)
        try directory.write(resolvedYAML, to: directory.configPath)
        try directory.write(overrides.joined(separator: "\n") + (overrides.isEmpty ? "" : "\n"), to: directory.path + "/overrides.txt")

        let startDate = Date()
        let git = Provenance.gitState()
        var text: [(String, String)] = [
            ("host", Provenance.host), ("cpu_model", Provenance.cpuModel),
            ("blas", BLASRuntime.configuration), ("blas_core", BLASRuntime.coreName),
            ("start_time", Provenance.timestamp(startDate)),
            ("git_commit", git?.commit ?? "unknown"),
            ("data_directory", config.data.directory),
        ]
        for file in MNIST.File.allCases {
            text.append(("mnist_sha256_" + file.rawValue, data.mnist.sha256[file] ?? "unknown"))
        }
        let metadata = RunMetadata(
            geodimVersion: geodimVersion, configYAML: resolvedYAML, overrides: overrides, commandLine: commandLine,
            seed: Int64(bitPattern: config.seed), layerSizes: architecture.layerSizes,
            parameterCount: architecture.parameterCount, hiddenNeurons: architecture.hiddenNeuronCount,
            precision: config.training.precision.rawValue, textAttributes: text,
            integerAttributes: [
                ("cpu_count", Int64(Provenance.cpuCount)), ("blas_threads", Int64(BLASRuntime.threadCount)),
                ("git_dirty", Int64(git.map { $0.dirty ? 1 : 0 } ?? -1)),
            ])
        let bfdIndices: (train: [Int64], test: [Int64]) = (
            data.bfdSets.first { $0.source == .train }?.pooledIndices ?? [],
            data.bfdSets.first { $0.source == .test }?.pooledIndices ?? []
        )
        let inputs = RunInputs(
            trainIndices: data.train.sourceIndices.map(Int64.init), trainLabels: data.train.labels,
            testIndices: data.test.sourceIndices.map(Int64.init), testLabels: data.test.labels,
            bfdTrainIndices: bfdIndices.train, bfdTestIndices: bfdIndices.test,
            randomInputs: data.randomInputs, randomFeatureCount: data.train.featureCount,
            randomMean: config.bfd.randomMean, randomStd: config.bfd.randomStd)
        let series = measurement.series
        let log = try RunLogWriter(
            path: directory.logPath, metadata: metadata, inputs: inputs, series: series,
            neuronSources: data.bfdSets.map { $0.source.rawValue }, saveParameters: config.logging.saveParams,
            storeSpectra: config.bfd.spectrum, parametersAsFloat32: config.training.precision == .float32,
            created: Provenance.timestamp(startDate))

        let textLog = TextLog(path: directory.textLogPath)
        let emit: (String) -> Void = { line in
            say(line)
            textLog.append(line)
        }
        for line in startupTable(config: config, architecture: architecture, data: data, directory: directory) {
            emit(line)
        }
        do {
            let summary: RunSummary
            switch config.training.precision {
            case .float32:
                summary = try train(Float.self, config: config, architecture: architecture, data: data,
                                    measurement: measurement, series: series, log: log, directory: directory,
                                    start: startDate, emit: emit)
            case .float64:
                summary = try train(Double.self, config: config, architecture: architecture, data: data,
                                    measurement: measurement, series: series, log: log, directory: directory,
                                    start: startDate, emit: emit)
            }
            try log.setMeta(
                text: [("end_time", Provenance.timestamp())],
                reals: [("wall_time_s", summary.wallTime), ("training_time_s", summary.trainingTime),
                        ("bfd_time_s", summary.bfdTime)])
            try log.setStatus(.completed)
            try log.close()
            emit(String(format: "done in %.1f s (training %.1f s, BFD %.1f s); log: %@",
                        summary.wallTime, summary.trainingTime, summary.bfdTime, directory.logPath))
            return summary
        } catch {
            let status: RunStatus = if case ExperimentError.diverged = error { .diverged } else { .failed }
            try? log.setMeta(text: [("end_time", Provenance.timestamp()), ("error", String(describing: error))])
            try? log.setStatus(status)
            try? log.close()
            throw error
        }
    }

    private static func train<S: BLASScalar>(
        _: S.Type, config: ExperimentConfig, architecture: MLPArchitecture, data: ExperimentData,
        measurement: CheckpointMeasurement, series: [BFDSeries], log: RunLogWriter, directory: RunDirectory,
        start: Date, emit: (String) -> Void
    ) throws -> RunSummary {
        var initGenerator = SeededGenerator(seed: config.seed, stream: "network.init")
        let scheme = WeightInit(rawValue: config.model.initScheme.rawValue) ?? .glorotUniform
        let parameters: [S] = initialParameters(architecture, scheme: scheme, generator: &initGenerator)
        let engine = TrainingEngine(
            architecture: architecture, parameters: parameters, optimizer: optimizerSettings(config.optimizer),
            learningRate: config.optimizer.lr, train: data.train, test: data.test,
            batchSize: config.training.batchSize, evaluationBatchSize: config.training.evalBatchSize)

        let clock = ContinuousClock()
        let runStart = clock.now
        func elapsed() -> Double { seconds(clock.now - runStart) }
        var trainingTime = 0.0
        var bfdTime = 0.0
        let checkpointEpochs = Set(config.resolvedCheckpointEpochs)
        let epochs = config.training.epochs
        let stepsPerEpoch = (engine.trainCount + config.training.batchSize - 1) / config.training.batchSize
        var step = 0
        var rows = TrainRows()
        let outputs = config.bfd.outputs.map(\.rawValue)
        let progress = ProgressBar(total: epochs, unit: "ep")

        func checkpoint(epoch: Int) throws {
            let evaluationStart = clock.now
            let metrics = engine.evaluate()
            trainingTime += seconds(clock.now - evaluationStart)
            let measureStart = clock.now
            let parameters = engine.parametersAsDouble
            let measured = try measurement.measure(parameters: parameters)
            bfdTime += seconds(clock.now - measureStart)
            let record = CheckpointRecord(
                step: step, epoch: epoch, wallTime: elapsed(), trainLoss: metrics.trainLoss,
                trainAccuracy: metrics.trainAccuracy, testLoss: metrics.testLoss, testAccuracy: metrics.testAccuracy,
                bfd: measured.bfd, neurons: measured.neurons, parameters: config.logging.saveParams ? parameters : [])
            try log.appendTrainRows(
                steps: rows.steps, epochs: rows.epochs, losses: rows.losses, learningRates: rows.learningRates,
                wallTimes: rows.wallTimes)
            rows = TrainRows()
            try log.appendCheckpoint(record)
            progress.clear()
            emit(SummaryLine.format(record: record, totalEpochs: epochs, series: series, outputs: outputs))
        }

        if checkpointEpochs.contains(0) { try checkpoint(epoch: 0) }
        if epochs > 0 {
            for epoch in 1...epochs {
                let epochStart = clock.now
                let order = epochOrder(count: engine.trainCount, epoch: epoch, seed: config.seed)
                for batch in batchRanges(count: engine.trainCount, batchSize: config.training.batchSize) {
                    let loss = engine.step(indices: order[batch])
                    step += 1
                    guard loss.isFinite else {
                        throw ExperimentError.diverged(step: step, epoch: epoch, loss: loss)
                    }
                    if step % config.training.logEvery == 0 {
                        rows.append(step: step, epoch: Double(step) / Double(stepsPerEpoch), loss: loss,
                                    learningRate: engine.learningRate, wallTime: elapsed())
                    }
                }
                trainingTime += seconds(clock.now - epochStart)
                if checkpointEpochs.contains(epoch) { try checkpoint(epoch: epoch) }
                progress.update(epoch)
            }
        }
        progress.clear()
        try log.appendTrainRows(
            steps: rows.steps, epochs: rows.epochs, losses: rows.losses, learningRates: rows.learningRates,
            wallTimes: rows.wallTimes)
        let final = engine.evaluate()
        return RunSummary(
            directory: directory.path, logPath: directory.logPath, finalTestAccuracy: final.testAccuracy,
            wallTime: elapsed(), trainingTime: trainingTime, bfdTime: bfdTime)
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
        }
    }

    private static func startupTable(
        config: ExperimentConfig, architecture: MLPArchitecture, data: ExperimentData, directory: RunDirectory
    ) -> [String] {
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
            ("data", "MNIST \(config.data.splitProtocol.rawValue) protocol: train \(data.train.count), test \(data.test.count) (checksums verified)"),
            ("training", "\(config.training.epochs) epochs, batch \(config.training.batchSize), \(config.training.precision.rawValue), \(optimizerText), \(config.threads) BLAS thread(s)"),
            ("checkpoints", "epochs " + config.resolvedCheckpointEpochs.map(String.init).joined(separator: ", ")),
            ("bfd", bfdText),
            ("run dir", directory.path),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + " : " + $0.1 }
            + ["(a ? after a BFD marks a spectrum with no clear gap: that rank depends on the rule)"]
    }
}

/// Rows of /train waiting to be appended.
struct TrainRows {
    var steps: [Int64] = []
    var epochs: [Double] = []
    var losses: [Double] = []
    var learningRates: [Double] = []
    var wallTimes: [Double] = []

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

    init(path: String) {
        self.path = path
        FileManager.default.createFile(atPath: path, contents: nil)
    }

    func append(_ line: String) {
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try? handle.close()
    }
}

func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
}
