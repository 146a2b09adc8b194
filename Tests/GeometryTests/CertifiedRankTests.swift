import Geometry
import Linalg
import Network
import Testing
import TestSupport

// MARK: - The gram_inertia method: certified counts against spectra

/// Counting through the LDLᵀ inertia leaves the matrix as it was and agrees with a full
/// eigendecomposition at thresholds placed between eigenvalues.
@Test func eigenvalueCountsMatchTheSpectrumAndRestoreTheMatrix() throws {
    var random = TestRandom(seed: 11)
    let n = 40
    let factor = (0..<(n * 25)).map { _ in random.normal() }  // rank ≤ 25
    var a = LinalgReference.matmul(factor, LinalgReference.transpose(factor, rows: n, columns: 25), m: n, k: 25, n: n)
    let original = a
    let values = try symmetricEigenvalues(a, n: n)
    let thresholds = [values[3] * 0.5 + values[4] * 0.5, values[20] * 0.5 + values[21] * 0.5, values[0] * 1e-9]
    let counts = try eigenvalueCountsAbove(&a, n: n, thresholds: thresholds)
    #expect(counts == [4, 21, 25])
    #expect(maxAbsDifference(a, original) == 0)
}

/// gram_inertia gives the rank of the SVD whenever the SVD's gap is clear (above the Gram
/// floor), through the dense certificate: Cholesky or LDLᵀ counts of K.
@Test(arguments: [
    ([12, 8, 6, 4], 6),   // block-Schur path: 6 inputs in 12 dimensions
    ([12, 8, 6, 4], 30),  // dense path: 30 > 13
    ([20, 5, 7, 5, 3], 10),
    ([6, 9, 4], 25),
])
func certifiedRankEqualsTheSpectrumRank(sizes: [Int], n: Int) throws {
    let architecture = MLPArchitecture(
        inputSize: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()), outputSize: sizes[sizes.count - 1])
    var random = TestRandom(seed: UInt64(7 * n + sizes.count))
    for trial in 0..<3 {
        let theta = randomParameters(architecture, &random)
        let inputs = gaussianInputs(n, sizes[0], &random, mean: 0.3)
        for variant in OutputVariant.allCases {
            let reference = try batchFunctionalDimension(
                architecture: architecture, parameters: theta, inputs: inputs, count: n, variant: variant,
                method: .jacobian, rule: .gap, relativeTolerance: 1e-10, threads: 1)
            // One thread counts sequentially; two try the Cholesky certificate, then count concurrently.
            let certified = try batchFunctionalDimension(
                architecture: architecture, parameters: theta, inputs: inputs, count: n, variant: variant,
                method: .gramInertia, rule: .gap, relativeTolerance: 1e-10, threads: 1 + trial % 2)
            // Small batches factorise K directly; the block-Schur path is forced in the test below.
            #expect(certified.gramSide == .rows || certified.gramSide == .parameters)
            if reference.evidence.isClear && reference.evidence.sigmaAbove > 1e3 * RankEvidence.gramFloor(rows: reference.rows) {
                #expect(certified.evidence.isClear, "trial \(trial) \(variant): a clear SVD gap must be certified")
                #expect(certified.rank == reference.rank,
                        "trial \(trial) \(variant): certified \(certified.rank) vs SVD \(reference.rank)")
            }
            #expect(certified.rank <= certified.upperBound)
        }
    }
}

/// A gap the Gram route cannot resolve is reported as not clear, with no certified number.
@Test func unresolvableGapIsNotCertified() {
    // Counts that differ between the floor and 1e3 × the floor: no gap proven there.
    let evidence = RankEvidence(countAboveFloor: 40, countAboveClear: 37, relativeCount: nil, sigmaMax: 2,
                                floor: 1e-6, rule: .gap, relativeTolerance: 1e-10)
    #expect(!evidence.isClear && evidence.headline == 40 && evidence.gapRatio.isNaN)
    let proven = RankEvidence(countAboveFloor: 40, countAboveClear: 40, relativeCount: nil, sigmaMax: 2,
                              floor: 1e-6, rule: .gap, relativeTolerance: 1e-10)
    #expect(proven.isClear && proven.headline == 40 && proven.gapRatio >= RankEvidence.clearGapRatio)
}

