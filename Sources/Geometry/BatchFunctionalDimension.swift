import Linalg
import Network
import Timing

// MARK: - Batch functional dimension: rank of ∂f_θ(X)/∂θ, with its evidence

/// The batch functional dimension of a network on a batch, with the evidence for it.
public struct BFDResult: Sendable {
    /// The spectrum, the three rules' ranks, the gap and the floor.
    public let evidence: RankEvidence
    /// How the spectrum was obtained.
    public let method: BFDMethod
    /// Which outputs were differentiated.
    public let variant: OutputVariant
    /// The Gram route's conditioning (nil for the explicit Jacobian).
    public let conditioning: GramConditioning?
    /// Which Gram product was decomposed (nil for the explicit Jacobian).
    public let gramSide: GramMatrix.Side?
    /// P̃, the columns of the conditioned Jacobian (nil for the explicit Jacobian).
    public let conditionedParameterCount: Int?
    /// m = n·d, the rows of J.
    public let rows: Int
    /// n, the batch size.
    public let sampleCount: Int
    /// P, the parameters.
    public let parameterCount: Int
    /// P − hidden neurons (one rescaling symmetry per hidden neuron).
    public let parameterCountMinusHidden: Int
    /// n·d (logits) or n·(d − 1) (softmax, centred).
    public let rowCap: Int
    /// Dead / always-active neurons and activation patterns on the batch.
    public let activations: ActivationStatistics
    /// Wall-clock seconds: the shared forward pass plus this variant's own work.
    public let seconds: Double

    /// The headline rank (``RankEvidence/headline``).
    public var rank: Int { evidence.headline }
    /// min(row cap, P − hidden).
    public var upperBound: Int { min(rowCap, parameterCountMinusHidden) }
    /// min(row cap, the bound the activation pattern implies: P − hidden less the dead-neuron
    /// terms), the bound logged beside every rank.
    public var activationUpperBound: Int { min(rowCap, activations.impliedBound) }
}

/// The batch functional dimension: rank of J = ∂f_θ(X)/∂θ, (n·d) × P, in float64.
///
/// parameters is the flat buffer (P, Network's layout; convert Float weights to Double
/// first), inputs is (n, n_0), row-major. `method` picks the Gram route (fast; floor
/// √(m·eps)) or the explicit SVD (slow; floor max(m, P)·eps); `rule` picks the headline rank
/// from the spectrum (all three rules are kept in the evidence); `relativeTolerance` is τ of
/// the relative rule. `conditioning` applies to the Gram route only. `threads` is the number
/// of BLAS threads the computation runs on (set for its duration, then restored); it also
/// picks how ``BFDMethod/gramInertia`` uses them. `gramSide` picks which Gram product the Gram
/// routes form (``GramSideChoice``; `auto`, the smaller, by default); the result's
/// ``BFDResult/gramSide`` says which was used.
public func batchFunctionalDimension(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int,
    variant: OutputVariant, method: BFDMethod, rule: RankRule, relativeTolerance: Double,
    conditioning: GramConditioning = .projector, gramSide: GramSideChoice = .auto, threads: Int
) throws -> BFDResult {
    try batchFunctionalDimensions(
        architecture: architecture, parameters: parameters, inputs: inputs, count: n, variants: [variant],
        method: method, rule: rule, relativeTolerance: relativeTolerance, conditioning: conditioning,
        gramSide: gramSide, threads: threads)[0]
}

/// ``batchFunctionalDimension(architecture:parameters:inputs:count:variant:method:rule:relativeTolerance:conditioning:gramSide:threads:)``
/// for several output variants, sharing one forward pass (and, for the Gram route, one
/// set of per-layer input bases). Results are in the order of `variants`.
public func batchFunctionalDimensions(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int,
    variants: [OutputVariant], method: BFDMethod, rule: RankRule, relativeTolerance: Double,
    conditioning: GramConditioning = .projector, gramSide: GramSideChoice = .auto, threads: Int
) throws -> [BFDResult] {
    guard relativeTolerance.isFinite, relativeTolerance >= 0 else {
        throw GeometryError.invalidArgument("the relative tolerance must be finite and ≥ 0 (got \(relativeTolerance))")
    }
    guard threads >= 1 else { throw GeometryError.invalidArgument("threads must be ≥ 1 (got \(threads))") }
    return try BLASRuntime.withThreadCount(threads) {
        try measureVariants(
            architecture: architecture, parameters: parameters, inputs: inputs, count: n, variants: variants,
            method: method, rule: rule, relativeTolerance: relativeTolerance, conditioning: conditioning,
            gramSide: gramSide, threads: threads)
    }
}

