import Foundation
import Geometry
import Linalg
import Network
import Optimizers
import Testing
import TestSupport

/// Symmetry-induced critical manifolds (Şimşek et al., ICML 2021): `duplicatingNeuron` embeds
/// a width-r network into width r + 1 by duplicating a hidden neuron and splitting its
/// out-weights λ·a and (1 − λ)·a. The function and the BFD stay those of the narrow network,
/// and at λ = ½ the two copies are a fixed point of every optimizer's symmetry.
@Suite struct SymmetryTests {
    /// 3-4-3-2 on 30 Gaussian inputs: n·d = 60 > P − hidden = 32, so the BFD is limited by the
    /// parameters, not the row cap, and a wider network could show a larger one.
    static let architecture = MLPArchitecture(inputSize: 3, hiddenWidths: [4, 3], outputSize: 2)
    static let n = 30

    static func problem() -> (theta: [Double], inputs: [Double]) {
        var random = TestRandom(seed: 21)
        return (randomParameters(architecture, &random, biasScale: 0.3), gaussianInputs(n, 3, &random, mean: 0.2))
    }

    static func logits(_ architecture: MLPArchitecture, _ theta: [Double], _ inputs: [Double]) -> [Double] {
        (0..<n).flatMap { i in
            naiveOutputs(architecture, theta, Array(inputs[(i * 3)..<((i + 1) * 3)]), .logits)
        }
    }

    @Test("outputs are unchanged for every λ, in either hidden layer", arguments: [0.0, 0.25, 0.5, 1.0, 0.3, 1.7, -0.6])
    func outputsAreIdentical(lambda: Double) {
        let (theta, inputs) = Self.problem()
        let reference = Self.logits(Self.architecture, theta, inputs)
        for (layer, neuron) in [(0, 2), (1, 0)] {
            let wide = duplicatingNeuron(Self.architecture, parameters: theta, layer: layer, neuron: neuron, split: lambda)
            #expect(wide.architecture.hiddenWidths == (layer == 0 ? [5, 3] : [4, 4]))
            let outputs = Self.logits(wide.architecture, wide.parameters, inputs)
            // Exact when λ·a and (1 − λ)·a are exact (λ a multiple of ¼ in [0, 1]); an ulp of a otherwise.
            let difference = maxAbsDifference(outputs, reference) / maxAbs(reference)
            #expect(difference < 1e-15, "λ = \(lambda), layer \(layer): outputs differ by \(difference)")
        }
    }

