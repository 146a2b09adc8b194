import Linalg
import SeededRandom

/// How weights are drawn at initialisation; biases start at zero except under
/// ``randomFeatures``.
public enum WeightInit: String, Sendable, Codable, CaseIterable {
    /// U(−a, a) with a = √(6 / (fan_in + fan_out)): Keras' default, the paper's.
    case glorotUniform = "glorot_uniform"
    /// Keras' he_normal: a normal truncated at ±2σ, rescaled so the standard deviation is
    /// √(2 / fan_in).
    case heNormal = "he_normal"
    /// The random-feature network of Heiss, Teichmann & Wutte (arXiv 1911.02903): first-layer
    /// weights ±1 with fair signs and biases U(−R, R) (R = `kinkRange`), so for one input the
    /// kinks −b/w are i.i.d. uniform on [−R, R] and E[w² | kink] = 1; every later layer starts
    /// at zero (weights and biases). Meant for `training.freeze: [0]`.
    case randomFeatures = "random_features"
}

/// Draws a fresh flat parameter buffer for `architecture` from `generator`.
///
/// Values are drawn in Double and rounded to the scalar type, so the Float and Double
/// networks made from one seed agree to the Float's precision.
public func initialParameters<S: BLASScalar>(
    _ architecture: MLPArchitecture, scheme: WeightInit, generator: inout SeededGenerator, kinkRange: Double = 1,
    as _: S.Type = S.self
) -> [S] {
    var parameters = [S](repeating: 0, count: architecture.parameterCount)
    if scheme == .randomFeatures {
        // Weights first, then biases, each in buffer order; the later layers stay zero.
        for index in architecture.weightRange(0) { parameters[index] = generator.nextUnitDouble() < 0.5 ? -1 : 1 }
        for index in architecture.biasRange(0) { parameters[index] = S((2 * generator.nextUnitDouble() - 1) * kinkRange) }
        return parameters
    }
    for layer in 0..<architecture.layerCount {
        let fanIn = Double(architecture.fanIn(layer))
        let fanOut = Double(architecture.fanOut(layer))
        for index in architecture.weightRange(layer) {
            switch scheme {
            case .glorotUniform:
                let limit = (6 / (fanIn + fanOut)).squareRoot()
                parameters[index] = S((2 * generator.nextUnitDouble() - 1) * limit)
            case .heNormal:
                // 0.87962566103423978 is the standard deviation of N(0,1) truncated to [−2, 2].
                let sigma = (2 / fanIn).squareRoot() / 0.879_625_661_034_239_78
                var z = generator.nextStandardNormal()
                while abs(z) > 2 { z = generator.nextStandardNormal() }
                parameters[index] = S(z * sigma)
            case .randomFeatures:
                preconditionFailure("handled above")
            }
        }
    }
    return parameters
}
