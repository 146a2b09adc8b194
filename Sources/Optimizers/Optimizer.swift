import Linalg
import Network

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
    /// Path-SGD with p = 2 (Neyshabur, Salakhutdinov & Srebro 2015, arXiv 1506.02617), the
    /// approximate steepest descent in the geometry of the path regulariser
    /// γ²(w) = Σ_paths Π_(e on the path) w_e², which is invariant to the ReLU network's
    /// positive rescalings:
    ///
    ///     g̃_e ← (∂L/∂w_e) / max(κ_e, ε);   v ← μ·v + g̃;   w ← w − η·(Nesterov ? g̃ + μ·v : v)
    ///
    /// (v = g̃ on the first step; with μ = 0 the paper's rule w_e ← w_e − η·(∂L/∂w_e)/κ_e).
    /// κ_e = Σ_(paths through e) Π_(e' ≠ e) w_e'² is the paper's κ_e for p = 2 (half the
    /// diagonal of γ²'s Hessian), computed from the weights before the step as
    /// κ_(u→v) = γ_in(u)·γ_out(v): γ_in is a forward pass of the all-ones input through the
    /// squared weights, with every bias an edge from a constant-1 unit (so the squared biases
    /// are added on the way), and γ_out the backward pass of all-ones outputs through the
    /// squared weights (``pathScaling(_:parameters:scaling:scratch:)``). A bias b_v, the edge
    /// (constant unit → v), has κ = γ_out(v).
    ///
    /// ε guards dead paths: κ_e = 0 only when every path through e has another zero weight,
    /// and then ∂L/∂w_e = 0 too, so such a parameter takes no step instead of 0/0. Wherever
    /// κ_e ≥ ε the step is exactly the paper's, and rescaling-invariant (momentum and
    /// Nesterov preserve that: v is a sum of rescaling-covariant steps). No weight decay: an L2
    /// term is not rescaling-invariant.
    case pathSGD(learningRate: Double, momentum: Double, nesterov: Bool, epsilon: Double)
}

extension OptimizerSettings {
    /// η, the learning rate every optimizer here scales its step by.
    public var learningRate: Double {
        switch self {
        case .sgd(let learningRate, _, _, _): learningRate
        case .adam(let learningRate, _, _, _, _, _): learningRate
        case .pathSGD(let learningRate, _, _, _): learningRate
        }
    }

    /// The same settings with η replaced (a learning-rate schedule's value for one step).
    public func withLearningRate(_ eta: Double) -> OptimizerSettings {
        switch self {
        case .sgd(_, let momentum, let nesterov, let weightDecay):
            .sgd(learningRate: eta, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        case .adam(_, let beta1, let beta2, let epsilon, let weightDecay, let decoupled):
            .adam(learningRate: eta, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                  decoupled: decoupled)
        case .pathSGD(_, let momentum, let nesterov, let epsilon):
            .pathSGD(learningRate: eta, momentum: momentum, nesterov: nesterov, epsilon: epsilon)
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
///
/// The moments and the step count are the whole state (what a resume restores); Path-SGD's κ
/// and γ buffers are scratch, recomputed from the parameters at every step.
public struct OptimizerState<S: BLASScalar>: Sendable {
    /// The rule and its hyper-parameters; only η may change between steps (``setLearningRate(_:)``).
    public private(set) var settings: OptimizerSettings
    /// SGD or Path-SGD momentum buffer, or Adam's first moment (empty when unused).
    public var firstMoment: [S]
    /// Adam's second moment (empty when unused).
    public var secondMoment: [S]
    /// Number of updates applied so far.
    public var step: Int
    /// The network, for Path-SGD's κ (nil when the optimizer was made from a parameter count).
    public let architecture: MLPArchitecture?
    /// Path-SGD's κ from the last step, laid out like the parameters (empty for the others).
    public private(set) var pathScale: [S]
    /// Path-SGD's γ_in and γ_out (scratch).
    private var pathScratch: [S]

    /// An optimizer for `parameterCount` parameters: SGD or Adam, which need no architecture.
    public init(settings: OptimizerSettings, parameterCount: Int) {
        if case .pathSGD = settings { preconditionFailure("Path-SGD needs the architecture: init(settings:architecture:)") }
        self.init(settings: settings, parameterCount: parameterCount, architecture: nil)
    }

    /// An optimizer for the parameters of `architecture`: any of the settings.
    public init(settings: OptimizerSettings, architecture: MLPArchitecture) {
        self.init(settings: settings, parameterCount: architecture.parameterCount, architecture: architecture)
    }

    private init(settings: OptimizerSettings, parameterCount: Int, architecture: MLPArchitecture?) {
        self.settings = settings
        self.architecture = architecture
        step = 0
        pathScale = []
        pathScratch = []
        switch settings {
        case .sgd(_, let momentum, _, _):
            firstMoment = momentum > 0 ? [S](repeating: 0, count: parameterCount) : []
            secondMoment = []
        case .adam:
            firstMoment = [S](repeating: 0, count: parameterCount)
            secondMoment = [S](repeating: 0, count: parameterCount)
        case .pathSGD(_, let momentum, _, _):
            firstMoment = momentum > 0 ? [S](repeating: 0, count: parameterCount) : []
            secondMoment = []
            if let architecture {
                pathScale = [S](repeating: 0, count: parameterCount)
                pathScratch = [S](repeating: 0, count: pathScalingScratchCount(architecture))
            }
        }
    }

    /// Replaces η for the next steps; every other setting, and the state, stay.
    public mutating func setLearningRate(_ eta: Double) {
        settings = settings.withLearningRate(eta)
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
        case .pathSGD(let learningRate, let momentum, let nesterov, let epsilon):
            pathSGDUpdate(theta, gradient: grad, count: count, learningRate: learningRate, momentum: momentum,
                          nesterov: nesterov, epsilon: epsilon)
        }
    }

    /// The Path-SGD step of ``OptimizerSettings/pathSGD(learningRate:momentum:nesterov:epsilon:)``:
    /// κ from θ before the step, then g̃ = g / max(κ, ε) in the rule of SGD with momentum.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    private mutating func pathSGDUpdate(
        _ theta: UnsafeMutablePointer<S>, gradient grad: UnsafePointer<S>, count: Int, learningRate: Double,
        momentum: Double, nesterov: Bool, epsilon: Double
    ) {
        guard let architecture else { preconditionFailure("Path-SGD needs the architecture") }
        precondition(count == architecture.parameterCount && pathScale.count == count,
                     "Path-SGD on \(count) parameters, the network has \(architecture.parameterCount)")
        let eta = S(learningRate), mu = S(momentum), eps = S(epsilon)
        let firstStep = step == 1
        pathScratch.withUnsafeMutableBufferPointer { scratchBuffer in
            pathScale.withUnsafeMutableBufferPointer { scaleBuffer in
                firstMoment.withUnsafeMutableBufferPointer { velocityBuffer in
                    guard let scratch = scratchBuffer.baseAddress, let kappa = scaleBuffer.baseAddress else { return }
                    pathScaling(architecture, parameters: theta, scaling: kappa, scratch: scratch)
                    guard momentum > 0 else {
                        for i in 0..<count { theta[i] -= eta * (grad[i] / max(kappa[i], eps)) }
                        return
                    }
                    guard let velocity = velocityBuffer.baseAddress else { return }
                    for i in 0..<count {
                        let g = grad[i] / max(kappa[i], eps)
                        let v = firstStep ? g : mu * velocity[i] + g
                        velocity[i] = v
                        theta[i] -= eta * (nesterov ? g + mu * v : v)
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
