import Linalg
import Network

/// One optimizer step on a mini-batch, the whole of a training step: gather the rows
/// `rows` of (count, n_0) `inputs` and their `labels` (and `targets`, (count, n_L), for the
/// mse loss) into the workspace's contiguous batch, forward, the workspace's loss (softmax
/// cross-entropy or half MSE), backward into `gradient`, then update
/// `parameters` (and the optimizer's moments) in place.
///
/// Allocates nothing: every buffer is the workspace's, the caller's or the optimizer's.
/// Returns the mini-batch mean loss before the update.
///
/// Plain SGD (no momentum, the paper's optimizer) is fused into the backward pass: each
/// layer's weight GEMM writes W ← (1 − η·λ)·W − η·doutᵀ·inp straight onto the weights
/// (``OptimizerSettings/fusedWeightUpdate(_:)``), so no weight gradient is written and
/// `gradient` then holds the bias gradients only; the biases take the same rule after the
/// backward pass. Momentum and Adam run the backward pass into `gradient`, then
/// `OptimizerState.update`. ``OptimizerSettings/stepGEMMs(_:rows:as:)`` lists the GEMMs
/// this issues.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func trainingStep<S: BLASScalar>(
    workspace: MLPWorkspace<S>, parameters: inout [S], gradient: inout [S], optimizer: inout OptimizerState<S>,
    rows: UnsafeBufferPointer<Int>, inputs: UnsafePointer<S>, labels: UnsafePointer<Int32>,
    targets: UnsafePointer<S>? = nil, count: Int
) -> Double {
    precondition(parameters.count == workspace.architecture.parameterCount && gradient.count == parameters.count)
    let parameterCount = parameters.count
    return parameters.withUnsafeMutableBufferPointer { theta in
        gradient.withUnsafeMutableBufferPointer { grad in
            guard let theta = theta.baseAddress, let grad = grad.baseAddress else { return .nan }
            workspace.gather(rows: rows, inputs: inputs, labels: labels, targets: targets, count: count)
            let batchTargets = targets == nil ? nil : UnsafePointer(workspace.batchTargets)
            if let fused = optimizer.settings.fusedWeightUpdate(S.self) {
                let loss = workspace.lossAndGradient(
                    parameters: theta, inputs: workspace.batchInputs, labels: workspace.batchLabels, targets: batchTargets,
                    n: rows.count,
                    gradient: grad, weightGradients: theta, weightScalars: fused
                ).loss
                optimizer.updateBiases(parameters: theta, gradient: grad, architecture: workspace.architecture)
                return loss
            }
            let loss = workspace.lossAndGradient(
                parameters: theta, inputs: workspace.batchInputs, labels: workspace.batchLabels, targets: batchTargets,
                    n: rows.count,
                gradient: grad
            ).loss
            optimizer.update(parameters: theta, gradient: grad, count: parameterCount)
            return loss
        }
    }
}

extension OptimizerSettings {
    /// For plain SGD (no momentum): the α and β that fold the weights' update
    /// θ ← θ − η·(∇ + λ·θ) into their gradient's GEMM, W ← (1 − η·λ)·W − η·doutᵀ·inp, i.e.
    /// α = −η and β = 1 − η·λ (in S). Nil for the optimizers that need the gradient itself.
    public func fusedWeightUpdate<S: BLASScalar>(_: S.Type) -> GEMMScalars<S>? {
        guard case .sgd(let learningRate, let momentum, _, let weightDecay) = self, momentum == 0 else { return nil }
        let eta = S(learningRate), lambda = S(weightDecay)
        return GEMMScalars(alpha: -eta, beta: 1 - eta * lambda)
    }

    /// The GEMMs one ``trainingStep(workspace:parameters:gradient:optimizer:rows:inputs:labels:count:)``
    /// on n rows issues with these settings, in order: the list the step executes, for a
    /// replay (`MLPWorkspace.replayGEMMs`) or a table of shapes.
    public func stepGEMMs<S: BLASScalar>(_ architecture: MLPArchitecture, rows n: Int, as _: S.Type = S.self) -> StepGEMMs<S> {
        StepGEMMs(architecture, rows: n, weightGradient: fusedWeightUpdate(S.self) ?? .overwrite)
    }
}

extension OptimizerState {
    /// The rest of a fused plain-SGD step, once the backward pass has updated the weights:
    /// b ← b − η·(db + λ·b) on every layer's biases, from the bias gradients in `gradient`
    /// (both laid out like the parameters), and one more step counted.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    mutating func updateBiases(
        parameters theta: UnsafeMutablePointer<S>, gradient grad: UnsafePointer<S>, architecture: MLPArchitecture
    ) {
        guard case .sgd(let learningRate, 0, _, let weightDecay) = settings else {
            preconditionFailure("updateBiases: \(settings) is not plain SGD")
        }
        step += 1
        for layer in 0..<architecture.layerCount {
            let offset = architecture.biasOffset(layer)
            plainSGDUpdate(theta + offset, gradient: grad + offset, count: architecture.fanOut(layer),
                           learningRate: learningRate, weightDecay: weightDecay)
        }
    }
}
