import Foundation
import Geometry
import Linalg
import Network
import TestSupport

// Deterministic randomness: TestSupport's TestRandom (SplitMix64, independent of SeededRandom).

/// Glorot-uniform weights, U(−a, a) with a = √(6/(fan_in + fan_out)), scaled by `weightScale`;
/// biases U(−biasScale, biasScale) (0 gives Keras' zero biases).
func randomParameters(
    _ architecture: MLPArchitecture, _ random: inout TestRandom, weightScale: Double = 1, biasScale: Double = 0.1
) -> [Double] {
    var theta = [Double](repeating: 0, count: architecture.parameterCount)
    for layer in 0..<architecture.layerCount {
        let limit = (6 / Double(architecture.fanIn(layer) + architecture.fanOut(layer))).squareRoot()
        for index in architecture.weightRange(layer) { theta[index] = weightScale * random.uniform(-limit, limit) }
        for index in architecture.biasRange(layer) { theta[index] = biasScale * random.uniform(-1, 1) }
    }
    return theta
}

/// n inputs (n, n_0) with entries N(mean, 1).
func gaussianInputs(_ n: Int, _ width: Int, _ random: inout TestRandom, mean: Double = 0) -> [Double] {
    (0..<(n * width)).map { _ in mean + random.normal() }
}

// MARK: - Naive twins: scalar loops, one sample and one output at a time

/// One sample through the network with scalar loops: pre-activations and layer inputs.
/// x is (n_0). pre[l] is (n_(l+1)); acts[l] is the input to layer l; acts[L] the logits.
func naiveForward(_ architecture: MLPArchitecture, _ theta: [Double], _ x: [Double]) -> (pre: [[Double]], acts: [[Double]]) {
    let sizes = architecture.layerSizes
    let layerCount = architecture.layerCount
    var acts: [[Double]] = [x]
    var pre: [[Double]] = []
    for l in 0..<layerCount {
        var z = [Double](repeating: 0, count: sizes[l + 1])
        for a in 0..<sizes[l + 1] {
            var s = theta[architecture.biasOffset(l) + a]
            for b in 0..<sizes[l] { s += theta[architecture.weightOffset(l) + a * sizes[l] + b] * acts[l][b] }
            z[a] = s
        }
        pre.append(z)
        acts.append(l < layerCount - 1 ? z.map { max($0, 0) } : z)
    }
    return (pre, acts)
}

