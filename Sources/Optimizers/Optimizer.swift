import Linalg

/// Hyper-parameters of the optimizers geodim implements.
public enum OptimizerSettings: Sendable, Equatable {
    /// Stochastic gradient descent, PyTorch's formulation:
    /// g ← ∇ + λ·θ;  v ← μ·v + g;  θ ← θ − η·(Nesterov ? g + μ·v : v)   (v = g when μ = 0).
    case sgd(learningRate: Double, momentum: Double, nesterov: Bool, weightDecay: Double)
    /// Adam (Kingma & Ba, Algorithm 1), with L2 (λ·θ added to the gradient) or decoupled
    /// (AdamW: θ ← θ − η·λ·θ before the Adam step) weight decay:
    /// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − η·m̂ / (√v̂ + ε),
    /// m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
    case adam(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double,
              weightDecay: Double, decoupled: Bool)
}

extension OptimizerSettings {
    /// η, the learning rate every optimizer here scales its step by.
    public var learningRate: Double {
        switch self {
        case .sgd(let learningRate, _, _, _): learningRate
        case .adam(let learningRate, _, _, _, _, _): learningRate
        }
    }
}

/// θ ← θ − η·(g + λ·θ) over `count` entries: plain SGD (no momentum), the rule of
/// ``OptimizerSettings/sgd(learningRate:momentum:nesterov:weightDecay:)`` with μ = 0
/// (θ ← θ − η·g when λ = 0). Used by `OptimizerState.update` and by the fused step's biases.
@_specialize(where S == Float)
@_specialize(where S == Double)
func plainSGDUpdate<S: BLASScalar>(
    _ theta: UnsafeMutablePointer<S>, gradient grad: UnsafePointer<S>, count: Int, learningRate: Double,
    weightDecay: Double
) {
    let eta = S(learningRate), lambda = S(weightDecay)
    if weightDecay == 0 {
        for i in 0..<count { theta[i] -= eta * grad[i] }
    } else {
        for i in 0..<count { theta[i] -= eta * (grad[i] + lambda * theta[i]) }
    }
}

/// An optimizer's state: moments laid out like the flat parameter buffer, and the step count.
public struct OptimizerState<S: BLASScalar>: Sendable {
    public let settings: OptimizerSettings
    /// SGD momentum buffer, or Adam's first moment (empty when unused).
    public var firstMoment: [S]
    /// Adam's second moment (empty when unused).
    public var secondMoment: [S]
    /// Number of updates applied so far.
    public var step: Int

    public init(settings: OptimizerSettings, parameterCount: Int) {
        self.settings = settings
        step = 0
        switch settings {
        case .sgd(_, let momentum, _, _):
            firstMoment = momentum > 0 ? [S](repeating: 0, count: parameterCount) : []
            secondMoment = []
        case .adam:
            firstMoment = [S](repeating: 0, count: parameterCount)
            secondMoment = [S](repeating: 0, count: parameterCount)
        }
    }

    /// Applies one update to `parameters` from `gradient` (both of the same length).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public mutating func update(parameters: inout [S], gradient: [S]) {
        precondition(parameters.count == gradient.count)
        let count = parameters.count
        parameters.withUnsafeMutableBufferPointer { theta in
            gradient.withUnsafeBufferPointer { grad in
                guard let theta = theta.baseAddress, let grad = grad.baseAddress else {
                    step += 1
                    return
                }
                update(parameters: theta, gradient: grad, count: count)
            }
        }
    }

    /// Applies one update to the `count` parameters at `parameters` from the gradient at
    /// `gradient` (laid out alike; the moments must have `count` entries where used).
    ///
    /// One pass over memory, with the settings' branches taken outside the loops so that
    /// each loop vectorises; the arithmetic of every element is the formula of
    /// ``OptimizerSettings``, in the order written there.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public mutating func update(parameters theta: UnsafeMutablePointer<S>, gradient grad: UnsafePointer<S>, count: Int) {
        step += 1
        switch settings {
        case .sgd(let learningRate, let momentum, let nesterov, let weightDecay):
            if momentum == 0 {
                return plainSGDUpdate(theta, gradient: grad, count: count, learningRate: learningRate,
                                      weightDecay: weightDecay)
            }
            let eta = S(learningRate), mu = S(momentum), lambda = S(weightDecay)
            precondition(firstMoment.count == count, "SGD momentum buffer holds \(firstMoment.count), not \(count)")
            let firstStep = step == 1
            firstMoment.withUnsafeMutableBufferPointer { buffer in
                guard let velocity = buffer.baseAddress else { return }
                switch (firstStep, nesterov) {
                case (true, false):
                    for i in 0..<count {
                        let g = grad[i] + lambda * theta[i]
                        velocity[i] = g
                        theta[i] -= eta * g
                    }
                case (true, true):
                    for i in 0..<count {
                        let g = grad[i] + lambda * theta[i]
                        velocity[i] = g
                        theta[i] -= eta * (g + mu * g)
                    }
                case (false, false):
                    for i in 0..<count {
                        let g = grad[i] + lambda * theta[i]
                        let v = mu * velocity[i] + g
                        velocity[i] = v
                        theta[i] -= eta * v
                    }
                case (false, true):
                    for i in 0..<count {
                        let g = grad[i] + lambda * theta[i]
                        let v = mu * velocity[i] + g
                        velocity[i] = v
                        theta[i] -= eta * (g + mu * v)
                    }
                }
            }
        case .adam(let learningRate, let beta1, let beta2, let epsilon, let weightDecay, let decoupled):
            let eta = S(learningRate), b1 = S(beta1), b2 = S(beta2), eps = S(epsilon)
            let lambda = S(weightDecay)
            let correction1 = S(1 - pow(beta1, Double(step)))
            let correction2 = S(1 - pow(beta2, Double(step)))
            precondition(firstMoment.count == count && secondMoment.count == count,
                         "Adam moments hold \(firstMoment.count) and \(secondMoment.count), not \(count)")
            firstMoment.withUnsafeMutableBufferPointer { firstBuffer in
                secondMoment.withUnsafeMutableBufferPointer { secondBuffer in
                    guard let m = firstBuffer.baseAddress, let v = secondBuffer.baseAddress else { return }
                    // θ ← θ − η·λ·θ (decoupled) or g ← g + λ·θ (L2); λ = 0 makes either a no-op.
                    let decay: S = decoupled ? 0 : lambda
                    let shrink: S = decoupled ? lambda : 0
                    for i in 0..<count {
                        var t = theta[i]
                        t -= eta * shrink * t
                        let g = grad[i] + decay * theta[i]
                        let mi = b1 * m[i] + (1 - b1) * g
                        let vi = b2 * v[i] + (1 - b2) * g * g
                        m[i] = mi
                        v[i] = vi
                        let mHat = mi / correction1
                        let vHat = vi / correction2
                        theta[i] = t - eta * mHat / (vHat.squareRoot() + eps)
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
