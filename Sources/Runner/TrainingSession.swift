import Config
import Datasets
import Foundation
import Linalg
import Network
import Optimizers
import RunLog
import SeededRandom
import Timing

/// Where training stands: steps done, whole epochs done, batches done in the next epoch.
struct TrainingPosition: Equatable {
    var step: Int
    var completedEpochs: Int
    var batchesIntoEpoch: Int

    /// Whether the checkpoint at the end of epoch `completedEpochs` is still to be measured:
    /// at an epoch boundary, for a checkpoint epoch, when the log holds fewer checkpoint rows
    /// than there are checkpoint epochs up to here. (A run stopped between the last step of an
    /// epoch and its checkpoint measures it first thing on resume.)
    static func checkpointPending(
        epochs: [Int], completedEpochs: Int, batchesIntoEpoch: Int, checkpointRows: Int
    ) -> Bool {
        batchesIntoEpoch == 0 && epochs.contains(completedEpochs)
            && checkpointRows < epochs.filter { $0 <= completedEpochs }.count
    }
}

/// The training loop of one run (fresh or resumed) in precision `S`.
protocol TrainingSessionProtocol {
    func run() throws -> RunSummary
}

/// Steps, checkpoints, resume-state saves and interrupts, in one loop that reads top to bottom:
///
///     measure the pending checkpoint, if any
///     for each epoch left: for each batch left: step; log a row every log_every steps
///                          checkpoint at checkpoint epochs (log rows, measure, save the state)
///     finish: final rows, final state, status completed
///
/// Interrupts are honoured before each step and before each checkpoint: the rows so far are
/// appended, the state saved, the log marked `interrupted` and closed.
final class TrainingSession<S: BLASScalar>: TrainingSessionProtocol {
    private let config: ExperimentConfig
    private let resolvedYAML: String
    private let prepared: Prepared
    private let log: RunLogWriter
    private let directory: RunDirectory
    private let invocation: RunInvocation
    private let emit: (String) -> Void
    private let lock: RunLock
    private let engine: TrainingEngine<S>
    private let batchOrderDump: BatchOrderDump?

    private var position: TrainingPosition
    private var rows = TrainRows()
    private let clock = ContinuousClock()
    private let sessionStart: ContinuousClock.Instant
    private let wallOffset: Double
    private var trainingTime: Double
    private var bfdTime: Double
    private var lastRowFlush: ContinuousClock.Instant
    /// The progress bar of `run()`, told the phases of each checkpoint's measurement.
    private var progress: ProgressBar?

    init(
        config: ExperimentConfig, resolvedYAML: String, prepared: Prepared, log: RunLogWriter,
        directory: RunDirectory, state: ResumeState?, invocation: RunInvocation,
        emit: @escaping (String) -> Void, lock: RunLock
    ) throws {
        self.config = config
        self.resolvedYAML = resolvedYAML
        self.prepared = prepared
        self.log = log
        self.directory = directory
        self.invocation = invocation
        self.emit = emit
        self.lock = lock
        let architecture = prepared.architecture
        var parameters: [S]
        if state == nil {
            var initGenerator = SeededGenerator(seed: config.seed, stream: "network.init")
            parameters = initialParameters(
                architecture, scheme: config.model.initScheme, generator: &initGenerator, kinkRange: config.model.kinkRange)
        } else {
            parameters = [S](repeating: 0, count: architecture.parameterCount)
        }
        engine = TrainingEngine(
            architecture: architecture, parameters: parameters,
            optimizer: TrainingRun.optimizerSettings(config.optimizer),
            train: prepared.data.train, test: prepared.data.test, batchSize: config.training.batchSize,
            evaluationBatchSize: config.training.evalBatchSize, loss: config.training.loss,
            frozenLayers: config.training.freeze)
        if let state {
            try engine.restore(from: state, path: directory.statePath)
            position = TrainingPosition(
                step: state.step, completedEpochs: state.completedEpochs, batchesIntoEpoch: state.batchesIntoEpoch)
        } else {
            position = TrainingPosition(step: 0, completedEpochs: 0, batchesIntoEpoch: 0)
        }
        batchOrderDump = invocation.dumpBatches && state == nil
            ? try BatchOrderDump(path: directory.path + "/batch_order.npy", sampleCount: engine.trainCount) : nil
        wallOffset = state?.wallTime ?? 0
        trainingTime = state?.trainingTime ?? 0
        bfdTime = state?.bfdTime ?? 0
        sessionStart = clock.now
        lastRowFlush = sessionStart
    }