    /// The rank of the Jacobian at the embedded point equals the narrow network's: the copies'
    /// in-weight columns are λ and 1 − λ times the original's and their out-weight columns are
    /// equal. Measured by the exact engine (rank mod p) and the numerical Gram route; a generic
    /// point of the wider network, for contrast, has a larger BFD.
    @Test("the BFD is unchanged by the embedding, exact and numerical", arguments: [0.25, 0.5, 1.0])
    func bfdIsUnchanged(lambda: Double) throws {
        let (theta, inputs) = Self.problem()
        let narrow = try Self.ranks(Self.architecture, theta, inputs)
        #expect(narrow.exact > 0 && narrow.exact <= 32)
        for (layer, neuron) in [(0, 1), (1, 2)] {
            let wide = duplicatingNeuron(Self.architecture, parameters: theta, layer: layer, neuron: neuron, split: lambda)
            let embedded = try Self.ranks(wide.architecture, wide.parameters, inputs)
            #expect(embedded.exact == narrow.exact, "λ = \(lambda), layer \(layer): exact \(embedded.exact) vs \(narrow.exact)")
            #expect(embedded.numerical == narrow.numerical,
                    "λ = \(lambda), layer \(layer): numerical \(embedded.numerical) vs \(narrow.numerical)")
            // Moving the copy's in-weights off the original's leaves the manifold: the BFD grows.
            var random = TestRandom(seed: 99)
            var generic = wide.parameters
            for index in wide.architecture.weightRange(layer).suffix(wide.architecture.fanIn(layer)) {
                generic[index] += 0.3 * random.uniform(-1, 1)
            }
            let off = try Self.ranks(wide.architecture, generic, inputs)
            #expect(off.exact > narrow.exact, "a generic wider point has BFD \(off.exact), narrow \(narrow.exact)")
        }
    }

    /// (exact rank of the logits Jacobian, numerical Gram rank with the gap rule).
    static func ranks(_ architecture: MLPArchitecture, _ theta: [Double], _ inputs: [Double]) throws -> (exact: Int, numerical: Int) {
        let exact = try exactBatchFunctionalDimensions(
            architecture: architecture, parameters: theta, inputs: inputs, count: n, encoding: .binaryFloats,
            variants: [.logits], settings: ExactBFDSettings(primeCount: 2, seed: 0), threads: 1)[0]
        let numerical = try batchFunctionalDimension(
            architecture: architecture, parameters: theta, inputs: inputs, count: n, variant: .logits,
            method: .gram, rule: .gap, relativeTolerance: 1e-10, threads: 1)
        #expect(numerical.evidence.isClear, "no clear gap in the numerical spectrum")
        return (exact.rank, numerical.rank)
    }

    static let optimizers: [(String, OptimizerSettings)] = [
        ("sgd", .sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0)),
        ("sgd momentum", .sgd(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01)),
        ("adam", .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0, decoupled: false)),
        ("path_sgd", .pathSGD(learningRate: 0.1, momentum: 0.9, nesterov: false, epsilon: 1e-12)),
    ]

    /// At λ = ½ both copies get the same gradient, moment and κ at every step, so training keeps
    /// them identical (to rounding; bitwise when the GEMMs treat the two columns alike). At
    /// λ = 0.3 their gradients differ by the factor λ/(1 − λ) and they separate: the check can fail.
    @Test("at λ = ½ the two copies stay identical under SGD, Adam and Path-SGD")
    func halfSplitIsPreservedByTraining() {
        let (theta, inputs) = Self.problem()
        var random = TestRandom(seed: 4)
        let labels = (0..<Self.n).map { _ in Int32(random.next() % 2) }
        let batches = (0..<30).map { _ in (0..<10).map { _ in Int(random.next() % UInt64(Self.n)) } }
        let log = DifferenceLog("copies of a duplicated neuron after 30 steps, max |Δ| / max |θ|")
        defer { log.flush() }
        for (name, settings) in Self.optimizers {
            for lambda in [0.5, 0.3] {
                let wide = duplicatingNeuron(Self.architecture, parameters: theta, layer: 0, neuron: 1, split: lambda)
                let trained = Self.train(wide.architecture, wide.parameters, inputs: inputs, labels: labels,
                                         batches: batches, settings)
                let scale = maxAbs(trained)
                if lambda == 0.5 {
                    let gap = Self.copyDifference(wide.architecture, trained, layer: 0, neuron: 1, outWeights: true) / scale
                    #expect(log.check("\(name) λ = ½", gap, tolerance: 1e-14))
                } else {
                    // The out-weights differ from the start (0.3·a, 0.7·a); the in-weights start equal.
                    let gap = Self.copyDifference(wide.architecture, trained, layer: 0, neuron: 1, outWeights: false) / scale
                    log.note("\(name) λ = 0.3: \(gap)")
                    #expect(gap > 1e-4, "\(name): at λ = 0.3 the copies' in-weights differ by only \(gap)")
                }
                #expect(maxAbsDifference(trained, wide.parameters) > 1e-3, "\(name): training moved nothing")
            }
        }
    }

    /// The largest difference between the duplicated neuron and its copy (the last neuron of
    /// the layer): in-weights and bias, and the out-weights when `outWeights`.
    static func copyDifference(
        _ architecture: MLPArchitecture, _ theta: [Double], layer: Int, neuron: Int, outWeights: Bool
    ) -> Double {
        let fanIn = architecture.fanIn(layer), copy = architecture.fanOut(layer) - 1
        var worst = 0.0
        for i in 0..<fanIn {
            let w = architecture.weightOffset(layer)
            worst = max(worst, abs(theta[w + neuron * fanIn + i] - theta[w + copy * fanIn + i]))
        }
        let b = architecture.biasOffset(layer)
        worst = max(worst, abs(theta[b + neuron] - theta[b + copy]))
        guard outWeights else { return worst }
        let next = layer + 1, nextFanIn = architecture.fanIn(next)
        for j in 0..<architecture.fanOut(next) {
            let w = architecture.weightOffset(next) + j * nextFanIn
            worst = max(worst, abs(theta[w + neuron] - theta[w + copy]))
        }
        return worst
    }

    /// θ after `batches`, in float64, through `trainingStep` as the trainer runs it.
    static func train(
        _ architecture: MLPArchitecture, _ theta0: [Double], inputs: [Double], labels: [Int32], batches: [[Int]],
        _ settings: OptimizerSettings
    ) -> [Double] {
        var theta = theta0
        var gradient = [Double](repeating: .nan, count: theta.count)
        var optimizer = OptimizerState<Double>(settings: settings, architecture: architecture)
        let workspace = MLPWorkspace<Double>(architecture, capacity: batches.map(\.count).max() ?? 1)
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
        }
        return theta
    }
}
