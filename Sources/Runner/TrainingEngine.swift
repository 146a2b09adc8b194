import Datasets
import Linalg
import Network
import Optimizers
import SeededRandom

/// The training state and its step, in one precision (float32 or float64), with every
/// buffer allocated up front.
final class TrainingEngine<S: BLASScalar> {
    let architecture: MLPArchitecture
    var parameters: [S]
    var gradient: [S]
    var optimizer: OptimizerState<S>
    private let workspace: MLPWorkspace<S>
    private let evaluationWorkspace: MLPWorkspace<S>
    private let trainInputs: [S]
    private let trainLabels: [Int32]
    private let testInputs: [S]
    private let testLabels: [Int32]
    /// The mse loss's targets, (count, n_L): the set's own, or one-hot labels for image data;
    /// empty for cross-entropy.
    private let trainTargets: [S]
    private let testTargets: [S]
    /// Ranges of the flat buffer that `training.freeze` keeps fixed, and room to keep them in.
    private let frozenRanges: [Range<Int>]
    private var frozenValues: [S]

    init(
        architecture: MLPArchitecture, parameters: [S], optimizer: OptimizerSettings,
        train: LabeledSet, test: LabeledSet, batchSize: Int, evaluationBatchSize: Int,
        loss: LossFunction = .crossEntropy, frozenLayers: [Int] = []
    ) {
        self.architecture = architecture
        self.parameters = parameters
        gradient = [S](repeating: 0, count: parameters.count)
        self.optimizer = OptimizerState(settings: optimizer, architecture: architecture)
        workspace = MLPWorkspace(architecture, capacity: batchSize, loss: loss)
        evaluationWorkspace = MLPWorkspace(architecture, capacity: evaluationBatchSize, loss: loss)
        trainInputs = train.inputs.map { S($0) }
        trainLabels = train.labels
        testInputs = test.inputs.map { S($0) }
        testLabels = test.labels
        let d = architecture.outputSize
        func targets(_ set: LabeledSet) -> [S] {
            guard loss == .mse else { return [] }
            if set.targetWidth == d { return set.targets.map { S($0) } }
            var oneHot = [S](repeating: 0, count: set.count * d)
            for (i, label) in set.labels.enumerated() where Int(label) < d { oneHot[i * d + Int(label)] = 1 }
            return oneHot
        }
        trainTargets = targets(train)
        testTargets = targets(test)
        frozenRanges = frozenLayers.sorted().map {
            architecture.weightOffset($0)..<(architecture.biasOffset($0) + architecture.fanOut($0))
        }
        frozenValues = [S](repeating: 0, count: frozenRanges.reduce(0) { $0 + $1.count })
    }

    var trainCount: Int { trainLabels.count }

    /// η, as the optimizer's settings hold it: the rate of the last step (for the log).
    var learningRate: Double { optimizer.settings.learningRate }

    /// Sets η for the next steps (the schedule's value; the optimizer's state stays).
    func setLearningRate(_ eta: Double) { optimizer.setLearningRate(eta) }

    /// One optimizer step on the training rows `indices` (at most the batch size).
    /// Returns the mini-batch mean loss before the update.
    ///
    /// The rows are gathered into the workspace's contiguous batch buffer, then forward,
    /// backward and update run on preallocated buffers: nothing is allocated.
    ///
    /// Frozen layers (`training.freeze`) are copied aside before the step and written back
    /// after it, so they stay bitwise unchanged whatever the optimizer does (the optimizers
    /// other than Path-SGD act entry by entry, so the trained entries take exactly the step
    /// they would take with those layers' gradients zeroed; Path-SGD's κ reads the frozen
    /// weights, which is the point of its geometry).
    func step(indices: ArraySlice<Int>) -> Double {
        copyFrozen(restoring: false)
        let loss = indices.withUnsafeBufferPointer { rows in
            trainInputs.withUnsafeBufferPointer { inputs in
                trainLabels.withUnsafeBufferPointer { labels in
                    trainTargets.withUnsafeBufferPointer { targets in
                        guard let inputBase = inputs.baseAddress, let labelBase = labels.baseAddress else { return Double.nan }
                        return trainingStep(
                            workspace: workspace, parameters: &parameters, gradient: &gradient, optimizer: &optimizer,
                            rows: rows, inputs: inputBase, labels: labelBase, targets: targets.baseAddress,
                            count: labels.count)
                    }
                }
            }
        }
        copyFrozen(restoring: true)
        return loss
    }

    /// Copies the frozen ranges of the parameters into `frozenValues`, or back.
    private func copyFrozen(restoring: Bool) {
        guard !frozenRanges.isEmpty else { return }
        parameters.withUnsafeMutableBufferPointer { theta in
            frozenValues.withUnsafeMutableBufferPointer { saved in
                guard let theta = theta.baseAddress, let saved = saved.baseAddress else { return }
                var offset = 0
                for range in frozenRanges {
                    if restoring {
                        (theta + range.lowerBound).update(from: saved + offset, count: range.count)
                    } else {
                        (saved + offset).update(from: theta + range.lowerBound, count: range.count)
                    }
                    offset += range.count
                }
            }
        }
    }

    /// Mean loss and accuracy on the full training and test sets.
    func evaluate() -> (trainLoss: Double, trainAccuracy: Double, testLoss: Double, testAccuracy: Double) {
        let train = evaluate(inputs: trainInputs, labels: trainLabels, targets: trainTargets)
        let test = evaluate(inputs: testInputs, labels: testLabels, targets: testTargets)
        return (train.loss, train.accuracy, test.loss, test.accuracy)
    }

    /// Accuracy on the full training set (the early-stop test).
    func trainAccuracy() -> Double { evaluate(inputs: trainInputs, labels: trainLabels, targets: trainTargets).accuracy }

    private func evaluate(inputs: [S], labels: [Int32], targets: [S]) -> (loss: Double, accuracy: Double) {
        guard !labels.isEmpty else { return (.nan, .nan) }
        return targets.withUnsafeBufferPointer { t in
            evaluationWorkspace.evaluate(
                parameters: parameters, inputs: inputs, labels: labels, targets: t.baseAddress, count: labels.count)
        }
    }

    /// The parameters in float64, for geometry and the log.
    var parametersAsDouble: [Double] { parameters.map { Double($0) } }
}
