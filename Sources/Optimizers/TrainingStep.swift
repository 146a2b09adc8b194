import Linalg
import Network

/// One optimizer step on a mini-batch, the whole of a training step: gather the rows
/// `rows` of (count, n_0) `inputs` and their `labels` into the workspace's contiguous
/// batch, forward, softmax cross-entropy, backward into `gradient`, then update
/// `parameters` (and the optimizer's moments) in place.
///
/// Allocates nothing: every buffer is the workspace's, the caller's or the optimizer's.
/// Returns the mini-batch mean loss before the update.
///
/// Plain SGD (no momentum, the paper's optimizer) is fused into the backward pass
/// (`MLPWorkspace.lossAndSGDStep`): each weight gradient goes straight into its weights
/// through the GEMM, so `gradient` then holds the bias gradients only. Momentum and Adam
/// run `lossAndGradient` then `OptimizerState.update`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func trainingStep<S: BLASScalar>(
    workspace: MLPWorkspace<S>, parameters: inout [S], gradient: inout [S], optimizer: inout OptimizerState<S>,
    rows: UnsafeBufferPointer<Int>, inputs: UnsafePointer<S>, labels: UnsafePointer<Int32>, count: Int
) -> Double {
    precondition(parameters.count == workspace.architecture.parameterCount && gradient.count == parameters.count)
    let parameterCount = parameters.count
    return parameters.withUnsafeMutableBufferPointer { theta in
        gradient.withUnsafeMutableBufferPointer { grad in
            guard let theta = theta.baseAddress, let grad = grad.baseAddress else { return .nan }
            if case .sgd(let learningRate, let momentum, _, let weightDecay) = optimizer.settings, momentum == 0 {
                workspace.gather(rows: rows, inputs: inputs, labels: labels, count: count)
                let loss = workspace.lossAndSGDStep(
                    parameters: theta, inputs: workspace.batchInputs, labels: workspace.batchLabels, n: rows.count,
                    gradient: grad, learningRate: S(learningRate), weightDecay: S(weightDecay)
                ).loss
                optimizer.step += 1
                return loss
            }
            let loss = workspace.lossAndGradient(
                parameters: theta, rows: rows, inputs: inputs, labels: labels, count: count, gradient: grad
            ).loss
            optimizer.update(parameters: theta, gradient: grad, count: parameterCount)
            return loss
        }
    }
}
