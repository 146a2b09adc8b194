import Datasets
import Linalg
import Network
import Optimizers
import SeededRandom
import Timing

/// One training workload of `geodim bench train`: a network, a training-set size and a batch.
public struct TrainingSetting: Sendable {
    /// "a", "b", "c": the key on the command line and in the tables.
    public let key: String
    public let architecture: MLPArchitecture
    /// Training images per epoch.
    public let trainCount: Int
    public let batchSize: Int
    /// How the training images are drawn (a description for the tables).
    public let dataDescription: String

    /// (a) the paper's 784-30-30-30-10 on 600 images (the paper's split), batch 256.
    public static let paper = TrainingSetting(
        key: "a", hidden: [30, 30, 30], trainCount: 600, description: "600 (paper split)")
    /// (b) 784-256-256-10 on the 60,000 training images, batch 256.
    public static let wide = TrainingSetting(
        key: "b", hidden: [256, 256], trainCount: MNIST.canonicalTrainCount, description: "60,000 (train file)")
    /// (c) 784-1024-1024-10 on the 60,000 training images, batch 256.
    public static let wider = TrainingSetting(
        key: "c", hidden: [1024, 1024], trainCount: MNIST.canonicalTrainCount, description: "60,000 (train file)")
    /// (a), (b), (c).
    public static let all = [paper, wide, wider]
    /// The optimizer every setting trains with: the paper's plain SGD, learning rate 0.1,
    /// which `trainingStep` fuses into the backward GEMMs.
    public static let optimizer = OptimizerSettings.sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0)
    /// The optimizer of the Path-SGD rows: Path-SGD (p = 2) with the same learning rate, no
    /// momentum. Not fused: the backward pass writes the whole gradient, then the update
    /// computes κ (two O(P) passes over the squared weights) and divides by it.
    public static let pathSGD = OptimizerSettings.pathSGD(learningRate: 0.1, momentum: 0, nesterov: false, epsilon: 1e-12)

    init(key: String, hidden: [Int], trainCount: Int, description: String) {
        self.key = key
        architecture = MLPArchitecture(inputSize: MNIST.featureCount, hiddenWidths: hidden, outputSize: MNIST.classCount)
        self.trainCount = trainCount
        batchSize = 256
        dataDescription = description
    }

    /// The row counts of one epoch's batches, in order (the last one shorter when the batch
    /// does not divide the training set).
    public var batchRows: [Int] { batchRanges(count: trainCount, batchSize: batchSize).map(\.count) }

    /// Floating-point operations of one epoch's GEMMs.
    public var flopsPerEpoch: Int { batchRows.reduce(0) { $0 + trainingStepFLOPs(architecture, n: $1) } }
}

/// The GEMMs of one float32 training step on n rows with ``TrainingSetting/optimizer``,
/// each named for the tables: the list `trainingStep` executes (`OptimizerSettings.stepGEMMs`),
/// so forward layer by layer (β = 1, onto the bias), then from the last layer down
/// dinp = dout·W above the first layer (β = 0) and the fused weight update
/// W ← W − η·doutᵀ·inp (β = 1, onto the weights).
public func trainingStepGEMMs(_ architecture: MLPArchitecture, n: Int) -> [(role: String, shape: GEMMShape)] {
    TrainingSetting.optimizer.stepGEMMs(architecture, rows: n, as: Float.self).map { step in
        let gemm = step.gemm
        let role = switch gemm.role {
        case .forward: "forward \(step.layer)"
        case .inputGradient: "dX \(step.layer)"
        case .weightGradient: gemm.scalars == .overwrite ? "dW \(step.layer)" : "W \(step.layer) −= η·dW"
        }
        return (role, GEMMShape(gemm.transA, gemm.transB, m: gemm.m, n: gemm.n, k: gemm.k, beta: gemm.scalars.beta))
    }
}

/// Floating-point operations of one training step's GEMMs on n rows, counted exactly from
/// the step's list: per layer n_in → n_out, 2·n·n_in·n_out forward, as much for dW, and as
/// much again for dX on every layer but the first.
public func trainingStepFLOPs(_ architecture: MLPArchitecture, n: Int) -> Int {
    TrainingSetting.optimizer.stepGEMMs(architecture, rows: n, as: Float.self).flops
}

/// Float32 training inputs (count, 784) and labels for a benchmark.
public struct BenchData: Sendable {
    public let inputs: [Float]
    public let labels: [Int32]
    /// Where the data came from, for the tables.
    public let source: String
    public var count: Int { labels.count }

    /// The setting's training images from the MNIST files in `directory`: the paper's split
    /// (seed 0) for 600 images, the whole train file for 60,000.
    public static func mnist(_ mnist: MNIST, setting: TrainingSetting) throws -> BenchData {
        let split = setting.trainCount == MNIST.canonicalTrainCount
            ? try mnist.standardSplit(trainSize: nil, testSize: 0, seed: 0)
            : try mnist.paperSplit(trainSize: setting.trainCount, testSize: 0, seed: 0)
        return BenchData(inputs: split.train.inputs, labels: split.train.labels, source: "MNIST")
    }

