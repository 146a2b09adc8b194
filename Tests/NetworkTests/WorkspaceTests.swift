import Network
import Testing
import TestSupport

/// `MLPWorkspace.evaluate` in batches of `capacity` rows against one pass over everything,
/// and against the naive twin.
@Suite struct WorkspaceTests {
    static let count = 50

    @Test(arguments: [1, 7, 25, 49, 64])
    func evaluateInBatchesEqualsOneBigEvaluation(capacity: Int) {
        let problem = Problem(sizes: [10, 12, 9, 4], n: Self.count, seed: 31)
        let architecture = problem.architecture

        let log = DifferenceLog("evaluate \(describe(problem.sizes)), count \(Self.count), capacity \(capacity)")
        defer { log.flush() }
        let whole = libraryEvaluate(
            architecture, capacity: Self.count, parameters: problem.parameters, inputs: problem.inputs,
            labels: problem.labels, count: Self.count)
        let batched = libraryEvaluate(
            architecture, capacity: capacity, parameters: problem.parameters, inputs: problem.inputs,
            labels: problem.labels, count: Self.count)
        let logits = problem.naive.preActivations(parameters: problem.parameters, inputs: problem.inputs, n: Self.count)
            .last!
        let naive = naiveCrossEntropy(logits: logits, labels: problem.labels, n: Self.count, d: 4)
        let naiveLoss = naive.lossSum / Double(Self.count)

        #expect(log.check(
            "Double loss rel vs one batch", abs(batched.loss - whole.loss) / whole.loss,
            tolerance: 1e-14))
        #expect(log.check(
            "Double loss rel vs naive", abs(batched.loss - naiveLoss) / naiveLoss,
            tolerance: 1e-13))
        #expect(batched.accuracy == whole.accuracy)
        #expect(batched.accuracy == Double(naive.correct) / Double(Self.count))

        let floatParameters = problem.parameters.map(Float.init)
        let floatInputs = problem.inputs.map(Float.init)
        let floatWhole = libraryEvaluate(
            architecture, capacity: Self.count, parameters: floatParameters, inputs: floatInputs,
            labels: problem.labels, count: Self.count)
        let floatBatched = libraryEvaluate(
            architecture, capacity: capacity, parameters: floatParameters, inputs: floatInputs,
            labels: problem.labels, count: Self.count)
        #expect(log.check(
            "Float loss rel vs one batch",
            abs(floatBatched.loss - floatWhole.loss) / floatWhole.loss, tolerance: 1e-6))
        #expect(floatBatched.accuracy == floatWhole.accuracy)
    }

    /// The mean loss of `lossAndGradient` equals `evaluate`'s on the same batch.
    @Test func lossAndGradientAgreesWithEvaluate() {
        let problem = Problem(sizes: [10, 12, 9, 4], n: 20, seed: 32)
        let trained = libraryLossAndGradient(
            problem.architecture, parameters: problem.parameters, inputs: problem.inputs, labels: problem.labels,
            n: 20, capacity: 32)
        let evaluated = libraryEvaluate(
            problem.architecture, capacity: 32, parameters: problem.parameters, inputs: problem.inputs,
            labels: problem.labels, count: 20)
        #expect(reportDifference(
            "lossAndGradient vs evaluate loss |Δ|", abs(trained.loss - evaluated.loss), tolerance: 1e-15))
        #expect(Double(trained.correct) / 20 == evaluated.accuracy)
    }
}
