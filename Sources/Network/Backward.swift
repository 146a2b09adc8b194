import Linalg

/// Backward through out = inp · Wᵀ + b.
///
/// dout is (n, fanOut), inp (n, fanIn), weight (fanOut, fanIn). Writes (overwrites, not
/// accumulates) dweight (fanOut, fanIn) = doutᵀ · inp and dbias (fanOut) = column sums of
/// dout; if `dinp` is given it receives (n, fanIn) = dout · W.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func affineBackward<S: BLASScalar>(
    dinp: UnsafeMutablePointer<S>?, dweight: UnsafeMutablePointer<S>, dbias: UnsafeMutablePointer<S>,
    dout: UnsafePointer<S>, inp: UnsafePointer<S>, weight: UnsafePointer<S>,
    n: Int, fanIn: Int, fanOut: Int
) {
    S.gemm(.transpose, .none, m: fanOut, n: fanIn, k: n, alpha: 1, a: dout, lda: fanOut,
           b: inp, ldb: fanIn, beta: 0, c: dweight, ldc: fanIn)
    columnSums(dout, rows: n, columns: fanOut, into: dbias)
    if let dinp {
        S.gemm(.none, .none, m: n, n: fanIn, k: fanOut, alpha: 1, a: dout, lda: fanOut,
               b: weight, ldb: fanIn, beta: 0, c: dinp, ldc: fanIn)
    }
}

/// dx ← dx ⊙ 1[y > 0] where y is the ReLU's output, over `count` elements.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func reluBackward<S: BLASScalar>(_ dx: UnsafeMutablePointer<S>, output y: UnsafePointer<S>, count: Int) {
    if S.self == Float.self { return reluMaskLanes(asFloat(dx), output: asFloat(y), count: count) }
    if S.self == Double.self { return reluMaskLanes(asDouble(dx), output: asDouble(y), count: count) }
    for i in 0..<count {
        let g = dx[i]
        dx[i] = y[i] > 0 ? g : 0
    }
}

/// sums (columns) ← Σ_rows x, x (rows, columns); summed row by row, in row order.
@_specialize(where S == Float)
@_specialize(where S == Double)
func columnSums<S: BLASScalar>(_ x: UnsafePointer<S>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<S>) {
    if S.self == Float.self { return columnSumLanes(asFloat(x), rows: rows, columns: columns, into: asFloat(sums)) }
    if S.self == Double.self { return columnSumLanes(asDouble(x), rows: rows, columns: columns, into: asDouble(sums)) }
    sums.update(repeating: 0, count: columns)
    for row in 0..<rows {
        let r = x + row * columns
        for j in 0..<columns { sums[j] += r[j] }
    }
}

/// The ReLU's backward fused with the bias gradient of the layer that fed it, in one pass:
/// dx ← dx ⊙ 1[y > 0] and dbias ← Σ_rows dx (after masking). dx and y are (rows, width).
///
/// Equals `reluBackward` followed by the column sums of `affineBackward`, in the same order
/// of additions, so it is bit-identical to the two separate passes.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func reluBackwardWithBiasGradient<S: BLASScalar>(
    _ dx: UnsafeMutablePointer<S>, output y: UnsafePointer<S>, dbias: UnsafeMutablePointer<S>,
    rows: Int, width: Int
) {
    if S.self == Float.self {
        return reluMaskBiasLanes(asFloat(dx), output: asFloat(y), dbias: asFloat(dbias), rows: rows, width: width)
    }
    if S.self == Double.self {
        return reluMaskBiasLanes(asDouble(dx), output: asDouble(y), dbias: asDouble(dbias), rows: rows, width: width)
    }
    dbias.update(repeating: 0, count: width)
    for row in 0..<rows {
        let d = dx + row * width
        let o = y + row * width
        for j in 0..<width {
            let g = o[j] > 0 ? d[j] : 0
            d[j] = g
            dbias[j] += g
        }
    }
}