    /// Uniform [0, 1) pixels and uniform labels of the setting's size, from `seed`.
    public static func synthetic(setting: TrainingSetting, seed: UInt64 = 0) -> BenchData {
        var generator = SeededGenerator(seed: seed, stream: "bench.synthetic")
        let inputs = (0..<(setting.trainCount * MNIST.featureCount)).map { _ in Float(generator.nextUnitDouble()) }
        let labels = (0..<setting.trainCount).map { _ in Int32(generator.nextUnitDouble() * Double(MNIST.classCount)) }
        return BenchData(inputs: inputs, labels: labels, source: "synthetic")
    }
}

/// What `measureTraining` found for one setting at one thread count. Times are per epoch.
///
/// The machine is shared, so each figure is built from the fastest step of each batch size:
/// every step on n rows does the same work whatever rows it holds (the GEMM shapes are
/// fixed), so Σ over an epoch's batches of the fastest timing of a step of that size is the
/// epoch's time with the other tenants' interruptions filtered out, at the granularity of
/// one step. The fastest whole epoch is kept too, for comparison.
public struct TrainingMeasurement: Sendable {
    public let setting: TrainingSetting
    /// The optimizer trained with: ``TrainingSetting/optimizer`` or ``TrainingSetting/pathSGD``.
    public let optimizer: OptimizerSettings
    public let threads: Int
    /// Where the training images came from: "MNIST" or "synthetic".
    public let dataSource: String
    /// Σ over the epoch's batches of the fastest training step of that batch's size (gather,
    /// forward, loss, backward, update), as `geodim train` runs it.
    public let epochSeconds: Double
    /// The fastest whole epoch, shuffle included (what a stopwatch shows on a shared machine).
    public let wallEpochSeconds: Double
    /// Σ over the batches of the fastest replay of a step's GEMMs alone
    /// (`MLPWorkspace.replayGEMMs`) for that batch's size.
    public let replaySeconds: Double
    /// Σ over the batches of the fastest gather of that batch's size.
    public let gatherSeconds: Double
    /// Mean mini-batch loss of the last epoch trained (a check that training happened).
    public let lastEpochLoss: Double
    /// Epochs trained in all (warm-up, timed and instrumented passes).
    public let epochsTrained: Int
    /// Timed training steps of the full batch size.
    public let fullBatchSamples: Int

    public var flopsPerEpoch: Int { setting.flopsPerEpoch }
    /// "sgd" or "path_sgd", for the tables.
    public var optimizerName: String {
        switch optimizer {
        case .sgd: "sgd"
        case .adam: "adam"
        case .pathSGD: "path_sgd"
        }
    }
    /// Mean time of one step over an epoch's batches.
    public var stepSeconds: Double { epochSeconds / Double(setting.batchRows.count) }
    public var samplesPerSecond: Double { Double(setting.trainCount) / epochSeconds }
    public var gflops: Double { Double(flopsPerEpoch) / epochSeconds / 1e9 }
    public var wallGFLOPS: Double { Double(flopsPerEpoch) / wallEpochSeconds / 1e9 }
    public var replayGFLOPS: Double { Double(flopsPerEpoch) / replaySeconds / 1e9 }
    /// 1 − replay / step: the share of step time spent outside the GEMM calls. Slightly
    /// negative when that share is below the timing noise (the replay's best came out slower
    /// than the step's).
    public var outsideGEMMShare: Double { 1 - replaySeconds / epochSeconds }
    public var gatherShare: Double { gatherSeconds / epochSeconds }
}

