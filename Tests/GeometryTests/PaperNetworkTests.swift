import Foundation
import Geometry
import Network
import Testing
import TestSupport

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
            rule: .gap, relativeTolerance: 1e-10, threads: 1)
        let svd = try batchFunctionalDimension(
            architecture: paper, parameters: theta, inputs: inputs, count: n, variant: variant, method: .jacobian,
            rule: .gap, relativeTolerance: 1e-10, threads: 1)
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
                rule: .gap, relativeTolerance: 1e-10, conditioning: conditioning, threads: 1)
            let e = result.evidence
            print(String(format: "MEASURE n=%d %@/%@ rank=%d cap=%d gap=%.3g above=%.3g below=%.3g floor=%.3g numpy=%d rel=%d clear=%@ side=%@ Ptilde=%@ %.2f s",
                         n, method.rawValue, result.conditioning?.rawValue ?? "-", result.rank, result.rowCap, e.gapRatio, e.sigmaAbove, e.sigmaBelow, e.floor,
                         e.numpyRank, e.relativeRank, e.isClear ? "yes" : "no", result.gramSide?.rawValue ?? "-",
                         result.conditionedParameterCount.map(String.init) ?? "-", result.seconds))
        }
    }
}

// MARK: - Agreement of the methods, clear or not (the paper's architecture, saturated outputs)

/// On the paper's network with the output layer scaled up (a stand-in for a trained,
/// saturated network), every method agrees with the explicit SVD: where the SVD shows a clear
/// gap (ratio ≥ 1e3 above the Gram floor) the Gram ranks equal it; where it shows none, the
/// Gram methods do not claim a clear rank either. Both situations must occur in the sweep.
@Test(arguments: [(30, 1.0), (30, 40.0), (100, 1.0), (100, 60.0)])
func methodsAgreeOnClearAndUnclearSpectra(n: Int, outputScale: Double) throws {
    var random = TestRandom(seed: UInt64(n) &* 31 &+ UInt64(outputScale))
    var theta = randomParameters(paper, &random, biasScale: 0)
    for index in paper.weightRange(paper.layerCount - 1) { theta[index] *= outputScale }
    let inputs = gaussianInputs(n, 784, &random, mean: 0.5)
    var clearSeen = false, unclearSeen = false
    for variant in OutputVariant.allCases {
        let svd = try batchFunctionalDimension(
            architecture: paper, parameters: theta, inputs: inputs, count: n, variant: variant, method: .jacobian,
            rule: .gap, relativeTolerance: 1e-10, threads: 1)
        let gramFloor = RankEvidence.gramFloor(rows: svd.rows)
        let svdClearForGram = svd.evidence.isClear && svd.evidence.sigmaAbove > RankEvidence.clearGapRatio * gramFloor
        for method in [BFDMethod.gram, .gramInertia] {
            let structured = try batchFunctionalDimension(
                architecture: paper, parameters: theta, inputs: inputs, count: n, variant: variant, method: method,
                rule: .gap, relativeTolerance: 1e-10, threads: 1)
            if svdClearForGram {
                #expect(structured.evidence.isClear, "\(variant) \(method) n=\(n) ×\(outputScale): clear SVD gap not seen")
                #expect(structured.rank == svd.rank, "\(variant) \(method) n=\(n) ×\(outputScale): \(structured.rank) vs SVD \(svd.rank)")
            } else if !svd.evidence.isClear {
                #expect(!structured.evidence.isClear, "\(variant) \(method) n=\(n) ×\(outputScale): claims a clear rank the SVD does not show")
            }
        }
        if svdClearForGram { clearSeen = true }
        if !svd.evidence.isClear { unclearSeen = true }
    }
    if outputScale == 1 {
        #expect(clearSeen, "at initialisation every variant should have a clear gap")
    } else {
        #expect(unclearSeen, "a saturated softmax should show no clear gap (scale \(outputScale))")
    }
}
