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
    private let batchSize: Int
    private var batchInputs: [S]
    private var batchLabels: [Int32]
    let learningRate: Double

    init(
        architecture: MLPArchitecture, parameters: [S], optimizer: OptimizerSettings, learningRate: Double,
        train: LabeledSet, test: LabeledSet, batchSize: Int, evaluationBatchSize: Int
    ) {
        self.architecture = architecture
        self.parameters = parameters
        gradient = [S](repeating: 0, count: parameters.count)
        self.optimizer = OptimizerState(settings: optimizer, parameterCount: parameters.count)
        self.learningRate = learningRate
        workspace = MLPWorkspace(architecture, capacity: batchSize)
        evaluationWorkspace = MLPWorkspace(architecture, capacity: evaluationBatchSize)
        trainInputs = train.inputs.map { S($0) }
        trainLabels = train.labels
        testInputs = test.inputs.map { S($0) }
        testLabels = test.labels
        self.batchSize = batchSize
        batchInputs = [S](repeating: 0, count: batchSize * architecture.inputSize)
        batchLabels = [Int32](repeating: 0, count: batchSize)
    }

    var trainCount: Int { trainLabels.count }

    /// One optimizer step on the training rows `indices` (at most the batch size).
    /// Returns the mini-batch mean loss before the update.
    func step(indices: ArraySlice<Int>) -> Double {
        let n = indices.count
        let featureCount = architecture.inputSize
        trainInputs.withUnsafeBufferPointer { source in
            batchInputs.withUnsafeMutableBufferPointer { batch in
                guard let from = source.baseAddress, let to = batch.baseAddress else { return }
                for (row, index) in indices.enumerated() {
                    (to + row * featureCount).update(from: from + index * featureCount, count: featureCount)
                }
            }
        }
        for (row, index) in indices.enumerated() { batchLabels[row] = trainLabels[index] }
        // Arrays pass to the UnsafePointer parameters directly (valid for the call's duration).
        let loss = workspace.lossAndGradient(
            parameters: parameters, inputs: batchInputs, labels: batchLabels, n: n, gradient: &gradient
        ).loss
        optimizer.update(parameters: &parameters, gradient: gradient)
        return loss
    }

    /// Mean loss and accuracy on the full training and test sets.
    func evaluate() -> (trainLoss: Double, trainAccuracy: Double, testLoss: Double, testAccuracy: Double) {
        let train = evaluate(inputs: trainInputs, labels: trainLabels)
        let test = evaluate(inputs: testInputs, labels: testLabels)
        return (train.loss, train.accuracy, test.loss, test.accuracy)
    }

    private func evaluate(inputs: [S], labels: [Int32]) -> (loss: Double, accuracy: Double) {
        guard !labels.isEmpty else { return (.nan, .nan) }
        return evaluationWorkspace.evaluate(parameters: parameters, inputs: inputs, labels: labels, count: labels.count)
    }

    /// The parameters in float64, for geometry and the log.
    var parametersAsDouble: [Double] { parameters.map { Double($0) } }
}