/// Trains `setting`'s network (Glorot-uniform init from `seed`, float32, with `optimizer`: by
/// default the paper's plain SGD with learning rate 0.1) on `data` with the current BLAS
/// thread count, exactly as `geodim train` does (`trainingStep` on `epochOrder` batches), and
/// times it.
///
/// After `warmupEpochs`, each of `repetitions` rounds runs `epochsPerRepetition` plain
/// epochs, each timed whole and step by step; as many epochs in which every step (timed) is
/// followed by the replay of its GEMMs alone (timed), so that a step and its replay are
/// sampled milliseconds apart, under the same load; and as many passes of gathers alone
/// (timed, from fresh orders). Between rounds `between` runs (the caller measures the peak
/// there, on the same stretch of machine time). See ``TrainingMeasurement`` for how the
/// timings are combined.
public func measureTraining(
    _ setting: TrainingSetting, data: BenchData, threads: Int, repetitions: Int, epochsPerRepetition: Int,
    warmupEpochs: Int, optimizer settings: OptimizerSettings = TrainingSetting.optimizer, seed: UInt64 = 0,
    between: () -> Void = {}
) -> TrainingMeasurement {
    precondition(data.count == setting.trainCount && data.inputs.count == data.count * MNIST.featureCount)
    let architecture = setting.architecture
    var generator = SeededGenerator(seed: seed, stream: "network.init")
    var parameters: [Float] = initialParameters(architecture, scheme: .glorotUniform, generator: &generator)
    var gradient = [Float](repeating: 0, count: parameters.count)
    // The paper's plain SGD is fused into the backward GEMMs (and the replay, from the same
    // list, mirrors that); the other optimizers replay the unfused step's GEMMs.
    var optimizer = OptimizerState<Float>(settings: settings, architecture: architecture)
    let workspace = MLPWorkspace<Float>(architecture, capacity: setting.batchSize)
    let ranges = batchRanges(count: data.count, batchSize: setting.batchSize)
    var epoch = 0
    var lastEpochLoss = Double.nan
    var stepsTimed = 0
    let clock = ContinuousClock()
    // Timings are pooled by batch size: slot 0 for full batches, slot 1 for a shorter last one.
    let slot = ranges.map { $0.count == setting.batchSize ? 0 : 1 }
    var bestStep = [Duration](repeating: .seconds(1_000), count: 2)
    var bestReplay = bestStep, bestGather = bestStep
    var bestEpoch = Duration.seconds(1_000_000)

    return data.inputs.withUnsafeBufferPointer { inputBuffer in
        data.labels.withUnsafeBufferPointer { labelBuffer in
            guard let inputs = inputBuffer.baseAddress, let labels = labelBuffer.baseAddress else {
                preconditionFailure("empty benchmark data")
            }
            func step(_ rows: UnsafeBufferPointer<Int>) -> Double {
                trainingStep(
                    workspace: workspace, parameters: &parameters, gradient: &gradient, optimizer: &optimizer,
                    rows: rows, inputs: inputs, labels: labels, count: data.count)
            }
            // One epoch as `geodim train` runs it: a fresh seeded order, then one step per
            // batch; with `replays`, each step's GEMMs are then replayed alone.
            func trainingEpoch(timed: Bool, replays: Bool) {
                epoch += 1
                let start = clock.now
                let order = epochOrder(count: data.count, epoch: epoch, seed: seed)
                var lossSum = 0.0
                order.withUnsafeBufferPointer { order in
                    for (position, range) in ranges.enumerated() {
                        let k = slot[position]
                        let t0 = clock.now
                        lossSum += step(UnsafeBufferPointer(rebasing: order[range]))
                        if timed {
                            bestStep[k] = min(bestStep[k], clock.now - t0)
                            stepsTimed += k == 0 ? 1 : 0
                        }
                        guard replays else { continue }
                        // The replay never writes the parameters; its garbage in the
                        // workspace and `gradient` is overwritten or unused by the next step.
                        parameters.withUnsafeBufferPointer { theta in
                            gradient.withUnsafeMutableBufferPointer { grad in
                                guard let theta = theta.baseAddress, let grad = grad.baseAddress else { return }
                                let gemms = optimizer.settings.stepGEMMs(architecture, rows: range.count, as: Float.self)
                                let t1 = clock.now
                                workspace.replayGEMMs(gemms, parameters: theta, gradient: grad)
                                bestReplay[k] = min(bestReplay[k], clock.now - t1)
                            }
                        }
                    }
                }
                if timed && !replays { bestEpoch = min(bestEpoch, clock.now - start) }
                lastEpochLoss = lossSum / Double(ranges.count)
            }
            // The gathers of an epoch alone, from an order no step has touched yet.
            func gatherEpoch() {
                let order = epochOrder(count: data.count, epoch: epoch + 1_000_000, seed: seed)
                order.withUnsafeBufferPointer { order in
                    for (position, range) in ranges.enumerated() {
                        let t0 = clock.now
                        workspace.gather(
                            rows: UnsafeBufferPointer(rebasing: order[range]), inputs: inputs, labels: labels,
                            count: data.count)
                        bestGather[slot[position]] = min(bestGather[slot[position]], clock.now - t0)
                    }
                }
            }

            for _ in 0..<warmupEpochs { trainingEpoch(timed: false, replays: false) }
            let epochs = max(1, epochsPerRepetition)
            for round in 0..<max(1, repetitions) {
                if round > 0 { between() }
                for _ in 0..<epochs { trainingEpoch(timed: true, replays: false) }
                for _ in 0..<epochs { trainingEpoch(timed: true, replays: true) }
                for _ in 0..<epochs { gatherEpoch() }
            }
            let total = { (best: [Duration]) in slot.reduce(0.0) { $0 + Timing.seconds(best[$1]) } }
            return TrainingMeasurement(
                setting: setting, optimizer: settings, threads: threads, dataSource: data.source, epochSeconds: total(bestStep),
                wallEpochSeconds: Timing.seconds(bestEpoch), replaySeconds: total(bestReplay),
                gatherSeconds: total(bestGather), lastEpochLoss: lastEpochLoss, epochsTrained: epoch,
                fullBatchSamples: stepsTimed)
        }
    }
}
