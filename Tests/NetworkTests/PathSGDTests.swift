import Foundation
import Linalg
import Network
import Optimizers
import Testing
import TestSupport

/// Path-SGD (p = 2): κ against a brute-force enumeration of the network's paths, one step
/// against a step worked out by hand, and the property it exists for: its trajectory commutes
/// with the ReLU network's positive rescalings, where SGD's does not.
@Suite struct PathSGDTests {
    // MARK: - κ against every path

    /// κ_e = Σ over the paths through e of the product of the other edges' squared weights,
    /// with every path enumerated: from an input unit, or from the constant-1 unit of some layer
    /// (its edges are that layer's biases), through one unit per later layer, to an output.
    /// The flat layout is re-derived here from the documented contract (NaiveMLP's offsets).
    @Test(arguments: [[3, 4, 3, 2], [2, 3, 3, 3, 2], [4, 2, 3]])
    func scalingEqualsTheSumOverPaths(sizes: [Int]) {
        let naive = NaiveMLP(sizes: sizes)
        var random = TestRandom(seed: UInt64(sizes.reduce(0, +)))
        let theta = (0..<naive.parameterCount).map { _ in random.uniform(-1.5, 1.5) }
        let offsets = naive.offsets
        let layers = naive.layerCount
        var expected = [Double](repeating: 0, count: naive.parameterCount)
        // A path is the list of parameter indices of its edges.
        func walk(_ path: [Int], unit: Int, layer: Int) {
            // `unit` is a unit of layer `layer` (0 = inputs); extend through affine layer `layer`.
            if layer == layers {
                for e in path {
                    var product = 1.0
                    for other in path where other != e { product *= theta[other] * theta[other] }
                    expected[e] += product
                }
                return
            }
            for j in 0..<sizes[layer + 1] {
                walk(path + [offsets[layer].weight + j * sizes[layer] + unit], unit: j, layer: layer + 1)
            }
        }
        for i in 0..<sizes[0] { walk([], unit: i, layer: 0) }
        for l in 0..<layers {
            for j in 0..<sizes[l + 1] { walk([offsets[l].bias + j], unit: j, layer: l + 1) }
        }
        let architecture = MLPArchitecture(
            inputSize: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()), outputSize: sizes[sizes.count - 1])
        let kappa = Self.scaling(architecture, theta)
        let difference = maxRelativeDifference(kappa, expected)
        #expect(difference < 1e-13, "κ vs the path enumeration, \(sizes): max relative difference \(difference)")
        // Input-layer weights see no factor from the inputs: κ(W_0[j, i]) = κ(b_0[j]) = γ_out(j).
        #expect(kappa[offsets[0].weight] == kappa[offsets[0].bias])
    }

    // MARK: - One step by hand

    /// A 2-1-2 network, one sample, η = 0.5: the gradient and κ written out in closed form.
    ///
    /// x = (1, 2), label 0; W_0 = (w₁, w₂) = (0.5, −0.25), b_0 = 0.25; W_1 = (v₁, v₂)ᵀ = (1, −2),
    /// b_1 = (0.5, 0). Then u = w·x + b = 0.25 > 0, h = u, z = (v₁h + c₁, v₂h + c₂), p = softmax(z),
    /// δ = p − e₀; ∂L/∂c = δ, ∂L/∂v = δ·h, ∂L/∂b = v·δ, ∂L/∂w = (v·δ)·x.
    /// Paths: x₁→h→o_k, x₂→h→o_k, 1→h→o_k (b), 1→o_k (c_k): γ_in(h) = w₁² + w₂² + b², γ_out(h) = v₁² + v₂²;
    /// κ(w_i) = κ(b) = γ_out(h) = 5, κ(v_k) = γ_in(h) = 0.375, κ(c_k) = 1.
    @Test func oneStepEqualsTheHandComputation() {
        let (w1, w2, b, v1, v2, c1, c2) = (0.5, -0.25, 0.25, 1.0, -2.0, 0.5, 0.0)
        let x = [1.0, 2.0]
        let eta = 0.5
        let h = w1 * x[0] + w2 * x[1] + b
        let z = [v1 * h + c1, v2 * h + c2]
        let e = z.map { exp($0) }
        let p = e.map { $0 / (e[0] + e[1]) }
        let delta = [p[0] - 1, p[1]]
        let dh = v1 * delta[0] + v2 * delta[1]
        let gradient = [dh * x[0], dh * x[1], dh, delta[0] * h, delta[1] * h, delta[0], delta[1]]
        let gammaIn = w1 * w1 + w2 * w2 + b * b, gammaOut = v1 * v1 + v2 * v2
        #expect(gammaIn == 0.375 && gammaOut == 5)
        let kappa = [gammaOut, gammaOut, gammaOut, gammaIn, gammaIn, 1, 1]
        let theta = [w1, w2, b, v1, v2, c1, c2]
        let expected = zip(theta, zip(gradient, kappa)).map { $0 - eta * $1.0 / $1.1 }

        let architecture = MLPArchitecture(inputSize: 2, hiddenWidths: [1], outputSize: 2)
        let stepped = Self.train(
            architecture, theta, inputs: x, labels: [0], batches: [[0]],
            .pathSGD(learningRate: eta, momentum: 0, nesterov: false, epsilon: 1e-12))
        let difference = maxAbsDifference(stepped.last ?? [], expected)
        #expect(difference < 1e-14, "one Path-SGD step vs the hand computation: max |Δ| \(difference)")
        #expect(Self.scaling(architecture, theta) == kappa)
    }

    // MARK: - Rescaling invariance

    /// Rescales hidden neuron `neuron` of hidden layer `layer` by c: its in-weights and bias × c,
    /// its out-weights × 1/c. The function is unchanged (ReLU is positively homogeneous).
    static func rescaled(_ architecture: MLPArchitecture, _ theta: [Double], layer: Int, neuron: Int, by c: Double) -> [Double] {
        var result = theta
        let fanIn = architecture.fanIn(layer)
        for i in 0..<fanIn { result[architecture.weightOffset(layer) + neuron * fanIn + i] *= c }
        result[architecture.biasOffset(layer) + neuron] *= c
        let next = layer + 1
        for j in 0..<architecture.fanOut(next) {
            result[architecture.weightOffset(next) + j * architecture.fanIn(next) + neuron] /= c
        }
        return result
    }

    /// The invariance defect after each step: max |θ̃_t − ρ(θ_t)| / max |ρ(θ_t)| between the
    /// trajectory from the rescaled start θ̃_0 = ρ(θ_0) and the rescaled trajectory ρ(θ_t).
    static func invarianceDefects(_ settings: OptimizerSettings, c: Double, steps: Int) -> [Double] {
        let problem = Problem(sizes: [6, 5, 4, 3], n: 40, seed: 11)
        let architecture = problem.architecture
        var random = TestRandom(seed: 5)
        let batches = (0..<steps).map { _ in (0..<8).map { _ in Int(random.next() % 40) } }
        // Two neurons, in different layers, rescaled by c and by 1/c².
        let rescale = { (theta: [Double]) in
            rescaled(architecture, rescaled(architecture, theta, layer: 0, neuron: 2, by: c), layer: 1, neuron: 1, by: 1 / (c * c))
        }
        let original = train(architecture, problem.parameters, inputs: problem.inputs, labels: problem.labels,
                             batches: batches, settings)
        let fromRescaled = train(architecture, rescale(problem.parameters), inputs: problem.inputs,
                                 labels: problem.labels, batches: batches, settings)
        return zip(original, fromRescaled).map { a, b in
            let target = rescale(a)
            return maxAbsDifference(b, target) / maxAbs(target)
        }
    }

    static let invarianceCases: [(String, OptimizerSettings)] = [
        ("path_sgd", .pathSGD(learningRate: 0.2, momentum: 0, nesterov: false, epsilon: 1e-12)),
        ("path_sgd momentum", .pathSGD(learningRate: 0.1, momentum: 0.9, nesterov: false, epsilon: 1e-12)),
        ("path_sgd nesterov", .pathSGD(learningRate: 0.1, momentum: 0.9, nesterov: true, epsilon: 1e-12)),
    ]

    /// 25 steps from θ_0 and from ρ(θ_0) (c = 3 on one neuron, 1/9 on another): Path-SGD's
    /// trajectories agree to rounding at every step; SGD's, with the same η, measurably not.
    @Test func pathSGDTrajectoryCommutesWithRescaling() {
        let log = DifferenceLog("Path-SGD rescaling invariance, 6-5-4-3, 25 steps, c = 3 and 1/9")
        defer { log.flush() }
        for (name, settings) in Self.invarianceCases {
            let defects = Self.invarianceDefects(settings, c: 3, steps: 25)
            #expect(defects.count == 25)
            #expect(log.check("\(name): worst step max|θ̃ − ρθ|/max|ρθ|", defects.max() ?? .nan, tolerance: 1e-12))
        }
        let sgd = Self.invarianceDefects(.sgd(learningRate: 0.2, momentum: 0, nesterov: false, weightDecay: 0), c: 3, steps: 25)
        log.note(String(format: "sgd: defect after step 1 %.3g, after step 25 %.3g", sgd.first ?? .nan, sgd.last ?? .nan))
        // SGD breaks the invariance by far more than rounding: ≥ 1e-3 of the parameters' size.
        #expect((sgd.last ?? 0) > 1e-3, "SGD's rescaled trajectory differs by only \(sgd.last ?? .nan)")
        #expect((sgd.first ?? 0) > 1e-4, "SGD's first step differs by only \(sgd.first ?? .nan)")
    }

    /// With c a power of two every rescaled quantity is exact in binary floating point, so the
    /// Path-SGD trajectories agree bit for bit.
    @Test func powerOfTwoRescalingIsBitExact() {
        let defects = Self.invarianceDefects(
            .pathSGD(learningRate: 0.2, momentum: 0.5, nesterov: false, epsilon: 1e-12), c: 4, steps: 20)
        #expect(defects.allSatisfy { $0 == 0 }, "largest defect \(defects.max() ?? .nan)")
    }

    /// A hidden neuron with all-zero out-weights: its in-edges and bias have κ = 0 and a zero
    /// gradient; ε keeps them finite (no step), and the rest still trains. (One step: its
    /// out-weights then move off zero, and the path is alive again.)
    @Test func deadPathTakesNoStep() {
        let problem = Problem(sizes: [4, 3, 2], n: 10, seed: 3)
        let architecture = problem.architecture
        var theta = problem.parameters
        for j in 0..<architecture.fanOut(1) { theta[architecture.weightOffset(1) + j * 3 + 1] = 0 }
        let kappa = Self.scaling(architecture, theta)
        #expect(kappa[architecture.weightOffset(0) + 4] == 0 && kappa[architecture.biasOffset(0) + 1] == 0)
        let trajectory = Self.train(
            architecture, theta, inputs: problem.inputs, labels: problem.labels, batches: [Array(0..<10)],
            .pathSGD(learningRate: 0.1, momentum: 0, nesterov: false, epsilon: 1e-12))
        let last = trajectory.last ?? []
        #expect(last.allSatisfy { $0.isFinite })
        for i in 4..<8 { #expect(last[architecture.weightOffset(0) + i] == theta[architecture.weightOffset(0) + i]) }
        #expect(last[architecture.biasOffset(0) + 1] == theta[architecture.biasOffset(0) + 1])
        #expect(maxAbsDifference(last, theta) > 1e-4)
    }

    // MARK: - Helpers

    /// κ of `theta` from ``pathScaling(_:parameters:scaling:scratch:)``.
    static func scaling(_ architecture: MLPArchitecture, _ theta: [Double]) -> [Double] {
        var kappa = [Double](repeating: .nan, count: theta.count)
        var scratch = [Double](repeating: .nan, count: pathScalingScratchCount(architecture))
        theta.withUnsafeBufferPointer { t in
            kappa.withUnsafeMutableBufferPointer { k in
                scratch.withUnsafeMutableBufferPointer { s in
                    guard let t = t.baseAddress, let k = k.baseAddress, let s = s.baseAddress else { return }
                    pathScaling(architecture, parameters: t, scaling: k, scratch: s)
                }
            }
        }
        return kappa
    }

    /// θ after each of `batches` (row lists), in float64, through `trainingStep` as the trainer runs it.
    static func train(
        _ architecture: MLPArchitecture, _ theta0: [Double], inputs: [Double], labels: [Int32], batches: [[Int]],
        _ settings: OptimizerSettings
    ) -> [[Double]] {
        var theta = theta0
        var gradient = [Double](repeating: .nan, count: theta.count)
        var optimizer = OptimizerState<Double>(settings: settings, architecture: architecture)
        let workspace = MLPWorkspace<Double>(architecture, capacity: batches.map(\.count).max() ?? 1)
        var trajectory: [[Double]] = []
        for rows in batches {
            _ = rows.withUnsafeBufferPointer { rowBuffer in
                inputs.withUnsafeBufferPointer { x in
                    labels.withUnsafeBufferPointer { y in
                        guard let x = x.baseAddress, let y = y.baseAddress else { return Double.nan }
                        return trainingStep(
                            workspace: workspace, parameters: &theta, gradient: &gradient, optimizer: &optimizer,
                            rows: rowBuffer, inputs: x, labels: y, count: labels.count)
                    }
                }
            }
            trajectory.append(theta)
        }
        return trajectory
    }
}