/// Back-propagates d(loss)/d(logits) through the whole network.
///
/// outputs are the buffers `mlpForward` filled; dlogits is (n, n_L) and is consumed
/// (the scratch buffers are overwritten). `scratch[l]` must hold (n, n_(l+1)) for the hidden
/// layers l < L − 1. The gradient is written (not accumulated) into `gradient`, laid out like
/// the parameters.
///
/// Per layer, from the last: one GEMM for dW = doutᵀ·inp, one for dinp = dout·W (not for
/// the first layer), and one pass over dinp that applies the ReLU mask and sums the bias
/// gradient of the layer below; the last layer's bias gradient is a column sum of dlogits.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func mlpBackward<S: BLASScalar>(
    _ architecture: MLPArchitecture, parameters: UnsafePointer<S>, inputs: UnsafePointer<S>,
    n: Int, outputs: [UnsafeMutablePointer<S>], dlogits: UnsafeMutablePointer<S>,
    scratch: [UnsafeMutablePointer<S>], gradient: UnsafeMutablePointer<S>
) {
    let last = architecture.layerCount - 1
    let sizes = architecture.layerSizes
    columnSums(dlogits, rows: n, columns: sizes[last + 1], into: gradient + architecture.biasOffset(last))
    var dout = dlogits
    var offset = architecture.weightOffset(last)
    for layer in stride(from: last, through: 0, by: -1) {
        let fanIn = sizes[layer]
        let fanOut = sizes[layer + 1]
        let layerInput = layer == 0 ? inputs : UnsafePointer(outputs[layer - 1])
        // dW_l = doutᵀ · inp   (fanOut, fanIn) = (n, fanOut)ᵀ · (n, fanIn)
        S.gemm(.transpose, .none, m: fanOut, n: fanIn, k: n, alpha: 1, a: dout, lda: fanOut,
               b: layerInput, ldb: fanIn, beta: 0, c: gradient + offset, ldc: fanIn)
        if layer > 0 {
            // dinp = dout · W_l   (n, fanIn) = (n, fanOut) · (fanOut, fanIn)
            let dinp = scratch[layer - 1]
            S.gemm(.none, .none, m: n, n: fanIn, k: fanOut, alpha: 1, a: dout, lda: fanOut,
                   b: parameters + offset, ldb: fanIn, beta: 0, c: dinp, ldc: fanIn)
            let belowOffset = offset - fanIn * (sizes[layer - 1] + 1)
            reluBackwardWithBiasGradient(
                dinp, output: outputs[layer - 1], dbias: gradient + belowOffset + fanIn * sizes[layer - 1],
                rows: n, width: fanIn)
            dout = dinp
            offset = belowOffset
        }
    }
}

/// `mlpBackward` fused with a plain SGD step (no momentum): the weight gradients are never
/// written to memory, each goes straight into its weights through the GEMM's α and β.
///
/// For each layer from the last: dinp = dout · W_l with the weights before their update,
/// the ReLU mask and bias gradient of the layer below in one pass, then
/// W_l ← (1 − η·λ)·W_l − η·doutᵀ·inp in one GEMM (α = −η, β = 1 − η·λ) and
/// b_l ← b_l − η·(db_l + λ·b_l) — SGD's θ ← θ − η·(∇ + λ·θ). The bias gradients are left in
/// `gradient` at their usual offsets; its weight entries are not touched. Arguments as for
/// `mlpBackward`, with `parameters` updated in place.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func mlpBackwardSGD<S: BLASScalar>(
    _ architecture: MLPArchitecture, parameters: UnsafeMutablePointer<S>, inputs: UnsafePointer<S>,
    n: Int, outputs: [UnsafeMutablePointer<S>], dlogits: UnsafeMutablePointer<S>,
    scratch: [UnsafeMutablePointer<S>], gradient: UnsafeMutablePointer<S>, learningRate eta: S, weightDecay lambda: S
) {
    let last = architecture.layerCount - 1
    let sizes = architecture.layerSizes
    columnSums(dlogits, rows: n, columns: sizes[last + 1], into: gradient + architecture.biasOffset(last))
    var dout = dlogits
    var offset = architecture.weightOffset(last)
    for layer in stride(from: last, through: 0, by: -1) {
        let fanIn = sizes[layer]
        let fanOut = sizes[layer + 1]
        let layerInput = layer == 0 ? inputs : UnsafePointer(outputs[layer - 1])
        let belowOffset = layer == 0 ? 0 : offset - fanIn * (sizes[layer - 1] + 1)
        if layer > 0 {
            // dinp = dout · W_l   (n, fanIn) = (n, fanOut) · (fanOut, fanIn), before W_l moves
            let dinp = scratch[layer - 1]
            S.gemm(.none, .none, m: n, n: fanIn, k: fanOut, alpha: 1, a: dout, lda: fanOut,
                   b: parameters + offset, ldb: fanIn, beta: 0, c: dinp, ldc: fanIn)
            reluBackwardWithBiasGradient(
                dinp, output: outputs[layer - 1], dbias: gradient + belowOffset + fanIn * sizes[layer - 1],
                rows: n, width: fanIn)
        }
        // W_l ← (1 − ηλ)·W_l − η·doutᵀ·inp   (fanOut, fanIn)
        S.gemm(.transpose, .none, m: fanOut, n: fanIn, k: n, alpha: -eta, a: dout, lda: fanOut,
               b: layerInput, ldb: fanIn, beta: 1 - eta * lambda, c: parameters + offset, ldc: fanIn)
        sgdBiasUpdate(parameters + offset + fanOut * fanIn, gradient: gradient + offset + fanOut * fanIn,
                      count: fanOut, learningRate: eta, weightDecay: lambda)
        if layer > 0 {
            dout = scratch[layer - 1]
            offset = belowOffset
        }
    }
}

/// b ← b − η·(db + λ·b) over `count` biases, as `OptimizerState.update` computes plain SGD.
@_specialize(where S == Float)
@_specialize(where S == Double)
func sgdBiasUpdate<S: BLASScalar>(
    _ bias: UnsafeMutablePointer<S>, gradient: UnsafePointer<S>, count: Int, learningRate eta: S, weightDecay lambda: S
) {
    if lambda == 0 {
        for i in 0..<count { bias[i] -= eta * gradient[i] }
    } else {
        for i in 0..<count { bias[i] -= eta * (gradient[i] + lambda * bias[i]) }
    }
}
