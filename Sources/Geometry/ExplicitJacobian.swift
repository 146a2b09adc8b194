import Linalg
import Network

// MARK: - The explicit Jacobian (the slow, certain path)

/// Forms J = ∂(per-sample outputs)/∂θ explicitly, (m, P), row-major, in the parameters'
/// flat layout.
///
/// Row i·d + k, for every layer l: J[·, W_l[a,b]] = Δ_l[·, a]·A_l[i, b] and
/// J[·, b_l[a]] = Δ_l[·, a]. Memory m·P doubles (n = 300 on 784-30-30-30-10: 617 MB).
public func explicitJacobian(_ factors: JacobianFactors) -> [Double] {
    let architecture = factors.architecture
    let m = factors.rows
    let p = factors.columns
    let d = architecture.outputSize
    var jacobian = [Double](repeating: 0, count: m * p)
    jacobian.withUnsafeMutableBufferPointer { jp in
        for layer in 0..<architecture.layerCount {
            let fanIn = architecture.fanIn(layer)
            let fanOut = architecture.fanOut(layer)
            let weightOffset = architecture.weightOffset(layer)
            let biasOffset = architecture.biasOffset(layer)
            factors.deltas[layer].withUnsafeBufferPointer { dp in
                factors.forward.augmentedInputs[layer].withUnsafeBufferPointer { ap in
                    guard let deltaBase = dp.baseAddress, let inputBase = ap.baseAddress,
                          let jacobianBase = jp.baseAddress
                    else { return }
                    for r in 0..<m {
                        let delta = deltaBase + r * fanOut
                        let input = inputBase + (r / d) * (fanIn + 1)
                        let row = jacobianBase + r * p
                        for a in 0..<fanOut {
                            let value = delta[a]
                            row[biasOffset + a] = value
                            if value == 0 { continue }  // the row was zero-initialised
                            let weights = row + weightOffset + a * fanIn
                            for b in 0..<fanIn { weights[b] = value * input[b] }
                        }
                    }
                }
            }
        }
    }
    return jacobian
}
