import Linalg
import Network
import Testing
import TestSupport

/// `mlpForward` and `softmaxCrossEntropy` against the naive twin (NaiveReference.swift).
@Suite struct ForwardTests {
    /// Every layer's output of the BLAS forward equals the scalar triple loop, in Double to
    /// 1e-12 and in Float to 1e-5 (relative to the largest magnitude of that layer). The
    /// Float reference is computed in Double from the very same (Float) values.
    @Test(arguments: [1, 37])
    func forwardMatchesTheNaiveTwin(n: Int) {
        let problem = Problem(sizes: [33, 47, 29, 10], n: n, seed: 11)
        let architecture = problem.architecture

        let log = DifferenceLog("forward \(describe(problem.sizes)), n = \(n), vs the naive twin (max|Δ|/max(1, max|ref|))")
        defer { log.flush() }
        let reference = problem.naive.outputs(parameters: problem.parameters, inputs: problem.inputs, n: n)
        let double = libraryForward(architecture, parameters: problem.parameters, inputs: problem.inputs, n: n)
        for layer in 0..<architecture.layerCount {
            let scale = max(1, maxAbs(reference[layer]))
            #expect(log.check(
                "Double layer \(layer)", maxAbsDifference(double[layer], reference[layer]) / scale,
                tolerance: 1e-12))
        }

        let floatParameters = problem.parameters.map(Float.init)
        let floatInputs = problem.inputs.map(Float.init)
        let floatReference = problem.naive.outputs(
            parameters: floatParameters.map(Double.init), inputs: floatInputs.map(Double.init), n: n)
        let float = libraryForward(architecture, parameters: floatParameters, inputs: floatInputs, n: n)
        for layer in 0..<architecture.layerCount {
            let scale = max(1, maxAbs(floatReference[layer]))
            #expect(log.check(
                "Float layer \(layer)",
                maxAbsDifference(float[layer], floatReference[layer]) / scale, tolerance: 1e-5))
        }
        // Hidden outputs are post-ReLU: never negative, and some actually clipped.
        #expect(double[0].allSatisfy { $0 >= 0 } && double[1].allSatisfy { $0 >= 0 })
        #expect(double[0].contains(0))
    }

    /// Loss sum, arg-max count and (softmax − onehot)/n against a naive, unshifted
    /// log-sum-exp.
    @Test func softmaxCrossEntropyMatchesNaiveLogSumExp() {
        let (n, d) = (20, 7)
        var random = TestRandom(seed: 5)
        let logits = (0..<(n * d)).map { _ in 3 * random.normal() }
        let labels = (0..<n).map { _ in Int32(random.index(below: d)) }
        let reference = naiveCrossEntropy(logits: logits, labels: labels, n: n, d: d)
        let referenceGradient = naiveCrossEntropyGradient(logits: logits, labels: labels, n: n, d: d, scale: 1 / Double(n))

        let log = DifferenceLog("softmaxCrossEntropy, n = \(n), d = \(d), vs naive log-sum-exp")
        defer { log.flush() }
        let double = crossEntropy(logits: logits, labels: labels, n: n, d: d, scale: 1 / Double(n))
        #expect(log.check(
            "Double loss rel", abs(double.lossSum - reference.lossSum) / reference.lossSum, tolerance: 1e-13))
        #expect(log.check(
            "Double dlogits max|Δ|", maxAbsDifference(double.dlogits, referenceGradient), tolerance: 1e-15))
        #expect(double.correct == reference.correct)
        #expect(reference.correct > 0 && reference.correct < n)

        let floatLogits = logits.map(Float.init)
        let floatReference = naiveCrossEntropy(logits: floatLogits.map(Double.init), labels: labels, n: n, d: d)
        let floatReferenceGradient = naiveCrossEntropyGradient(
            logits: floatLogits.map(Double.init), labels: labels, n: n, d: d, scale: 1 / Double(n))
        let float = crossEntropy(logits: floatLogits, labels: labels, n: n, d: d, scale: 1 / Float(n))
        #expect(log.check(
            "Float loss rel", abs(float.lossSum - floatReference.lossSum) / floatReference.lossSum,
            tolerance: 1e-5))
        #expect(log.check(
            "Float dlogits max|Δ|", maxAbsDifference(float.dlogits, floatReferenceGradient), tolerance: 1e-7))
        #expect(float.correct == floatReference.correct)

        // The arg-max count on its own: labels that are every row's arg-max (wherever it
        // lies, first or last column included) count n, labels one column off count 0.
        let argMaxLabels = (0..<n).map { row in
            Int32((0..<d).max { logits[row * d + $0] < logits[row * d + $1] }!)
        }
        let shiftedLabels = argMaxLabels.map { ($0 + 1) % Int32(d) }
        #expect(Set(argMaxLabels).count == d, "every column should be some row's arg-max")
        #expect(crossEntropy(logits: logits, labels: argMaxLabels, n: n, d: d, scale: 1).correct == n)
        #expect(crossEntropy(logits: logits, labels: shiftedLabels, n: n, d: d, scale: 1).correct == 0)
        #expect(crossEntropy(logits: floatLogits, labels: argMaxLabels, n: n, d: d, scale: Float(1)).correct == n)

        // Without a gradient buffer the loss is the same.
        let lossOnly = logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                softmaxCrossEntropy(logits: z.baseAddress!, labels: y.baseAddress!, n: n, d: d, dlogits: nil, scale: 1)
            }
        }
        #expect(lossOnly.lossSum == double.lossSum && lossOnly.correct == double.correct)
    }

    /// Adding a constant to every logit of a row changes nothing; with offsets whose
    /// exponential overflows, a naive log-sum-exp would give inf, the library must not.
    @Test func softmaxCrossEntropyIsShiftInvariantAndStable() {
        let (n, d) = (12, 5)
        var random = TestRandom(seed: 9)
        let logits = (0..<(n * d)).map { _ in random.normal() }
        let labels = (0..<n).map { _ in Int32(random.index(below: d)) }
        let offsets = (0..<n).map { row in row % 2 == 0 ? 1000.0 : -1000.0 }
        let shifted = logits.enumerated().map { index, z in z + offsets[index / d] }
        let log = DifferenceLog("softmaxCrossEntropy, rows shifted by ±1000 (Double) and ±100 (Float)")
        defer { log.flush() }
        let base = crossEntropy(logits: logits, labels: labels, n: n, d: d, scale: 1)
        let moved = crossEntropy(logits: shifted, labels: labels, n: n, d: d, scale: 1)
        #expect(moved.lossSum.isFinite && moved.dlogits.allSatisfy { $0.isFinite })
        #expect(log.check("Double loss |Δ|", abs(moved.lossSum - base.lossSum), tolerance: 1e-10))
        #expect(log.check("Double dlogits max|Δ|", maxAbsDifference(moved.dlogits, base.dlogits),
                                 tolerance: 1e-10))
        #expect(moved.correct == base.correct)

        // Float: exp(100) already overflows.
        let floatBase = crossEntropy(logits: logits.map(Float.init), labels: labels, n: n, d: d, scale: Float(1))
        let floatMoved = crossEntropy(
            logits: logits.enumerated().map { Float($1 + offsets[$0 / d] / 10) }, labels: labels, n: n, d: d, scale: Float(1))
        #expect(floatMoved.lossSum.isFinite && floatMoved.dlogits.allSatisfy { $0.isFinite })
        #expect(log.check("Float loss |Δ|", abs(floatMoved.lossSum - floatBase.lossSum),
                                 tolerance: 1e-4 * Double(n)))
    }
}

/// `softmaxCrossEntropy` with arrays; the gradient buffer starts as NaN.
func crossEntropy<S: BLASScalar>(logits: [S], labels: [Int32], n: Int, d: Int, scale: S)
    -> (lossSum: Double, correct: Int, dlogits: [S])
{
    var dlogits = [S](repeating: .nan, count: n * d)
    let result = logits.withUnsafeBufferPointer { z in
        labels.withUnsafeBufferPointer { y in
            dlogits.withUnsafeMutableBufferPointer { dz in
                softmaxCrossEntropy(logits: z.baseAddress!, labels: y.baseAddress!, n: n, d: d,
                                    dlogits: dz.baseAddress!, scale: scale)
            }
        }
    }
    return (result.lossSum, result.correct, dlogits)
}