    private func elapsed() -> Double { wallOffset + seconds(clock.now - sessionStart) }

    /// A signal arrived, or the step asked for by `stopAtStep` is reached.
    private var shouldStop: Bool {
        Interrupts.requested || invocation.stopAtStep.map { position.step >= $0 } == true
    }

    func run() throws -> RunSummary {
        // Training's GEMMs run on the run's BLAS threads (the measurement sets its own).
        BLASRuntime.setThreadCount(prepared.blasThreads)
        let epochs = config.training.epochs
        let checkpointEpochs = config.resolvedCheckpointEpochs
        let trainCount = engine.trainCount
        let ranges = batchRanges(count: trainCount, batchSize: config.training.batchSize)
        let stepsPerEpoch = ranges.count
        // η is a function of the step alone: a resumed run picks it up from its step count.
        let schedule = TrainingRun.learningRateSchedule(config, stepsPerEpoch: stepsPerEpoch)
        let progress = ProgressBar(totalEpochs: epochs, stepsPerEpoch: stepsPerEpoch, checkpointEpochs: checkpointEpochs)
        self.progress = progress

        // A fresh run saves its starting point at once, so it can be resumed from step 0.
        if position.step == 0 && log.checkpointRowCount == 0 && log.trainRowCount == 0 { try saveState() }
        if shouldStop { return try stop() }
        if TrainingPosition.checkpointPending(
            epochs: checkpointEpochs, completedEpochs: position.completedEpochs,
            batchesIntoEpoch: position.batchesIntoEpoch, checkpointRows: log.checkpointRowCount) {
            try checkpoint()
        }
        if earlyStopDue() { return try stopEarly(checkpointEpochs: checkpointEpochs) }
        while position.completedEpochs < epochs {
            let epoch = position.completedEpochs + 1
            let order = epochOrder(count: trainCount, epoch: epoch, seed: config.seed)
            try batchOrderDump?.append(epoch: epoch, order: order)
            let epochStart = clock.now
            while position.batchesIntoEpoch < stepsPerEpoch {
                if shouldStop {
                    trainingTime += seconds(clock.now - epochStart)
                    return try stop()
                }
                engine.setLearningRate(schedule.learningRate(stepsTaken: position.step))
                let loss = engine.step(indices: order[ranges[position.batchesIntoEpoch]])
                position.step += 1
                position.batchesIntoEpoch += 1
                progress.training(epochs: position.completedEpochs, batches: position.batchesIntoEpoch, loss: loss)
                guard loss.isFinite else {
                    try? flushRows()
                    throw ExperimentError.diverged(step: position.step, epoch: epoch, loss: loss)
                }
                if position.step % config.training.logEvery == 0 {
                    rows.append(step: position.step, epoch: Double(position.step) / Double(stepsPerEpoch), loss: loss,
                                learningRate: engine.learningRate, wallTime: elapsed())
                    // A live log shows training as it happens: rows go out about once a second.
                    if log.live && clock.now - lastRowFlush >= .seconds(1) { try flushRows() }
                }
            }
            trainingTime += seconds(clock.now - epochStart)
            position.completedEpochs = epoch
            position.batchesIntoEpoch = 0
            if shouldStop { return try stop() }
            if checkpointEpochs.contains(epoch) { try checkpoint() }
            if earlyStopDue() { return try stopEarly(checkpointEpochs: checkpointEpochs) }
        }
        progress.clear()
        return try finish()
    }

    // MARK: - Checkpoints, saves, endings

