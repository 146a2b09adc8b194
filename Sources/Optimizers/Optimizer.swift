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
        step += 1
        let count = parameters.count
        switch settings {
        case .sgd(let learningRate, let momentum, let nesterov, let weightDecay):
            let eta = S(learningRate), mu = S(momentum), lambda = S(weightDecay)
            parameters.withUnsafeMutableBufferPointer { theta in
                gradient.withUnsafeBufferPointer { grad in
                    if momentum == 0 {
                        for i in 0..<count {
                            theta[i] -= eta * (grad[i] + lambda * theta[i])
                        }
                        return
                    }
                    firstMoment.withUnsafeMutableBufferPointer { velocity in
                        let firstStep = step == 1
                        for i in 0..<count {
                            let g = grad[i] + lambda * theta[i]
                            velocity[i] = firstStep ? g : mu * velocity[i] + g
                            theta[i] -= eta * (nesterov ? g + mu * velocity[i] : velocity[i])
                        }
                    }
                }
            }
        case .adam(let learningRate, let beta1, let beta2, let epsilon, let weightDecay, let decoupled):
            let eta = S(learningRate), b1 = S(beta1), b2 = S(beta2), eps = S(epsilon)
            let lambda = S(weightDecay)
            let correction1 = S(1 - pow(beta1, Double(step)))
            let correction2 = S(1 - pow(beta2, Double(step)))
            parameters.withUnsafeMutableBufferPointer { theta in
                gradient.withUnsafeBufferPointer { grad in
                    firstMoment.withUnsafeMutableBufferPointer { m in
                        secondMoment.withUnsafeMutableBufferPointer { v in
                            for i in 0..<count {
                                var g = grad[i]
                                if decoupled {
                                    theta[i] -= eta * lambda * theta[i]
                                } else {
                                    g += lambda * theta[i]
                                }
                                m[i] = b1 * m[i] + (1 - b1) * g
                                v[i] = b2 * v[i] + (1 - b2) * g * g
                                let mHat = m[i] / correction1
                                let vHat = v[i] / correction2
                                theta[i] -= eta * mHat / (vHat.squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