/// The body of ``batchFunctionalDimensions(architecture:parameters:inputs:count:variants:method:rule:relativeTolerance:conditioning:gramSide:threads:)``,
/// run with BLAS already on `threads` threads.
private func measureVariants(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int,
    variants: [OutputVariant], method: BFDMethod, rule: RankRule, relativeTolerance: Double,
    conditioning: GramConditioning, gramSide: GramSideChoice, threads: Int
) throws -> [BFDResult] {
    let clock = ContinuousClock()
    let start = clock.now
    var trace = PhaseTrace()
    let forward = try geometryForward(architecture: architecture, parameters: parameters, inputs: inputs, count: n)
    let statistics = activationStatistics(forward)
    trace.mark("forward and statistics")
    let bases = method == .jacobian ? [] : try layerInputBases(forward, conditioning: conditioning)
    trace.mark("layer input bases")
    let sharedSeconds = seconds(clock.now - start)

    var results: [BFDResult] = []
    for variant in variants {
        let variantStart = clock.now
        let factors = jacobianFactors(forward, variant: variant)
        let m = factors.rows
        let p = factors.columns
        let evidence: RankEvidence
        var side: GramMatrix.Side? = nil
        var conditionedCount: Int? = nil
        switch method {
        case .jacobian:
            var jacobian = explicitJacobian(factors)
            let spectrum = try singularValues(overwriting: &jacobian, rows: m, columns: p)
            evidence = RankEvidence(
                spectrum: spectrum, rows: m, columns: p, floor: RankEvidence.svdFloor(rows: m, columns: p),
                rule: rule, relativeTolerance: relativeTolerance)
        case .gram:
            var gram = try gramMatrix(factors, bases: bases, conditioning: conditioning, side: gramSide)
            let eigenvalues = try symmetricEigenvalues(overwriting: &gram.values, n: gram.dimension)
            evidence = RankEvidence(
                spectrum: eigenvalues.map { max($0, 0).squareRoot() }, rows: m, columns: p,
                floor: RankEvidence.gramFloor(rows: m), rule: rule, relativeTolerance: relativeTolerance)
            side = gram.side
            conditionedCount = gram.conditionedParameterCount
        case .gramInertia:
            let levels = certificationLevels(rows: m, rule: rule, relativeTolerance: relativeTolerance)
            // The block Schur count forms neither product: only when the side is left to us.
            if conditioning == .projector, gramSide == .auto,
               let structured = try blockSchurEigenvalueCounts(factors, bases: bases, relativeThresholds: levels.map { $0 * $0 }) {
                evidence = RankEvidence(
                    countAboveFloor: structured.counts[0], countAboveClear: structured.counts[1],
                    relativeCount: rule == .relative ? structured.counts[2] : nil,
                    sigmaMax: structured.lambdaMax.squareRoot(), floor: RankEvidence.gramFloor(rows: m), rule: rule,
                    relativeTolerance: relativeTolerance)
                side = .blockSchur
            } else {
                var trace = PhaseTrace()
                var gram = try gramMatrix(factors, bases: bases, conditioning: conditioning, side: gramSide)
                trace.mark("Gram matrix K (\(gram.side.rawValue), \(gram.dimension) × \(gram.dimension))")
                evidence = try certifiedRankEvidence(
                    &gram, rows: m, rule: rule, relativeTolerance: relativeTolerance, threads: threads)
                side = gram.side
                conditionedCount = gram.conditionedParameterCount
            }
        }
        results.append(BFDResult(
            evidence: evidence, method: method, variant: variant, conditioning: method == .gram ? conditioning : nil,
            gramSide: side, conditionedParameterCount: conditionedCount, rows: m, sampleCount: n,
            parameterCount: p, parameterCountMinusHidden: p - architecture.hiddenNeuronCount,
            rowCap: variant.rowCap(sampleCount: n, outputSize: architecture.outputSize),
            activations: statistics, seconds: sharedSeconds + seconds(clock.now - variantStart)))
    }
    return results
}