    /// Evaluates, measures the BFD, appends the rows and the checkpoint to the log, then saves
    /// the resume state (log first: a state never accounts for rows the log lacks).
    private func checkpoint() throws {
        let evaluationStart = clock.now
        let metrics = engine.evaluate()
        trainingTime += seconds(clock.now - evaluationStart)
        let measureStart = clock.now
        let parameters = engine.parametersAsDouble
        let measured = try prepared.measurement.measure(parameters: parameters) { [progress] label, index, count in
            progress?.measuringPhase(label, index: index, count: count)
        }
        let shallow: (regions: RegionEntry?, trained: [TrainedRankEntry]) = config.bfd.enabled
            ? try prepared.shallowMeasurement.measure(parameters: parameters) : (nil, [])
        progress?.endMeasuring()
        progress?.clear()
        bfdTime += seconds(clock.now - measureStart)
        let record = CheckpointRecord(
            step: position.step, epoch: position.completedEpochs, wallTime: elapsed(), trainLoss: metrics.trainLoss,
            trainAccuracy: metrics.trainAccuracy, testLoss: metrics.testLoss, testAccuracy: metrics.testAccuracy,
            bfd: measured.bfd, neurons: measured.neurons, parameters: config.logging.saveParams ? parameters : [],
            cffd: measured.cffd?.entry, regions: shallow.regions, trained: shallow.trained)
        try flushRows()
        try log.appendCheckpoint(record)
        try saveState()
        emit(SummaryLine.format(
            record: record, totalEpochs: config.training.epochs, series: prepared.layout.series,
            outputs: config.bfd.outputs.map(\.rawValue)))
    }

    private func flushRows() throws {
        lastRowFlush = clock.now
        guard !rows.isEmpty else { return }
        try log.appendTrainRows(
            steps: rows.steps, epochs: rows.epochs, losses: rows.losses, learningRates: rows.learningRates,
            wallTimes: rows.wallTimes)
        rows = TrainRows()
    }

    /// Writes the resume state for the current position; every row produced so far must be
    /// in the log already.
    private func saveState() throws {
        precondition(rows.isEmpty, "resume state saved with rows not yet in the log")
        let snapshot = engine.stateSnapshot
        let state = ResumeState(
            scalarBytes: MemoryLayout<S>.size, step: position.step, completedEpochs: position.completedEpochs,
            batchesIntoEpoch: position.batchesIntoEpoch, optimizerStep: snapshot.optimizerStep,
            trainRows: log.trainRowCount, checkpointRows: log.checkpointRowCount, wallTime: elapsed(),
            trainingTime: trainingTime, bfdTime: bfdTime, trainCount: engine.trainCount, seed: config.seed,
            configYAML: resolvedYAML, parameters: snapshot.parameters, firstMoment: snapshot.firstMoment,
            secondMoment: snapshot.secondMoment)
        try state.save(path: directory.statePath)
    }

    private var times: [(String, Double)] {
        [("wall_time_s", elapsed()), ("training_time_s", trainingTime), ("bfd_time_s", bfdTime)]
    }

    /// Interrupted: rows out, state saved, log marked and closed, the resume command printed.
    private func stop() throws -> RunSummary {
        try flushRows()
        try saveState()
        let onRequest = !Interrupts.requested
        let signal = onRequest ? "request (--stop-at-step)" : Interrupts.signalName ?? "a signal"
        let batches = batchRanges(count: engine.trainCount, batchSize: config.training.batchSize).count
        let place = "step \(position.step) (epoch \(position.completedEpochs) done"
            + (position.batchesIntoEpoch > 0 ? " + \(position.batchesIntoEpoch)/\(batches) batches)" : ")")
        try log.setMeta(text: [("end_time", Provenance.timestamp()), ("interrupted_by", signal)], reals: times)
        try log.setStatus(.interrupted)
        try log.close()
        let command = invocation.resumeCommand(directory.path)
        emit((onRequest ? "stopped as asked" : "interrupted by \(signal)")
             + " at \(place); resume state saved, log closed (status interrupted)")
        emit("resume with: \(command)")
        return summary(.interrupted, testAccuracy: .nan, onRequest: onRequest)
    }

