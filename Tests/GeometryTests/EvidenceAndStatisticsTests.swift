import Geometry
import Network
import Testing
import TestSupport

// MARK: - Rank evidence on synthetic spectra

@Test func rankEvidenceFindsTheGapAboveTheFloor() {
    let spectrum = [1, 0.5, 1e-3, 1e-12, 1e-13, 0]
    let evidence = RankEvidence(spectrum: spectrum, rows: 6, columns: 10, floor: 1e-7, rule: .gap, relativeTolerance: 1e-2)
    #expect(evidence.gapRank == 3)
    #expect(evidence.headline == 3)
    #expect(evidence.gapRatio == 1e9)
    #expect(evidence.sigmaAbove == 1e-3 && evidence.sigmaBelow == 1e-12)
    // numpy's threshold 10·eps ≈ 2.2e-15 is raised to the floor 1e-7: values below it are noise.
    #expect(evidence.numpyRank == 3)
    // With an SVD-sized floor the plain numpy rule applies: 1e-13 > 10·eps.
    let svd = RankEvidence(spectrum: spectrum, rows: 6, columns: 10, floor: RankEvidence.svdFloor(rows: 6, columns: 10),
                           rule: .numpy, relativeTolerance: 1e-2)
    #expect(svd.numpyRank == 5 && svd.headline == 5)
    #expect(evidence.relativeRank == 2)
    #expect(evidence.rulesDisagree)
    #expect(evidence.isClear)
    #expect(abs(evidence.absoluteTolerance - (1e-3 * 1e-12).squareRoot()) < 1e-20)
    // The same spectrum under the relative rule: cut 2, gap 500, not clear.
    let relative = RankEvidence(spectrum: spectrum, rows: 6, columns: 10, floor: 1e-7, rule: .relative, relativeTolerance: 1e-2)
    #expect(relative.headline == 2 && relative.gapRatio == 500 && !relative.isClear)
    #expect(relative.absoluteTolerance == 1e-2)
}

@Test func rankEvidenceIgnoresGapsBelowTheFloorAndHandlesEdges() {
    // The biggest ratio (1e-9 / 1e-15) is below the floor, so the cut is the largest one above.
    let evidence = RankEvidence(spectrum: [2, 1, 1e-8, 1e-9, 1e-15], rows: 5, columns: 5, floor: 1e-6, rule: .gap,
                                relativeTolerance: 0)
    #expect(evidence.gapRank == 2)
    // Nothing at or below the floor: full rank, infinite gap.
    let full = RankEvidence(spectrum: [3, 2, 1], rows: 3, columns: 9, floor: 1e-7, rule: .gap, relativeTolerance: 0.5)
    #expect(full.headline == 3 && full.gapRatio == .infinity && full.isClear && full.sigmaBelow == 0)
    #expect(full.relativeRank == 2 && full.numpyRank == 3)
    // An all-zero spectrum has rank 0; unsorted and negative input is clamped and sorted.
    let zero = RankEvidence(spectrum: [0, 0], rows: 2, columns: 2, floor: 1e-7, rule: .gap, relativeTolerance: 0)
    #expect(zero.headline == 0 && zero.isClear)
    let messy = RankEvidence(spectrum: [-1e-9, 1, 4], rows: 3, columns: 3, floor: 1e-7, rule: .gap, relativeTolerance: 0)
    #expect(messy.spectrum == [4, 1, 0] && messy.headline == 2 && messy.gapRatio == .infinity)
}

// MARK: - Activation statistics on hand-built networks

/// 2-2-2-1: hidden layer 1 is relu(x) (W = I, b = 0); hidden layer 2 has neuron 0 =
/// relu(h_0 + h_1 + 1) (always active, activations are ≥ 0) and neuron 1 = relu(−h_0 − h_1 − 1)
/// (dead); the output sums them.
private let handBuilt = MLPArchitecture(inputSize: 2, hiddenWidths: [2, 2], outputSize: 1)
private let handBuiltParameters: [Double] = [
    1, 0, 0, 1, 0, 0,        // W_0 = I, b_0 = 0
    1, 1, -1, -1, 1, -1,     // W_1 = [[1, 1], [−1, −1]], b_1 = [1, −1]
    1, 1, 0,                 // W_2 = [1, 1], b_2 = 0
]

