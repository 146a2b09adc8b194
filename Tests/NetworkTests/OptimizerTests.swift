import Foundation
import Linalg
import Optimizers
import Testing
import TestSupport

/// Each optimizer against a reference step computed here with scalar loops in Double, straight
/// from the formulas in `OptimizerSettings`' documentation (PyTorch's SGD; Adam, Algorithm 1
/// of Kingma & Ba; AdamW). Two steps each, so that state carried between steps is checked.
@Suite struct OptimizerTests {
    /// θ₀ and two gradients; zeros included on purpose (Adam's first step on g = 0).
    static let theta0: [Double] = [0.5, -1.25, 2.0, 0.0, -0.03125, 3.5, -2.75]
    static let gradients: [[Double]] = [
        [0.1, -0.4, 0.25, 1.5, -0.0625, 0.0, -2.0],
        [-0.3, 0.2, 0.5, -1.0, 0.125, 0.75, 0.0],
    ]

    /// The reference: θ after each step, and the moments after the last.
    struct Expected {
        var thetas: [[Double]] = []
        var firstMoment: [Double] = []
        var secondMoment: [Double] = []
    }

    // MARK: - SGD

    @Test func sgdPlain() {
        check("SGD", .sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0)) { theta0, gradients in
            var expected = Expected()
            var theta = theta0
            for g in gradients {
                for i in theta.indices { theta[i] = theta[i] - 0.1 * g[i] }
                expected.thetas.append(theta)
            }
            return expected
        }
        // One literal value: θ = 0.5, g = 0.1, η = 0.1 → 0.49 after the first step.
        let (thetas, _) = run(.sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0), as: Double.self)
        #expect(abs(thetas[0][0] - 0.49) < 1e-15)
    }

    @Test func sgdWithWeightDecay() {
        check("SGD wd", .sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0.01)) { theta0, gradients in
            var expected = Expected()
            var theta = theta0
            for g in gradients {
                for i in theta.indices { theta[i] = theta[i] - 0.1 * (g[i] + 0.01 * theta[i]) }
                expected.thetas.append(theta)
            }
            return expected
        }
    }

    /// PyTorch: the buffer is the gradient itself on the first step (no (1 − μ) damping).
    @Test(arguments: [0.0, 0.01])
    func sgdMomentum(weightDecay: Double) {
        check("SGD momentum wd=\(weightDecay)",
              .sgd(learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: weightDecay)) { theta0, gradients in
            var expected = Expected()
            var theta = theta0
            var velocity = [Double](repeating: .nan, count: theta0.count)
            for (step, raw) in gradients.enumerated() {
                for i in theta.indices {
                    let g = raw[i] + weightDecay * theta[i]
                    velocity[i] = step == 0 ? g : 0.9 * velocity[i] + g
                    theta[i] -= 0.1 * velocity[i]
                }
                expected.thetas.append(theta)
            }
            expected.firstMoment = velocity
            return expected
        }
    }

    @Test func sgdNesterov() {
        check("SGD Nesterov", .sgd(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)) { theta0, gradients in
            var expected = Expected()
            var theta = theta0
            var velocity = [Double](repeating: .nan, count: theta0.count)
            for (step, raw) in gradients.enumerated() {
                for i in theta.indices {
                    let g = raw[i] + 0.01 * theta[i]
                    velocity[i] = step == 0 ? g : 0.9 * velocity[i] + g
                    theta[i] -= 0.1 * (g + 0.9 * velocity[i])
                }
                expected.thetas.append(theta)
            }
            expected.firstMoment = velocity
            return expected
        }
    }

    // MARK: - Adam

    @Test(arguments: [(0.0, false), (0.1, false), (0.1, true)])
    func adam(weightDecay: Double, decoupled: Bool) {
        let (eta, beta1, beta2, epsilon) = (0.01, 0.9, 0.999, 1e-8)
        let settings = OptimizerSettings.adam(
            learningRate: eta, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: decoupled)
        check("Adam wd=\(weightDecay)\(decoupled ? " decoupled" : " L2")", settings) { theta0, gradients in
            var expected = Expected()
            var theta = theta0
            var m = [Double](repeating: 0, count: theta0.count)
            var v = [Double](repeating: 0, count: theta0.count)
            for (index, raw) in gradients.enumerated() {
                let t = Double(index + 1)
                for i in theta.indices {
                    var g = raw[i]
                    if decoupled {
                        theta[i] = theta[i] * (1 - eta * weightDecay)
                    } else {
                        g += weightDecay * theta[i]
                    }
                    m[i] = beta1 * m[i] + (1 - beta1) * g
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g
                    let mHat = m[i] / (1 - pow(beta1, t))
                    let vHat = v[i] / (1 - pow(beta2, t))
                    theta[i] -= eta * mHat / (vHat.squareRoot() + epsilon)
                }
                expected.thetas.append(theta)
            }
            expected.firstMoment = m
            expected.secondMoment = v
            return expected
        }
    }

    /// By hand: Adam's first step has m̂ = g and v̂ = g², so every parameter with g ≠ 0 moves
    /// by η·g/(|g| + ε) ≈ η against the sign of its gradient, whatever |g| is.
    @Test func adamFirstStepMovesEveryParameterByTheLearningRate() {
        let (thetas, _) = run(
            .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, decoupled: false),
            as: Double.self)
        var worst = 0.0
        for (i, g) in Self.gradients[0].enumerated() {
            let expectedStep = g == 0 ? 0 : (g > 0 ? -0.01 : 0.01)
            worst = max(worst, abs((thetas[0][i] - Self.theta0[i]) - expectedStep))
        }
        #expect(reportDifference("Adam first step vs ∓η max|Δ|", worst, tolerance: 1e-8))
    }

    // MARK: - Helpers

    /// Runs the library on Self.theta0 and Self.gradients in precision S; returns θ after each
    /// step (widened to Double) and the final state.
    func run<S: BLASScalar>(_ settings: OptimizerSettings, as _: S.Type) -> ([[Double]], OptimizerState<S>) {
        var state = OptimizerState<S>(settings: settings, parameterCount: Self.theta0.count)
        var theta = Self.theta0.map { S($0) }
        var thetas: [[Double]] = []
        for g in Self.gradients {
            state.update(parameters: &theta, gradient: g.map { S($0) })
            thetas.append(theta.map(Double.init))
        }
        return (thetas, state)
    }

    /// Compares the library in Double (to 1e-14) and in Float (to 2e-6) with `reference`,
    /// which receives the inputs as that precision represents them.
    func check(
        _ name: String, _ settings: OptimizerSettings,
        reference: (_ theta0: [Double], _ gradients: [[Double]]) -> Expected
    ) {
        compare(name + " Double", settings, Double.self, tolerance: 1e-14, reference: reference)
        compare(name + " Float", settings, Float.self, tolerance: 2e-6, reference: reference)
    }

    func compare<S: BLASScalar>(
        _ name: String, _ settings: OptimizerSettings, _: S.Type, tolerance: Double,
        reference: (_ theta0: [Double], _ gradients: [[Double]]) -> Expected
    ) {
        let expected = reference(
            Self.theta0.map { Double(S($0)) }, Self.gradients.map { $0.map { Double(S($0)) } })
        let (thetas, state) = run(settings, as: S.self)
        let log = DifferenceLog("optimizer \(name) vs hand-computed steps")
        defer { log.flush() }
        for step in thetas.indices {
            #expect(log.check(
                "θ after step \(step + 1) max|Δ|", maxAbsDifference(thetas[step], expected.thetas[step]),
                tolerance: tolerance))
            // The step actually moved the parameters (a no-op update must fail).
            #expect(maxAbsDifference(thetas[step], step == 0 ? Self.theta0 : thetas[step - 1]) > 1e-3)
        }
        #expect(state.step == Self.gradients.count)
        #expect(state.firstMoment.count == expected.firstMoment.count)
        #expect(state.secondMoment.count == expected.secondMoment.count)
        if !expected.firstMoment.isEmpty {
            #expect(log.check(
                "first moment max|Δ|", maxAbsDifference(state.firstMoment, expected.firstMoment),
                tolerance: tolerance))
        }
        if !expected.secondMoment.isEmpty {
            #expect(log.check(
                "second moment max|Δ|", maxAbsDifference(state.secondMoment, expected.secondMoment),
                tolerance: tolerance))
        }
    }
}