    /// Whether `training.stop_at_train_accuracy` ends the run here: at the end of an epoch
    /// (one at least), with the training accuracy at the threshold. The parameters are a
    /// function of the position alone, so a resumed run decides the same.
    private func earlyStopDue() -> Bool {
        guard let threshold = config.training.stopAtTrainAccuracy, position.completedEpochs > 0,
              position.batchesIntoEpoch == 0, position.completedEpochs < config.training.epochs else { return false }
        return engine.trainAccuracy() >= threshold
    }

    /// Ends a run that reached its training accuracy: measures this epoch as the last
    /// checkpoint (unless it is a checkpoint epoch, measured already, or a resumed session
    /// finds it logged), records the epoch in /meta and finishes.
    private func stopEarly(checkpointEpochs: [Int]) throws -> RunSummary {
        let scheduled = checkpointEpochs.filter { $0 <= position.completedEpochs }.count
        if !checkpointEpochs.contains(position.completedEpochs) && log.checkpointRowCount <= scheduled {
            try checkpoint()
        }
        try log.setMeta(integers: [("stopped_early_epoch", Int64(position.completedEpochs))])
        emit(String(format: "stopped early after epoch %d of %d: training accuracy reached training.stop_at_train_accuracy = %g",
                    position.completedEpochs, config.training.epochs, config.training.stopAtTrainAccuracy ?? 1))
        progress?.clear()
        return try finish()
    }

    private func finish() throws -> RunSummary {
        try flushRows()
        let final = engine.evaluate()
        try saveState()
        try log.setMeta(text: [("end_time", Provenance.timestamp())], reals: times)
        try log.setStatus(.completed)
        try log.close()
        let result = summary(.completed, testAccuracy: final.testAccuracy)
        emit(String(format: "done in %.1f s (training %.1f s, BFD %.1f s); log: %@",
                    result.wallTime, result.trainingTime, result.bfdTime, directory.logPath))
        return result
    }

    private func summary(_ status: RunStatus, testAccuracy: Double, onRequest: Bool = false) -> RunSummary {
        RunSummary(
            directory: directory.path, logPath: directory.logPath, status: status, stoppedOnRequest: onRequest,
            resumeCommand: invocation.resumeCommand(directory.path), finalTestAccuracy: testAccuracy,
            wallTime: elapsed(), trainingTime: trainingTime, bfdTime: bfdTime)
    }
}

/// What may change when a run is resumed.
enum ResumeCheck {
    /// Keys that fix the network, its initialisation, the data and its order, or the log's
    /// layout: a resumed run must keep them.
    static var fixedKeys: Set<String> { ExperimentConfig.fixedOnResumeKeys }

    /// The differences between the config a run's state was saved under and the one a resume
    /// would use, as `key (old -> new)`; throws unless there are none or `force` allows them.
    static func changes(
        from previous: ExperimentConfig, to wanted: ExperimentConfig, directory: String, force: Bool
    ) throws -> [String] {
        var keys = wanted.differences(from: previous)
        // Switching momentum on or off changes what the optimizer keeps.
        if (previous.optimizer.momentum == 0) != (wanted.optimizer.momentum == 0), keys.contains("optimizer.momentum") {
            keys = keys.map { $0 == "optimizer.momentum" ? "optimizer.momentum (on/off)" : $0 }
        }
        guard !keys.isEmpty else { return [] }
        let old = Dictionary(previous.resolvedValues.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(wanted.resolvedValues.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        func describe(_ key: String) -> String {
            let plain = key.replacingOccurrences(of: " (on/off)", with: "")
            return "\(plain) (\(old[plain] ?? "unset") -> \(new[plain] ?? "unset"))"
        }
        let fixed = keys.filter { fixedKeys.contains($0) || $0.hasSuffix("(on/off)") }
        if !fixed.isEmpty {
            throw RunnerError.configChanged(directory: directory, differences: fixed.map(describe), forceable: false)
        }
        if !force {
            throw RunnerError.configChanged(directory: directory, differences: keys.map(describe), forceable: true)
        }
        return keys.map(describe)
    }
}
