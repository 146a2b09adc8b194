#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// η as a function of the step: a decay (constant, step or cosine) after an optional linear
/// warm-up. A pure function of the number of updates already taken, so a resumed run needs no
/// state for it: the step count gives the same η bit for bit.
///
/// With k the updates taken before this one (0 for the first), W the warm-up steps, η the base
/// rate:
///
///     warm-up   w(k) = (k + 1)/W for k < W, else 1
///     constant  η_k = η·w(k)
///     step      η_k = η·w(k)·γ^⌊k / s⌋                       (s steps between decays, γ the factor)
///     cosine    η_k = w(k)·(η_min + (η − η_min)·(1 + cos(π·t/T))/2),
///               t = min(max(k − W, 0), T),  T = max(K − W, 1)  (K the steps of the whole run)
///
/// The cosine runs from η at the end of the warm-up to η_min at step K (its last update
/// takes t = T − 1, just above η_min; PyTorch's `CosineAnnealingLR` with T_max = K − W).
public struct LearningRateSchedule: Sendable, Equatable {
    /// How η decays after the warm-up.
    public enum Decay: Sendable, Equatable {
        /// η throughout.
        case constant
        /// η·factor^⌊k / every⌋: multiplied by `factor` every `every` steps.
        case step(every: Int, factor: Double)
        /// Half a cosine from η to `minimum` over the steps after the warm-up, of `totalSteps`.
        case cosine(totalSteps: Int, minimum: Double)
    }

    /// η, the base rate.
    public var base: Double
    public var decay: Decay
    /// Steps of linear warm-up from η/W to η (0: none).
    public var warmupSteps: Int

    public init(base: Double, decay: Decay = .constant, warmupSteps: Int = 0) {
        precondition(warmupSteps >= 0)
        if case .step(let every, _) = decay { precondition(every >= 1) }
        self.base = base
        self.decay = decay
        self.warmupSteps = warmupSteps
    }

    /// η for the update that follows `stepsTaken` updates (0 for the first update).
    public func learningRate(stepsTaken k: Int) -> Double {
        let warm = k < warmupSteps ? Double(k + 1) / Double(warmupSteps) : 1
        switch decay {
        case .constant:
            return base * warm
        case .step(let every, let factor):
            return base * warm * pow(factor, Double(k / every))
        case .cosine(let totalSteps, let minimum):
            let span = max(totalSteps - warmupSteps, 1)
            let t = min(max(k - warmupSteps, 0), span)
            let cosine = (1 + cos(Double.pi * Double(t) / Double(span))) / 2
            return warm * (minimum + (base - minimum) * cosine)
        }
    }
}
