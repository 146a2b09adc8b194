import Linalg
import SeededRandom

/// How weights are drawn at initialisation; biases always start at zero.
public enum WeightInit: String, Sendable, Codable, CaseIterable {
    /// U(−a, a) with a = √(6 / (fan_in + fan_out)): Keras' default, the paper's.
    case glorotUniform = "glorot_uniform"
    /// Keras' he_normal: a normal truncated at ±2σ, rescaled so the standard deviation is
    /// √(2 / fan_in).
    case heNormal = "he_normal"
}

/// Draws a fresh flat parameter buffer for `architecture` from `generator`.
///
/// Values are drawn in Double and rounded to the scalar type, so the Float and Double
/// networks made from one seed agree to the Float's precision.
public func initialParameters<S: BLASScalar>(
    _ architecture: MLPArchitecture, scheme: WeightInit, generator: inout SeededGenerator,
    as _: S.Type = S.self
) -> [S] {
    var parameters = [S](repeating: 0, count: architecture.parameterCount)
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
            }
        }
    }
    return parameters
}