/// The block-Schur identity itself: counts equal those of the explicitly formed Gram matrix
/// at thresholds spread over the spectrum (not only at the certification levels).
@Test func blockSchurCountsEqualDenseCountsAcrossTheSpectrum() throws {
    let architecture = MLPArchitecture(inputSize: 15, hiddenWidths: [7, 5], outputSize: 4)
    var random = TestRandom(seed: 5)
    let n = 9
    let theta = randomParameters(architecture, &random)
    let inputs = gaussianInputs(n, 15, &random, mean: 0.2)
    let forward = try geometryForward(architecture: architecture, parameters: theta, inputs: inputs, count: n)
    let bases = try layerInputBases(forward, conditioning: .projector)
    #expect(bases[0].rank == n)
    for variant in OutputVariant.allCases {
        let factors = jacobianFactors(forward, variant: variant)
        let gram = try gramMatrix(factors, bases: bases, conditioning: .projector)
        let values = try symmetricEigenvalues(gram.values, n: gram.dimension)
        let lambdaMax = values[0]
        // Thresholds midway (geometrically) between consecutive well-separated eigenvalues.
        var relative: [Double] = []
        for r in stride(from: 1, to: values.count - 1, by: 3) where values[r] > 1e-8 * lambdaMax && values[r - 1] > 1.01 * values[r] {
            relative.append((values[r - 1] * values[r]).squareRoot() / lambdaMax)
        }
        relative.append(1e-14)  // below every nonzero eigenvalue: the rank itself
        let structured = try #require(
            try blockSchurEigenvalueCounts(factors, bases: bases, relativeThresholds: relative, onlyWhenCheaper: false))
        // The identity is exact for the thresholds it was given (relative to its λ_max estimate).
        let expected = relative.map { level in values.filter { $0 > level * structured.lambdaMax }.count }
        #expect(structured.counts == expected, "\(variant): block-Schur \(structured.counts) vs spectrum \(expected)")
        #expect(abs(structured.lambdaMax - lambdaMax) <= 0.05 * lambdaMax)
    }
}

/// The Cholesky certificate says "all eigenvalues above τ" exactly when the spectrum does,
/// and leaves the matrix as it was.
@Test func choleskyCertificateMatchesTheSpectrum() throws {
    var random = TestRandom(seed: 3)
    let n = 30
    let factor = (0..<(n * n)).map { _ in random.normal() }
    var a = LinalgReference.matmul(factor, LinalgReference.transpose(factor, rows: n, columns: n), m: n, k: n, n: n)
    let original = a
    let values = try symmetricEigenvalues(a, n: n)
    let smallest = values[n - 1]
    #expect(try allEigenvaluesExceed(&a, n: n, threshold: 0.5 * smallest))
    #expect(try !allEigenvaluesExceed(&a, n: n, threshold: 0.5 * (smallest + values[n - 2])))
    #expect(maxAbsDifference(a, original) == 0)
}

// MARK: - CFFD estimate

/// The CFFD estimate converges on a small network, never exceeds P − hidden, grows with the
/// batch, and a batch four times larger than the last one used finds no higher BFD.
@Test func cffdEstimateReachesThePlateau() throws {
    let architecture = MLPArchitecture(inputSize: 5, hiddenWidths: [4, 3], outputSize: 2)
    var random = TestRandom(seed: 9)
    let theta = randomParameters(architecture, &random)
    let estimate = try estimateCFFD(
        architecture: architecture, parameters: theta, variant: .logits, method: .gram, seed: 1, mean: 0, std: 1,
        maxRows: 4000, threads: 1)
    #expect(estimate.converged)
    #expect(estimate.value <= architecture.parameterCount - architecture.hiddenNeuronCount)
    #expect(zip(estimate.steps, estimate.steps.dropFirst()).allSatisfy { $0.rank <= $1.rank && $0.n < $1.n })
    let n = 4 * (estimate.steps.last?.n ?? 1)
    let larger = try batchFunctionalDimension(
        architecture: architecture, parameters: theta, inputs: gaussianInputs(n, 5, &random), count: n,
        variant: .logits, method: .jacobian, rule: .gap, relativeTolerance: 1e-10, threads: 1)
    #expect(larger.evidence.isClear && larger.rank == estimate.value, "larger batch \(larger.rank) vs estimate \(estimate.value)")
}

/// On a random network the CFFD is P − hidden; the estimate stops at the first batch whose
/// clear rank reaches that bound (no batch can exceed it) instead of doubling once more, and
/// with too few rows allowed it stops early and says it has not converged.
@Test func cffdEstimateStopsAtTheParameterBound() throws {
    let architecture = MLPArchitecture(inputSize: 6, hiddenWidths: [5, 4], outputSize: 3)
    let bound = architecture.parameterCount - architecture.hiddenNeuronCount
    var random = TestRandom(seed: 21)
    let theta = randomParameters(architecture, &random)
    let estimate = try estimateCFFD(
        architecture: architecture, parameters: theta, variant: .logits, method: .gramInertia, seed: 2, mean: 0,
        std: 1, maxRows: 4000, threads: 1)
    #expect(estimate.converged && estimate.value == bound, "estimate \(estimate.value), bound \(bound)")
    #expect(estimate.steps.dropLast().allSatisfy { $0.rank < bound })
    // The bound itself, by the reference method on a batch with twice the rows needed.
    let n = 2 * bound / architecture.outputSize + 1
    let reference = try batchFunctionalDimension(
        architecture: architecture, parameters: theta, inputs: gaussianInputs(n, 6, &random), count: n,
        variant: .logits, method: .jacobian, rule: .gap, relativeTolerance: 1e-10, threads: 1)
    #expect(reference.evidence.isClear && reference.rank == bound)

    let capped = try estimateCFFD(
        architecture: architecture, parameters: theta, variant: .logits, method: .gramInertia, seed: 2, mean: 0,
        std: 1, maxRows: bound / 2, threads: 1)
    #expect(!capped.converged)
    #expect(capped.value <= bound / 2 && capped.steps.allSatisfy { $0.n * architecture.outputSize <= bound / 2 })
}