/// The rank of a Gram matrix certified by eigenvalue counts (``BFDMethod/gramInertia``):
/// λ_max by power iteration, then LDLᵀ inertia counts at the floor and at 1e3 × the floor
/// (in σ; squared for K's eigenvalues), plus at max(τ, floor)·σ_1 when the relative rule is asked for.
func certifiedRankEvidence(
    _ gram: inout GramMatrix, rows m: Int, rule: RankRule, relativeTolerance: Double, threads: Int
) throws -> RankEvidence {
    var trace = PhaseTrace()
    let lambdaMax = try largestEigenvalueEstimate(gram.values, n: gram.dimension)
    trace.mark("power iteration")
    let sigmaMax = max(lambdaMax, 0).squareRoot()
    let floor = RankEvidence.gramFloor(rows: m)
    guard sigmaMax > 0 else {
        return RankEvidence(countAboveFloor: 0, countAboveClear: 0, relativeCount: rule == .relative ? 0 : nil,
                            sigmaMax: 0, floor: floor, rule: rule, relativeTolerance: relativeTolerance)
    }
    let levels = certificationLevels(rows: m, rule: rule, relativeTolerance: relativeTolerance)
    let thresholds = levels.map { ($0 * sigmaMax) * ($0 * sigmaMax) }
    // Full rank, the common case at the row cap, is certified by one Cholesky factorisation
    // of K − τ_clear·I: if it succeeds, every eigenvalue lies above the upper level, so both
    // counts equal the dimension.
    // Above ~12,000 rows the counts run as two concurrent factorisations anyway, and a failed
    // Cholesky attempt (a rank-deficient K fails late) would cost nearly as much again.
    let tryCholesky = gram.dimension <= choleskyFirstLimit || threads < 2
    let positiveDefinite = try tryCholesky
        && allEigenvaluesExceed(&gram.values, n: gram.dimension, threshold: thresholds[1])
    trace.mark("Cholesky certificate")
    if positiveDefinite {
        let relativeCount = rule == .relative
            ? try eigenvalueCountsAbove(&gram.values, n: gram.dimension, thresholds: [thresholds[2]])[0] : nil
        return RankEvidence(
            countAboveFloor: gram.dimension, countAboveClear: gram.dimension, relativeCount: relativeCount,
            sigmaMax: sigmaMax, floor: floor, rule: rule, relativeTolerance: relativeTolerance)
    }
    // Two cores: the counts run concurrently, single-threaded each (one extra copy of K).
    let counts = threads >= 2
        ? try eigenvalueCountsAboveInParallel(&gram.values, n: gram.dimension, thresholds: thresholds)
        : try eigenvalueCountsAbove(&gram.values, n: gram.dimension, thresholds: thresholds)
    return RankEvidence(
        countAboveFloor: counts[0], countAboveClear: counts[1], relativeCount: rule == .relative ? counts[2] : nil,
        sigmaMax: sigmaMax, floor: floor, rule: rule, relativeTolerance: relativeTolerance)
}

/// The σ levels (relative to σ_1) at which ``BFDMethod/gramInertia`` counts: the floor, 1e3 ×
/// the floor, and τ for the relative rule.
func certificationLevels(rows m: Int, rule: RankRule, relativeTolerance: Double) -> [Double] {
    let floor = RankEvidence.gramFloor(rows: m)
    var levels = [floor, RankEvidence.clearGapRatio * floor]
    if rule == .relative { levels.append(max(relativeTolerance, floor)) }  // never below the floor
    return levels
}

/// Largest Gram dimension for which ``BFDMethod/gramInertia`` first tries the Cholesky
/// certificate of full rank on two threads (see `certifiedRankEvidence`).
let choleskyFirstLimit = 12_000
