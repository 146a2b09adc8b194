import Linalg
import Network
import Optimizers
import Testing

/// The one list of a training step's GEMMs (`StepGEMMs`), written out by hand for a small
/// network, and what the optimizers make of it.
@Suite struct StepGEMMsTests {
    typealias Entry = (role: LayerGEMM<Double>.Role, layer: Int, trans: String, mnk: [Int], a: StepOperand,
                       b: StepOperand, c: StepOperand)

    /// 7-5-4-3 on n = 6 rows: three forward GEMMs, then from the last layer down dX and the
    /// weight GEMM, no dX for layer 0.
    @Test func theListIsTheStepsGEMMsInOrder() {
        let architecture = MLPArchitecture(inputSize: 7, hiddenWidths: [5, 4], outputSize: 3)
        let scalars = GEMMScalars<Double>(alpha: -0.5, beta: 0.75)
        let gemms = StepGEMMs(architecture, rows: 6, weightGradient: scalars)
        let expected: [Entry] = [
            (.forward, 0, "NT", [6, 5, 7], .inputs, .weight(0), .output(0)),
            (.forward, 1, "NT", [6, 4, 5], .output(0), .weight(1), .output(1)),
            (.forward, 2, "NT", [6, 3, 4], .output(1), .weight(2), .output(2)),
            (.inputGradient, 2, "NN", [6, 4, 3], .outputGradient(2), .weight(2), .outputGradient(1)),
            (.weightGradient, 2, "TN", [3, 4, 6], .outputGradient(2), .output(1), .weightGradient(2)),
            (.inputGradient, 1, "NN", [6, 5, 4], .outputGradient(1), .weight(1), .outputGradient(0)),
            (.weightGradient, 1, "TN", [4, 5, 6], .outputGradient(1), .output(0), .weightGradient(1)),
            (.weightGradient, 0, "TN", [5, 7, 6], .outputGradient(0), .inputs, .weightGradient(0)),
        ]
        #expect(gemms.count == expected.count)
        let letter = { (t: Transpose) in t == .none ? "N" : "T" }
        for (step, entry) in zip(gemms, expected) {
            let g = step.gemm
            #expect(step.role == entry.role && step.layer == entry.layer, "\(step)")
            #expect(letter(g.transA) + letter(g.transB) == entry.trans && [g.m, g.n, g.k] == entry.mnk, "\(step)")
            #expect(step.a == entry.a && step.b == entry.b && step.c == entry.c, "\(step)")
            // Packed row-major operands.
            #expect(g.lda == (g.transA == .none ? g.k : g.m) && g.ldb == (g.transB == .none ? g.n : g.k) && g.ldc == g.n)
            let expectedScalars: GEMMScalars<Double> = switch g.role {
            case .forward: .accumulate
            case .inputGradient: .overwrite
            case .weightGradient: scalars
            }
            #expect(g.scalars == expectedScalars, "\(step)")
        }
        // The forward and backward passes alone are the two halves of the list.
        let forward = StepGEMMs<Double>.forward(architecture, rows: 6)
        let backward = StepGEMMs(architecture, rows: 6, weightGradient: scalars)
        #expect(Array(forward) == Array(gemms.prefix(3)))
        #expect(Array(StepGEMMs.backward(architecture, rows: 6, weightGradient: scalars)) == Array(backward.dropFirst(3)))
        #expect(gemms.flops == 2 * 6 * (2 * 7 * 5 + 3 * 5 * 4 + 3 * 4 * 3))
    }

    /// Plain SGD folds θ ← θ − η·(∇ + λ·θ) into the weight GEMMs (α = −η, β = 1 − η·λ in the
    /// training precision); momentum and Adam take the gradient itself (α = 1, β = 0).
    @Test func optimizersChooseTheWeightGEMMsScalars() {
        let architecture = MLPArchitecture(inputSize: 7, hiddenWidths: [5], outputSize: 3)
        let plain = OptimizerSettings.sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0.01)
        let eta = Float(0.1), lambda = Float(0.01)
        #expect(plain.fusedWeightUpdate(Float.self) == GEMMScalars(alpha: -eta, beta: 1 - eta * lambda))
        #expect(plain.stepGEMMs(architecture, rows: 4, as: Float.self).weightGradient
                == GEMMScalars(alpha: -eta, beta: 1 - eta * lambda))
        let others: [OptimizerSettings] = [
            .sgd(learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0),
            .adam(learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, decoupled: false),
        ]
        for settings in others {
            #expect(settings.fusedWeightUpdate(Double.self) == nil)
            #expect(settings.stepGEMMs(architecture, rows: 4, as: Double.self).weightGradient == .overwrite)
        }
        #expect(plain.learningRate == 0.1 && others.map(\.learningRate) == [0.1, 0.001])
    }
}