/// The variant's outputs for one sample: logits z, softmax(z), or z − mean(z).
func naiveOutputs(_ architecture: MLPArchitecture, _ theta: [Double], _ x: [Double], _ variant: OutputVariant) -> [Double] {
    let z = naiveForward(architecture, theta, x).acts.last!
    switch variant {
    case .logits:
        return z
    case .centred:
        let mean = z.reduce(0, +) / Double(z.count)
        return z.map { $0 - mean }
    case .softmax:
        let top = z.max()!
        let e = z.map { exp($0 - top) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }
}

/// J (n·d, P) by scalar back-propagation per sample and per output.
func naiveJacobian(
    _ architecture: MLPArchitecture, _ theta: [Double], _ inputs: [Double], n: Int, _ variant: OutputVariant
) -> [Double] {
    let sizes = architecture.layerSizes
    let layerCount = architecture.layerCount
    let d = architecture.outputSize
    let p = architecture.parameterCount
    var jacobian = [Double](repeating: 0, count: n * d * p)
    for i in 0..<n {
        let x = Array(inputs[(i * sizes[0])..<((i + 1) * sizes[0])])
        let (pre, acts) = naiveForward(architecture, theta, x)
        // ∂(variant output k)/∂z as rows of M, written out from the definitions.
        let z = acts[layerCount]
        var mRows = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for k in 0..<d {
            for c in 0..<d {
                switch variant {
                case .logits: mRows[k][c] = k == c ? 1 : 0
                case .centred: mRows[k][c] = (k == c ? 1 : 0) - 1 / Double(d)
                case .softmax:
                    let top = z.max()!
                    let total = z.reduce(0) { $0 + exp($1 - top) }
                    let pk = exp(z[k] - top) / total
                    let pc = exp(z[c] - top) / total
                    mRows[k][c] = (k == c ? pk : 0) - pk * pc
                }
            }
        }
        for k in 0..<d {
            let row = (i * d + k) * p
            var g = mRows[k]  // ∂ out_k / ∂ pre-activation of layer l
            for l in stride(from: layerCount - 1, through: 0, by: -1) {
                for a in 0..<sizes[l + 1] {
                    jacobian[row + architecture.biasOffset(l) + a] = g[a]
                    for b in 0..<sizes[l] {
                        jacobian[row + architecture.weightOffset(l) + a * sizes[l] + b] = g[a] * acts[l][b]
                    }
                }
                if l > 0 {
                    var below = [Double](repeating: 0, count: sizes[l])
                    for b in 0..<sizes[l] where pre[l - 1][b] > 0 {
                        var s = 0.0
                        for a in 0..<sizes[l + 1] { s += theta[architecture.weightOffset(l) + a * sizes[l] + b] * g[a] }
                        below[b] = s
                    }
                    g = below
                }
            }
        }
    }
    return jacobian
}

/// J (n·d, P) by central finite differences of the naive outputs, step h.
func finiteDifferenceJacobian(
    _ architecture: MLPArchitecture, _ theta: [Double], _ inputs: [Double], n: Int, _ variant: OutputVariant,
    step h: Double
) -> [Double] {
    let d = architecture.outputSize
    let p = architecture.parameterCount
    let width = architecture.inputSize
    var jacobian = [Double](repeating: 0, count: n * d * p)
    for q in 0..<p {
        var plus = theta
        var minus = theta
        plus[q] += h
        minus[q] -= h
        for i in 0..<n {
            let x = Array(inputs[(i * width)..<((i + 1) * width)])
            let up = naiveOutputs(architecture, plus, x, variant)
            let down = naiveOutputs(architecture, minus, x, variant)
            for k in 0..<d { jacobian[(i * d + k) * p + q] = (up[k] - down[k]) / (2 * h) }
        }
    }
    return jacobian
}

/// The smallest |pre-activation| over the batch (finite differences need it ≫ h).
func smallestPreActivation(_ architecture: MLPArchitecture, _ theta: [Double], _ inputs: [Double], n: Int) -> Double {
    var smallest = Double.infinity
    for i in 0..<n {
        let x = Array(inputs[(i * architecture.inputSize)..<((i + 1) * architecture.inputSize)])
        let (pre, _) = naiveForward(architecture, theta, x)
        for layer in pre.dropLast() { for v in layer { smallest = min(smallest, abs(v)) } }
    }
    return smallest
}

// MARK: - Parameter transformations that leave f_θ unchanged

/// Positive rescaling of hidden neuron j of affine layer l (l < L − 1): in-weights and bias
/// × c, out-weights × 1/c.
func rescaled(_ architecture: MLPArchitecture, _ theta: [Double], layer l: Int, neuron j: Int, by c: Double) -> [Double] {
    var out = theta
    let fanIn = architecture.fanIn(l)
    for b in 0..<fanIn { out[architecture.weightOffset(l) + j * fanIn + b] *= c }
    out[architecture.biasOffset(l) + j] *= c
    let nextFanIn = architecture.fanIn(l + 1)
    for a in 0..<architecture.fanOut(l + 1) { out[architecture.weightOffset(l + 1) + a * nextFanIn + j] /= c }
    return out
}

/// Permutes the hidden neurons of affine layer l's output: new neuron a is old neuron perm[a].
func permuted(_ architecture: MLPArchitecture, _ theta: [Double], layer l: Int, permutation perm: [Int]) -> [Double] {
    var out = theta
    let fanIn = architecture.fanIn(l)
    for a in 0..<perm.count {
        for b in 0..<fanIn {
            out[architecture.weightOffset(l) + a * fanIn + b] = theta[architecture.weightOffset(l) + perm[a] * fanIn + b]
        }
        out[architecture.biasOffset(l) + a] = theta[architecture.biasOffset(l) + perm[a]]
    }
    let nextFanIn = architecture.fanIn(l + 1)
    for c in 0..<architecture.fanOut(l + 1) {
        for a in 0..<perm.count {
            out[architecture.weightOffset(l + 1) + c * nextFanIn + a] =
                theta[architecture.weightOffset(l + 1) + c * nextFanIn + perm[a]]
        }
    }
    return out
}

/// The rank of an explicit matrix by numpy's rule on its SVD (a reference for tests).
func svdRank(_ a: [Double], rows: Int, columns: Int) throws -> (rank: Int, evidence: RankEvidence) {
    let s = try singularValues(a, rows: rows, columns: columns)
    let evidence = RankEvidence(
        spectrum: s, rows: rows, columns: columns, floor: RankEvidence.svdFloor(rows: rows, columns: columns),
        rule: .gap, relativeTolerance: 1e-10)
    return (evidence.headline, evidence)
}
