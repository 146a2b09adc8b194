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

    init(
        architecture: MLPArchitecture, parameters: [S], optimizer: OptimizerSettings,
        train: LabeledSet, test: LabeledSet, batchSize: Int, evaluationBatchSize: Int
    ) {
        self.architecture = architecture
        self.parameters = parameters
        gradient = [S](repeating: 0, count: parameters.count)
        self.optimizer = OptimizerState(settings: optimizer, architecture: architecture)
        workspace = MLPWorkspace(architecture, capacity: batchSize)
        evaluationWorkspace = MLPWorkspace(architecture, capacity: evaluationBatchSize)
        trainInputs = train.inputs.map { S($0) }
        trainLabels = train.labels
        testInputs = test.inputs.map { S($0) }
        testLabels = test.labels
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
    func step(indices: ArraySlice<Int>) -> Double {
        indices.withUnsafeBufferPointer { rows in
            trainInputs.withUnsafeBufferPointer { inputs in
                trainLabels.withUnsafeBufferPointer { labels in
                    guard let inputBase = inputs.baseAddress, let labelBase = labels.baseAddress else { return .nan }
                    return trainingStep(
                        workspace: workspace, parameters: &parameters, gradient: &gradient, optimizer: &optimizer,
                        rows: rows, inputs: inputBase, labels: labelBase, count: labels.count)
                }
            }
        }
    }

    /// Mean loss and accuracy on the full training and test sets.
    func evaluate() -> (trainLoss: Double, trainAccuracy: Double, testLoss: Double, testAccuracy: Double) {
        let train = evaluate(inputs: trainInputs, labels: trainLabels)
        let test = evaluate(inputs: testInputs, labels: testLabels)
        return (train.loss, train.accuracy, test.loss, test.accuracy)
    }

    /// Accuracy on the full training set (the early-stop test).
    func trainAccuracy() -> Double { evaluate(inputs: trainInputs, labels: trainLabels).accuracy }

    private func evaluate(inputs: [S], labels: [Int32]) -> (loss: Double, accuracy: Double) {
        guard !labels.isEmpty else { return (.nan, .nan) }
        return evaluationWorkspace.evaluate(parameters: parameters, inputs: inputs, labels: labels, count: labels.count)
    }

    /// The parameters in float64, for geometry and the log.
    var parametersAsDouble: [Double] { parameters.map { Double($0) } }
}
