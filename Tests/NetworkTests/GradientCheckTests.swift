import Foundation
import Network
import Testing
import TestSupport

/// The analytic gradient of `MLPWorkspace<Double>.lossAndGradient` against central
/// differences of the naive twin's mean loss, block by block (W_l and b_l of every layer).
@Suite struct GradientCheckTests {
    static let step = 1e-6
    /// Blocks up to this many entries are checked entry by entry; larger ones on a sample.
    static let fullCheckLimit = 64
    static let sampleSize = 40

    @Test(arguments: [[7, 5, 4, 3], [12, 16, 10, 8, 4], [4, 6, 2]])
    func gradientMatchesCentralDifferences(sizes: [Int]) {
        let n = 6
        // Pre-activations at least 1e-4 from 0: a step of 1e-6 then never crosses a kink.
        var problem = Problem.kinkFree(sizes: sizes, n: n, seed: 1, margin: 1e-4)
        let naive = problem.naive
        // A workspace larger than the batch, so only its first n rows are in use.
        let library = libraryLossAndGradient(
            problem.architecture, parameters: problem.parameters, inputs: problem.inputs, labels: problem.labels,
            n: n, capacity: n + 5)
        let referenceLoss = naive.meanLoss(
            parameters: problem.parameters, inputs: problem.inputs, labels: problem.labels, n: n)
        let log = DifferenceLog("gradient check \(describe(sizes)), n = \(n), seed \(problem.seed), loss \(library.loss)")
        defer { log.flush() }
        #expect(log.check("loss rel vs naive", abs(library.loss - referenceLoss) / referenceLoss, tolerance: 1e-13))
        #expect(library.gradient.allSatisfy { $0.isFinite })

        var random = TestRandom(seed: 77)
        for (layer, offsets) in naive.offsets.enumerated() {
            let weightCount = sizes[layer + 1] * sizes[layer]
            let blocks = [
                ("W\(layer)", offsets.weight..<(offsets.weight + weightCount)),
                ("b\(layer)", offsets.bias..<(offsets.bias + sizes[layer + 1])),
            ]
            for (name, range) in blocks {
                var indices = Array(range)
                if indices.count > Self.fullCheckLimit {
                    indices.shuffle(using: &random)
                    indices = Array(indices.prefix(Self.sampleSize)).sorted()
                }
                let numeric = indices.map { index -> Double in
                    let saved = problem.parameters[index]
                    problem.parameters[index] = saved + Self.step
                    let plus = naive.meanLoss(
                        parameters: problem.parameters, inputs: problem.inputs, labels: problem.labels, n: n)
                    problem.parameters[index] = saved - Self.step
                    let minus = naive.meanLoss(
                        parameters: problem.parameters, inputs: problem.inputs, labels: problem.labels, n: n)
                    problem.parameters[index] = saved
                    return (plus - minus) / (2 * Self.step)
                }
                let analytic = indices.map { library.gradient[$0] }
                let label = "\(name) (\(indices.count) of \(range.count)) ‖g‖ \(euclideanNorm(analytic).formatted3) "
                    + "max|Δ| \(maxAbsDifference(analytic, numeric).formatted3), ‖Δ‖/‖g‖"
                #expect(log.check(label, relativeNormDifference(analytic, numeric, floor: 1e-300), tolerance: 1e-6))
                // A block whose gradient vanishes would make the check vacuous.
                #expect(euclideanNorm(numeric) > 1e-6, "block \(name) has a vanishing gradient")
            }
        }
    }
}

extension Double {
    /// "%.3e".
    var formatted3: String { String(format: "%.3e", self) }
}
