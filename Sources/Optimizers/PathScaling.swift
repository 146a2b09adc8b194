import Linalg
import Network

// MARK: - Path-SGD's per-parameter scaling κ (Neyshabur, Salakhutdinov & Srebro 2015, p = 2)
//
// The network is a DAG: input units, hidden and output units, and one constant-1 unit per
// affine layer whose outgoing edges are that layer's biases. A path runs from a source (an
// input unit or a constant unit) to an output unit. The path regulariser (p = 2) is
//     γ²(w) = Σ_paths Π_(e on the path) w_e²,
// and Path-SGD divides each partial derivative by the diagonal of its quadratic model,
//     κ_e(w) = ½·∂²γ²/∂w_e² = Σ_(paths through e) Π_(e' on the path, e' ≠ e) w_e'²,
// the paper's κ_e for p = 2. Every path through e = (u → v) is a path from a source to u, then
// e, then a path from v to an output, so κ_e = γ_in(u)·γ_out(v) with
//     γ_in(u)  = Σ_(paths source → u) Π w²  (1 for an input unit and for a constant unit),
//     γ_out(v) = Σ_(paths v → output) Π w²  (1 for an output unit):
// a forward pass of the all-ones input through the squared weights and squared biases, and the
// matching backward pass from all-ones outputs through the squared weights. A bias b_v is the
// edge (constant unit → v), so its κ is γ_out(v). Both passes cost O(P), whatever the batch.

/// The number of scalars ``pathScaling(_:parameters:scaling:scratch:)`` needs as scratch:
/// one γ_in for every input of an affine layer and one γ_out for every output, Σ_l (n_l + n_(l+1)).
public func pathScalingScratchCount(_ architecture: MLPArchitecture) -> Int {
    (0..<architecture.layerCount).reduce(0) { $0 + architecture.fanIn($1) + architecture.fanOut($1) }
}

/// κ, Path-SGD's scaling (p = 2), for every parameter: `scaling` is laid out like the
/// parameters, κ(W_l[j, i]) = γ_in^l[i]·γ_out^(l+1)[j] and κ(b_l[j]) = γ_out^(l+1)[j].
///
/// parameters and scaling are (P) in the flat layout of ``MLPArchitecture``; scratch holds
/// ``pathScalingScratchCount(_:)`` values. With W_l (n_(l+1), n_l) and b_l (n_(l+1)):
///
///     γ_in^0 = 1 (n_0),       γ_in^(l+1)[j] = b_l[j]² + Σ_i W_l[j, i]²·γ_in^l[i]     (l < L − 1)
///     γ_out^L = 1 (n_L),      γ_out^l[i]    = Σ_j W_l[j, i]²·γ_out^(l+1)[j]           (l ≥ 1)
///
/// γ_in^l[i] is the sum, over the paths from any source (input or constant unit) to unit i of
/// layer l, of the product of their squared weights; γ_out^(l+1)[j] the same over the paths
/// from unit j of layer l + 1 to any output. So κ_e is the sum over the paths through e of the
/// product of the other edges' squared weights, which `PathScalingTests` checks against a
/// brute-force enumeration of the paths.
///
/// Rescaling a hidden unit by c > 0 (in-weights and bias × c, out-weights × 1/c) multiplies its
/// γ_in by c² and its γ_out by 1/c², leaves every other γ unchanged, and so multiplies κ by 1/c²
/// on the unit's in-edges and bias, by c² on its out-edges: what makes the step invariant.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func pathScaling<S: BLASScalar>(
    _ architecture: MLPArchitecture, parameters theta: UnsafePointer<S>, scaling kappa: UnsafeMutablePointer<S>,
    scratch: UnsafeMutablePointer<S>
) {
    let layers = architecture.layerCount
    // γ_in of layer l's inputs and γ_out of its outputs, layer by layer in the scratch.
    var gammaIn: [UnsafeMutablePointer<S>] = []
    var gammaOut: [UnsafeMutablePointer<S>] = []
    var cursor = scratch
    for layer in 0..<layers {
        gammaIn.append(cursor)
        cursor += architecture.fanIn(layer)
        gammaOut.append(cursor)
        cursor += architecture.fanOut(layer)
    }
    gammaIn[0].update(repeating: 1, count: architecture.inputSize)
    for layer in 0..<(layers - 1) {
        let (fanIn, fanOut) = (architecture.fanIn(layer), architecture.fanOut(layer))
        let weight = theta + architecture.weightOffset(layer), bias = theta + architecture.biasOffset(layer)
        let input = gammaIn[layer], output = gammaIn[layer + 1]
        for j in 0..<fanOut {
            let row = weight + j * fanIn
            var sum: S = 0
            for i in 0..<fanIn { sum += row[i] * row[i] * input[i] }
            output[j] = bias[j] * bias[j] + sum
        }
    }
    gammaOut[layers - 1].update(repeating: 1, count: architecture.outputSize)
    for layer in stride(from: layers - 1, through: 1, by: -1) {
        let (fanIn, fanOut) = (architecture.fanIn(layer), architecture.fanOut(layer))
        let weight = theta + architecture.weightOffset(layer)
        let above = gammaOut[layer], below = gammaOut[layer - 1]
        below.update(repeating: 0, count: fanIn)
        // Row by row, so every pass is contiguous: below += (W_l[j, :])²·γ_out^(l+1)[j].
        for j in 0..<fanOut {
            let row = weight + j * fanIn
            let g = above[j]
            for i in 0..<fanIn { below[i] += row[i] * row[i] * g }
        }
    }
    for layer in 0..<layers {
        let (fanIn, fanOut) = (architecture.fanIn(layer), architecture.fanOut(layer))
        let weights = kappa + architecture.weightOffset(layer), biases = kappa + architecture.biasOffset(layer)
        let input = gammaIn[layer], output = gammaOut[layer]
        for j in 0..<fanOut {
            let row = weights + j * fanIn
            let g = output[j]
            for i in 0..<fanIn { row[i] = input[i] * g }
            biases[j] = g
        }
    }
}
