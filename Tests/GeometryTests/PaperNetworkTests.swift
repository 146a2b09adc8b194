import Foundation
import Geometry
import Network
import Testing

// MARK: - The paper's network, 784-30-30-30-10, at Glorot-uniform initialisation

private let paper = MLPArchitecture(inputSize: 784, hiddenWidths: [30, 30, 30], outputSize: 10)

@Test(arguments: [10, 30])
func paperNetworkAtInitialisationReachesTheRowCap(n: Int) throws {
    var random = TestRandom(seed: 1)
    let theta = randomParameters(paper, &random, biasScale: 0)  // Keras: zero biases
    let inputs = gaussianInputs(n, 784, &random, mean: 0.5)
    #expect(paper.parameterCount == 25_720)
    for variant in [OutputVariant.logits, .centred] {
        let gram = try batchFunctionalDimension(
            architecture: paper, parameters: theta, inputs: inputs, count: n, variant: variant, method: .gram,
            rule: .gap, relativeTolerance: 1e-10)
        let svd = try batchFunctionalDimension(
            architecture: paper, parameters: theta, inputs: inputs, count: n, variant: variant, method: .jacobian,
            rule: .gap, relativeTolerance: 1e-10)
        #expect(gram.gramSide == .rows)
        #expect(svd.evidence.isClear && gram.evidence.isClear)
        #expect(gram.rank == svd.rank)
        #expect(svd.rank == svd.rowCap, "\(variant) n=\(n): rank \(svd.rank), cap \(svd.rowCap)")
        #expect(svd.parameterCountMinusHidden == 25_630)
    }
}

/// The measurement asked for in the design review; run with GEODIM_MEASURE_BFD=1.
@Test(.enabled(if: ProcessInfo.processInfo.environment["GEODIM_MEASURE_BFD"] == "1"))
func measurePaperNetworkTimings() throws {
    for n in [100, 300] {
        var random = TestRandom(seed: 2026)
        let theta = randomParameters(paper, &random, biasScale: 0)
        let inputs = gaussianInputs(n, 784, &random, mean: 0.5)
        for (method, conditioning) in [(BFDMethod.gram, GramConditioning.projector), (.gram, .plain), (.jacobian, .projector)] {
            let result = try batchFunctionalDimension(
                architecture: paper, parameters: theta, inputs: inputs, count: n, variant: .centred, method: method,
                rule: .gap, relativeTolerance: 1e-10, conditioning: conditioning)
            let e = result.evidence
            print(String(format: "MEASURE n=%d %@/%@ rank=%d cap=%d gap=%.3g above=%.3g below=%.3g floor=%.3g numpy=%d rel=%d clear=%@ side=%@ Ptilde=%@ %.2f s",
                         n, method.rawValue, result.conditioning?.rawValue ?? "-", result.rank, result.rowCap, e.gapRatio, e.sigmaAbove, e.sigmaBelow, e.floor,
                         e.numpyRank, e.relativeRank, e.isClear ? "yes" : "no", result.gramSide?.rawValue ?? "-",
                         result.conditionedParameterCount.map(String.init) ?? "-", result.seconds))
        }
    }
}
