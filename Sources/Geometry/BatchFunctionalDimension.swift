import Linalg
import Network

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
}

/// The batch functional dimension: rank of J = ∂f_θ(X)/∂θ, (n·d) × P, in float64.
///
/// parameters is the flat buffer (P, Network's layout; convert Float weights to Double
/// first), inputs is (n, n_0), row-major. `method` picks the Gram route (fast; floor
/// √(m·eps)) or the explicit SVD (slow; floor max(m, P)·eps); `rule` picks the headline rank
/// from the spectrum (all three rules are kept in the evidence); `relativeTolerance` is τ of
/// the relative rule. `conditioning` applies to the Gram route only.
public func batchFunctionalDimension(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int,
    variant: OutputVariant, method: BFDMethod, rule: RankRule, relativeTolerance: Double,
    conditioning: GramConditioning = .projector
) throws -> BFDResult {
    try batchFunctionalDimensions(
        architecture: architecture, parameters: parameters, inputs: inputs, count: n, variants: [variant],
        method: method, rule: rule, relativeTolerance: relativeTolerance, conditioning: conditioning)[0]
}

/// ``batchFunctionalDimension(architecture:parameters:inputs:count:variant:method:rule:relativeTolerance:conditioning:)``
/// for several output variants, sharing one forward pass (and, for the Gram route, one
/// set of per-layer input bases). Results are in the order of `variants`.
public func batchFunctionalDimensions(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int,
    variants: [OutputVariant], method: BFDMethod, rule: RankRule, relativeTolerance: Double,
    conditioning: GramConditioning = .projector
) throws -> [BFDResult] {
    guard relativeTolerance.isFinite, relativeTolerance >= 0 else {
        throw GeometryError.invalidArgument("the relative tolerance must be finite and ≥ 0 (got \(relativeTolerance))")
    }
    let clock = ContinuousClock()
    let start = clock.now
    let forward = try geometryForward(architecture: architecture, parameters: parameters, inputs: inputs, count: n)
    let statistics = activationStatistics(forward)
    let bases = method == .gram ? try layerInputBases(forward, conditioning: conditioning) : []
    let sharedSeconds = seconds(clock.now - start)

    var results: [BFDResult] = []
    for variant in variants {
        let variantStart = clock.now
        let factors = jacobianFactors(forward, variant: variant)
        let m = factors.rows
        let p = factors.columns
        let spectrum: [Double]
        let floor: Double
        var side: GramMatrix.Side? = nil
        var conditionedCount: Int? = nil
        switch method {
        case .jacobian:
            var jacobian = explicitJacobian(factors)
            spectrum = try singularValues(overwriting: &jacobian, rows: m, columns: p)
            floor = RankEvidence.svdFloor(rows: m, columns: p)
        case .gram:
            var gram = try gramMatrix(factors, bases: bases, conditioning: conditioning)
            let eigenvalues = try symmetricEigenvalues(overwriting: &gram.values, n: gram.dimension)
            spectrum = eigenvalues.map { max($0, 0).squareRoot() }
            floor = RankEvidence.gramFloor(rows: m)
            side = gram.side
            conditionedCount = gram.conditionedParameterCount
        }
        let evidence = RankEvidence(
            spectrum: spectrum, rows: m, columns: p, floor: floor, rule: rule, relativeTolerance: relativeTolerance)
        results.append(BFDResult(
            evidence: evidence, method: method, variant: variant, conditioning: method == .gram ? conditioning : nil,
            gramSide: side, conditionedParameterCount: conditionedCount, rows: m, sampleCount: n,
            parameterCount: p, parameterCountMinusHidden: p - architecture.hiddenNeuronCount,
            rowCap: variant.rowCap(sampleCount: n, outputSize: architecture.outputSize),
            activations: statistics, seconds: sharedSeconds + seconds(clock.now - variantStart)))
    }
    return results
}

/// A Duration in seconds.
func seconds(_ duration: Duration) -> Double {
    let (whole, fraction) = duration.components
    return Double(whole) + Double(fraction) * 1e-18
}
