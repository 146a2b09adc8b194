import Network
import Testing
import TestSupport

/// Half mean squared error: the loss against the naive twin's logits, its gradient against
/// central differences of that naive loss, and evaluation in batches.
@Suite struct MSELossTests {
    private func naiveHalfMSE(_ naive: NaiveMLP, _ theta: [Double], _ x: [Double], _ t: [Double], n: Int) -> Double {
        let z = naive.preActivations(parameters: theta, inputs: x, n: n)[naive.layerCount - 1]
        return zip(z, t).reduce(0) { $0 + 0.5 * ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(n)
    }

    @Test(arguments: [[3, 5, 2], [1, 12, 1], [4, 6, 5, 3]])
    func gradientMatchesCentralDifferences(sizes: [Int]) {
        let n = 7
        var problem = Problem.kinkFree(sizes: sizes, n: n, seed: 3, margin: 1e-4)
        var random = TestRandom(seed: 8)
        let d = sizes[sizes.count - 1]
        let targets = (0..<(n * d)).map { _ in random.uniform(-1, 1) }
        let naive = problem.naive
        let workspace = MLPWorkspace<Double>(problem.architecture, capacity: n + 2, loss: .mse)
        var gradient = [Double](repeating: .nan, count: problem.architecture.parameterCount)
        let labels = [Int32](repeating: 0, count: n)
        let result = workspace.lossAndGradient(
            parameters: problem.parameters, inputs: problem.inputs, labels: labels, targets: targets, n: n,
            gradient: &gradient)
        let reference = naiveHalfMSE(naive, problem.parameters, problem.inputs, targets, n: n)
        #expect(abs(result.loss - reference) <= 1e-13 * reference)
        #expect(result.correct == 0)
        let h = 1e-6
        var numeric: [Double] = []
        for k in 0..<problem.parameters.count {
            let saved = problem.parameters[k]
            problem.parameters[k] = saved + h
            let plus = naiveHalfMSE(naive, problem.parameters, problem.inputs, targets, n: n)
            problem.parameters[k] = saved - h
            let minus = naiveHalfMSE(naive, problem.parameters, problem.inputs, targets, n: n)
            problem.parameters[k] = saved
            numeric.append((plus - minus) / (2 * h))
        }
        #expect(relativeNormDifference(gradient, numeric, floor: 1e-300) < 1e-6, "\(sizes)")
        #expect(euclideanNorm(numeric) > 1e-4)
    }

    @Test("evaluation in batches: the mean half squared error over all rows, accuracy NaN")
    func evaluation() {
        let sizes = [2, 6, 3]
        let problem = Problem(sizes: sizes, n: 11, seed: 4)
        var random = TestRandom(seed: 2)
        let targets = (0..<33).map { _ in random.uniform(-1, 1) }
        let workspace = MLPWorkspace<Double>(problem.architecture, capacity: 4, loss: .mse)
        let result = workspace.evaluate(
            parameters: problem.parameters, inputs: problem.inputs, labels: problem.labels, targets: targets, count: 11)
        let reference = naiveHalfMSE(problem.naive, problem.parameters, problem.inputs, targets, n: 11)
        #expect(abs(result.loss - reference) <= 1e-13 * reference)
        #expect(result.accuracy.isNaN)
    }
}
