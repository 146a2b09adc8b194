import Linalg
import Network

// MARK: - The BFD over the trained parameters only (training.freeze)

extension JacobianFactors {
    /// The factors of J with the columns of every layer outside `layers` set to zero: J[:, S]
    /// padded with zero columns, so its rank is that of the Jacobian restricted to the
    /// parameters of `layers` (J[·, W_l[a,b]] = Δ_l[·, a]·Ã_l[i, b] vanishes with Δ_l).
    public func restricted(toLayers layers: [Int]) -> JacobianFactors {
        let kept = Set(layers)
        let zeroed = deltas.enumerated().map { layer, delta in
            kept.contains(layer) ? delta : [Double](repeating: 0, count: delta.count)
        }
        return JacobianFactors(forward: forward, variant: variant, deltas: zeroed)
    }
}

/// The rank of J restricted to the columns of the parameters of `trainedLayers` (affine layers,
/// 0 = first), with its evidence: the rank a `training.freeze` run moves in.
///
/// The same engines as ``batchFunctionalDimension(architecture:parameters:inputs:count:variant:method:rule:relativeTolerance:conditioning:gramSide:threads:)``:
/// `jacobian` takes the SVD of the explicit restricted J; the Gram methods decompose the
/// m × m product J_S J_Sᵀ (rows side, projector conditioning per layer). Also returns the
/// number of trained columns, P_S = Σ_(l in S) n_(l+1)·(n_l + 1), a bound beside the row cap.
public func trainedParameterRank(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int, variant: OutputVariant,
    trainedLayers: [Int], method: BFDMethod, rule: RankRule, relativeTolerance: Double, threads: Int
) throws -> (evidence: RankEvidence, trainedParameterCount: Int) {
    guard !trainedLayers.isEmpty, trainedLayers.allSatisfy({ $0 >= 0 && $0 < architecture.layerCount }) else {
        throw GeometryError.invalidArgument("trained layers \(trainedLayers) are not layers of \(architecture.description)")
    }
    let trainedCount = Set(trainedLayers).reduce(0) { $0 + architecture.fanOut($1) * (architecture.fanIn($1) + 1) }
    return try BLASRuntime.withThreadCount(threads) {
        let forward = try geometryForward(architecture: architecture, parameters: parameters, inputs: inputs, count: n)
        let factors = jacobianFactors(forward, variant: variant).restricted(toLayers: trainedLayers)
        let m = factors.rows
        let evidence: RankEvidence
        switch method {
        case .jacobian:
            // Only the trained columns: the zero ones would only lengthen the SVD.
            let full = explicitJacobian(factors)
            let columns = trainedLayers.sorted().flatMap { layer in
                Array(architecture.weightRange(layer)) + Array(architecture.biasRange(layer))
            }
            var restricted = [Double](repeating: 0, count: m * columns.count)
            for r in 0..<m {
                for (c, column) in columns.enumerated() { restricted[r * columns.count + c] = full[r * factors.columns + column] }
            }
            let spectrum = try singularValues(overwriting: &restricted, rows: m, columns: columns.count)
            evidence = RankEvidence(
                spectrum: spectrum, rows: m, columns: columns.count,
                floor: RankEvidence.svdFloor(rows: m, columns: columns.count), rule: rule,
                relativeTolerance: relativeTolerance)
        case .gram, .gramInertia:
            let bases = try layerInputBases(forward, conditioning: .projector)
            var gram = try gramMatrix(factors, bases: bases, conditioning: .projector, side: .rows)
            let eigenvalues = try symmetricEigenvalues(overwriting: &gram.values, n: gram.dimension)
            evidence = RankEvidence(
                spectrum: eigenvalues.map { max($0, 0).squareRoot() }, rows: m, columns: trainedCount,
                floor: RankEvidence.gramFloor(rows: m), rule: rule, relativeTolerance: relativeTolerance)
        }
        return (evidence, trainedCount)
    }
}