@Test func activationStatisticsOnAHandBuiltNetwork() throws {
    #expect(handBuiltParameters.count == handBuilt.parameterCount)
    // Patterns (h1_0, h1_1, h2_0, h2_1): (1,1,1,0) (1,0,1,0) (0,1,1,0) (0,0,1,0) (1,1,1,0): 4 distinct.
    let inputs: [Double] = [1, 1, 1, -1, -1, 1, -1, -1, 2, 3]
    let stats = try activationStatistics(architecture: handBuilt, parameters: handBuiltParameters, inputs: inputs, count: 5)
    #expect(stats.hiddenWidths == [2, 2])
    #expect(stats.deadNeurons == [[], [1]])
    #expect(stats.alwaysActiveNeurons == [[], [0]])
    #expect(stats.distinctPatterns == 4)
    #expect(stats.parameterCountMinusHidden == 15 - 4)
    // One dead neuron between layers of widths 2 and 1: the bound drops by 3.
    #expect(stats.impliedBound == 11 - 3)

    // Inputs with x_0 < 0 only: hidden-1 neuron 0 is dead too, next to the dead hidden-2 neuron 1.
    // Bound = 11 − (2 + 2) − (2 + 1) + 1 (the weight joining them was counted twice) = 5,
    // which is P − hidden of the surviving 2-1-1-1 network (7 − 2).
    let negative: [Double] = [-1, 1, -2, 0.5, -0.1, -3]
    let stats2 = try activationStatistics(architecture: handBuilt, parameters: handBuiltParameters, inputs: negative, count: 3)
    #expect(stats2.deadNeurons == [[0], [1]])
    #expect(stats2.alwaysActiveNeurons == [[], [0]])
    #expect(stats2.distinctPatterns == 2)  // (0,1,1,0) and (0,0,1,0)
    #expect(stats2.impliedBound == 5)
    // And the measured rank respects it.
    let bfd = try batchFunctionalDimension(
        architecture: handBuilt, parameters: handBuiltParameters, inputs: negative, count: 3, variant: .logits,
        method: .jacobian, rule: .gap, relativeTolerance: 1e-10, threads: 1)
    #expect(bfd.rank <= 5)
    #expect(bfd.activations == stats2)
}

/// A τ below the method's floor is raised to it: values between τ·σ₁ and floor·σ₁ are
/// rounding noise, and counting them reported ranks above the row cap (469–475 of 450).
@Test func relativeRuleNeverCountsBelowTheFloor() {
    // Three resolved values, then noise between τ·σ₁ = 1e-10 and the floor 1e-7.
    let spectrum = [2.0, 1.0, 0.5, 1e-8, 5e-9, 2e-9]
    for rule in [RankRule.relative, .gap, .numpy] {
        let evidence = RankEvidence(spectrum: spectrum, rows: 6, columns: 10, floor: 1e-7, rule: rule, relativeTolerance: 1e-10)
        #expect(evidence.relativeRank == 3, "\(rule): \(evidence.relativeRank)")
        #expect(evidence.effectiveRelativeTolerance == 1e-7)
    }
    let relative = RankEvidence(spectrum: spectrum, rows: 6, columns: 10, floor: 1e-7, rule: .relative, relativeTolerance: 1e-10)
    #expect(relative.headline == 3 && relative.absoluteTolerance == 2e-7)
    // Above the floor τ is used as given.
    let coarse = RankEvidence(spectrum: spectrum, rows: 6, columns: 10, floor: 1e-7, rule: .relative, relativeTolerance: 0.3)
    #expect(coarse.relativeRank == 2 && coarse.absoluteTolerance == 0.6)
    // The inertia route's levels are raised the same way.
    let counts = RankEvidence(countAboveFloor: 3, countAboveClear: 3, relativeCount: 3, sigmaMax: 2, floor: 1e-7,
                              rule: .relative, relativeTolerance: 1e-10)
    #expect(counts.absoluteTolerance == 2e-7)
}
