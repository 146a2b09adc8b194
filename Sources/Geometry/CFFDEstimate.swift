import Network
import SeededRandom

/// One batch size tried by ``estimateCFFD(architecture:parameters:variant:method:seed:mean:std:maxRows:)``.
public struct CFFDStep: Sendable {
    public let n: Int
    public let rank: Int
    public let clear: Bool
    public let rowCap: Int
}

/// The computable full functional dimension estimated from Gaussian batches.
public struct CFFDEstimate: Sendable {
    /// The BFD at which the sequence stopped growing (or the last one measured).
    public let value: Int
    /// Whether two consecutive sizes gave the same clear rank.
    public let converged: Bool
    /// Every size tried, in order.
    public let steps: [CFFDStep]
}

/// Estimates the CFFD: the BFD on Gaussian N(mean, std) batches of growing size (doubling,
/// each batch extending the previous one), until the rank stops growing.
///
/// The paper's sampling result says the BFD of a large enough random batch reaches the
/// network's functional dimension. Sizes start where n·d reaches a quarter of
/// min(P − hidden, maxRows) and double; the estimate stops when two consecutive sizes give
/// the same clear rank, or when a clear rank reaches P − hidden (no batch can exceed it), both
/// reported as converged, or when the next size would exceed `maxRows` rows of J (then it is
/// reported as not converged: the value is a lower bound).
public func estimateCFFD(
    architecture: MLPArchitecture, parameters: [Double], variant: OutputVariant, method: BFDMethod,
    seed: UInt64, mean: Double, std: Double, maxRows: Int, threads: Int
) throws -> CFFDEstimate {
    let d = architecture.outputSize
    let bound = architecture.parameterCount - architecture.hiddenNeuronCount
    var n = max(1, min(bound, maxRows) / (4 * d))
    var generator = SeededGenerator(seed: seed, stream: "geometry.cffd")
    var inputs: [Double] = []
    var steps: [CFFDStep] = []
    while true {
        let needed = n * architecture.inputSize - inputs.count
        if needed > 0 {
            inputs += (0..<needed).map { _ in mean + std * generator.nextStandardNormal() }
        }
        let result = try batchFunctionalDimension(
            architecture: architecture, parameters: parameters, inputs: inputs, count: n, variant: variant,
            method: method, rule: .gap, relativeTolerance: 1e-10, threads: threads)
        steps.append(CFFDStep(n: n, rank: result.rank, clear: result.evidence.isClear, rowCap: result.rowCap))
        if result.evidence.isClear && result.rank == bound {
            return CFFDEstimate(value: result.rank, converged: true, steps: steps)
        }
        if steps.count >= 2 {
            let previous = steps[steps.count - 2]
            if previous.rank == result.rank && previous.clear && result.evidence.isClear {
                return CFFDEstimate(value: result.rank, converged: true, steps: steps)
            }
        }
        // Stop before the next batch would exceed maxRows rows (written so that no product
        // overflows, whatever maxRows the config gives; the memory preflight bounds it).
        if n * d > maxRows - n * d {
            return CFFDEstimate(value: result.rank, converged: false, steps: steps)
        }
        n *= 2
    }
}
