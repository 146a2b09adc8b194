import Foundation
import ModularLinalg
import Network

// MARK: - How many primes could be unlucky: the Hadamard bound on the scaled integer matrix
//
// Scale the network to integers without changing the rank: inputs × σ (255 for pixel bytes,
// 2^s_in for binary floats), layer l's weights × 2^s_l (the smallest power making W_l and
// 2^s_l·b_l integral), biases × C_l = σ·2^(s_0 + … + s_l). Then z̃_l = C_l·z_l, the pattern is
// unchanged (C_l > 0), and J̃ = C_(L−1)·J·diag(column scales)⁻¹ is an integer matrix of the same
// rank: its weight columns are J's × C_(L−1)/2^s_l, its bias columns J's × C_(L−1)/C_l.
//
// If rank_p < rank_Q = r, p divides every r × r minor, in particular a fixed nonzero one.
// - For J̃ itself: a minor is at most the product of its rows' norms (Hadamard), and every
//   nonzero integer row has norm ≥ 1, so the product of the U largest ‖J̃_i‖ (U ≥ r, the upper
//   bound) bounds every r × r minor.
// - For K̃ = J̃J̃ᵀ, positive semidefinite of rank r: some principal r × r minor det K̃_SS is
//   nonzero, and det K̃_SS ≤ Π_(i∈S) K̃_ii = Π_(i∈S) ‖J̃_i‖² (Hadamard for Gram matrices), so the
//   product of the U largest ‖J̃_i‖² bounds it.

/// The power-of-two (and 255) scalings that make the network's rational data integral.
struct IntegerScaling {
    /// log₂ σ: log₂ 255 for pixel bytes, s_in for binary floats.
    let inputLog2: Double
    /// s_l per affine layer.
    let layerShifts: [Int]

    init(architecture: MLPArchitecture, parameters: [Double], inputs: ExactInputs) {
        switch inputs.encoding {
        case .pixelBytes:
            inputLog2 = log2(255)
        case .binaryFloats:
            inputLog2 = Double(IntegerScaling.shift(inputs.patternInputs[...]))
        }
        layerShifts = (0..<architecture.layerCount).map { layer in
            max(
                IntegerScaling.shift(parameters[architecture.weightRange(layer)]),
                IntegerScaling.shift(parameters[architecture.biasRange(layer)]))
        }
    }

    /// The smallest s ≥ 0 with 2^s·x integral for every x.
    static func shift(_ values: ArraySlice<Double>) -> Int {
        var shift = 0
        for x in values where x != 0 { shift = max(shift, -integerSignificand(x).exponent) }
        return shift
    }

    /// log₂ C_l = log₂ σ + s_0 + … + s_l.
    func cumulativeLog2(_ layer: Int) -> Double {
        inputLog2 + Double(layerShifts[0...layer].reduce(0, +))
    }
}

/// log₂ of a sum of 2^(values): stable.
private func log2SumExp2(_ values: [Double]) -> Double {
    guard let top = values.max(), top > -.infinity else { return -.infinity }
    return top + log2(values.reduce(0) { $0 + exp2($1 - top) })
}

/// log₂ of the Hadamard bound on the nonzero minors of the scaled integer matrix the exact
/// engine reduces (K̃ = J̃J̃ᵀ or J̃), for a variant's rows (logits e_k, centred e_k − e_(d−1)),
/// padded by one bit per row for the float evaluation.
func hadamardBits(
    _ logits: JacobianFactors, scaling: IntegerScaling, variant: OutputVariant, matrix: ExactMatrix, upperBound: Int
) -> Double {
    let forward = logits.forward
    let architecture = forward.architecture
    let n = forward.n
    let d = architecture.outputSize
    let r = variant == .logits ? d : d - 1
    let layerCount = architecture.layerCount
    let top = scaling.cumulativeLog2(layerCount - 1)
    // ‖a_l(i)‖² per layer and sample (without the ones column).
    let inputNorms: [[Double]] = (0..<layerCount).map { layer in
        let width = architecture.fanIn(layer)
        let a = forward.augmentedInputs[layer]
        return (0..<n).map { i in (0..<width).reduce(0.0) { $0 + a[i * (width + 1) + $1] * a[i * (width + 1) + $1] } }
    }
    var rowLog2: [Double] = []
    rowLog2.reserveCapacity(n * r)
    for i in 0..<n {
        for k in 0..<r {
            var terms: [Double] = []
            for layer in 0..<layerCount {
                let width = architecture.fanOut(layer)
                let delta = logits.deltas[layer]
                var deltaNorm = 0.0
                for a in 0..<width {
                    var value = delta[(i * d + k) * width + a]
                    if variant != .logits { value -= delta[(i * d + d - 1) * width + a] }
                    deltaNorm += value * value
                }
                guard deltaNorm > 0 else { continue }
                let deltaLog = log2(deltaNorm)
                if inputNorms[layer][i] > 0 {
                    terms.append(2 * (top - Double(scaling.layerShifts[layer])) + deltaLog + log2(inputNorms[layer][i]))
                }
                terms.append(2 * (top - scaling.cumulativeLog2(layer)) + deltaLog)
            }
            rowLog2.append(terms.isEmpty ? -.infinity : log2SumExp2(terms) / 2)
        }
    }
    let power: Double = matrix == .gramRows ? 2 : 1
    var perRow = rowLog2.map { power * max(0, $0) }
    perRow.sort(by: >)
    let counted = perRow.prefix(max(0, upperBound))
    return counted.reduce(0) { $0 + $1 * (1 + 1e-9) + 1 }
}
