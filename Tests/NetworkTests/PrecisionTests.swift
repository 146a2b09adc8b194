import Network
import SeededRandom
import Testing
import TestSupport

/// The Float network against the Double network on the same (Float-representable)
/// parameters and inputs: only the arithmetic's precision differs.
@Suite struct PrecisionTests {
    @Test func floatAndDoubleAgreeOnLogitsLossAndGradient() {
        let sizes = [20, 32, 16, 5]
        let n = 16
        let architecture = MLPArchitecture(inputSize: 20, hiddenWidths: [32, 16], outputSize: 5)

        // He-normal weights from one seed: the Float draw is the rounded Double draw.
        var doubleGenerator = SeededGenerator(seed: 3, stream: "init")
        var floatGenerator = SeededGenerator(seed: 3, stream: "init")
        let doubleInit = initialParameters(architecture, scheme: .heNormal, generator: &doubleGenerator, as: Double.self)
        let floatInit = initialParameters(architecture, scheme: .heNormal, generator: &floatGenerator, as: Float.self)
        #expect(floatInit == doubleInit.map(Float.init))

        // Same parameters in both precisions: the Float values, widened exactly; biases
        // nonzero so that their gradient is exercised. Inputs and biases are redrawn until
        // every pre-activation is at least 1e-4 from 0 (≫ Float rounding, ~1e-6), so both
        // precisions take the same ReLU branches.
        var floatParameters = floatInit
        var problem = Problem(sizes: sizes, n: n, seed: 21)
        var margin = 0.0
        for attempt in 0..<100 {
            problem = Problem(sizes: sizes, n: n, seed: 21 + UInt64(attempt))
            for layer in 0..<architecture.layerCount {
                for index in architecture.biasRange(layer) { floatParameters[index] = Float(problem.parameters[index]) }
            }
            margin = problem.naive.kinkMargin(
                parameters: floatParameters.map(Double.init), inputs: problem.inputs.map { Double(Float($0)) }, n: n)
            if margin >= 1e-4 { break }
        }
        #expect(margin >= 1e-4)
        let doubleParameters = floatParameters.map(Double.init)
        let floatInputs = problem.inputs.map(Float.init)
        let doubleInputs = floatInputs.map(Double.init)
        let log = DifferenceLog("Float vs Double on \(describe(sizes)), n = \(n), seed \(problem.seed), kink margin \(margin)")
        defer { log.flush() }

        let double = libraryLossAndGradient(
            architecture, parameters: doubleParameters, inputs: doubleInputs, labels: problem.labels, n: n)
        let float = libraryLossAndGradient(
            architecture, parameters: floatParameters, inputs: floatInputs, labels: problem.labels, n: n)

        #expect(log.check(
            "logits max|Δ|/max|z|", maxAbsDifference(float.logits, double.logits) / maxAbs(double.logits),
            tolerance: 1e-5))
        #expect(log.check("loss rel", abs(float.loss - double.loss) / double.loss, tolerance: 1e-5))
        #expect(float.correct == double.correct)
        for layer in 0..<architecture.layerCount {
            for (name, range) in [("W\(layer)", architecture.weightRange(layer)), ("b\(layer)", architecture.biasRange(layer))] {
                #expect(log.check(
                    "gradient \(name) ‖Δ‖/‖g‖",
                    relativeNormDifference(float.gradient[range], double.gradient[range], floor: 1e-300), tolerance: 1e-5))
            }
        }
    }
}
