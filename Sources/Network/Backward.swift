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
    LayerGEMM<S>.weightGradient(rows: n, fanIn: fanIn, fanOut: fanOut, scalars: .overwrite)(a: dout, b: inp, c: dweight)
    columnSums(dout, rows: n, columns: fanOut, into: dbias)
    if let dinp {
        LayerGEMM<S>.inputGradient(rows: n, fanIn: fanIn, fanOut: fanOut)(a: dout, b: weight, c: dinp)
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

/// Back-propagates d(loss)/d(logits) through the whole network: the GEMMs of
/// ``StepGEMMs/backward(_:rows:weightGradient:)``, in its order, with the passes over memory
/// between them.
///
/// outputs are the buffers `mlpForward` filled; dlogits is (n, n_L) and is consumed
/// (the scratch buffers are overwritten). `scratch[l]` must hold (n, n_(l+1)) for the hidden
/// layers l < L − 1. The bias gradients are written (not accumulated) into `gradient`, laid
/// out like the parameters.
///
/// Each layer's weight GEMM writes C_l ← α·doutᵀ·inp + β·C_l with `weightScalars` (α, β)
/// onto W_l's place in `weightGradients`, also laid out like the parameters. With the
/// default α = 1, β = 0 and `weightGradients` = `gradient` that is the weight gradient, and
/// `gradient` holds the whole gradient. `weightGradients` may be the parameters themselves:
/// the input-gradient GEMM of each layer reads W_l before its weight GEMM writes it, and
/// nothing reads W_l after that.
///
/// Per layer, from the last: dinp = dout·W_l (not for the first layer), one pass over dinp
/// that applies the ReLU mask and sums the bias gradient of the layer below, then the weight
/// GEMM; the last layer's bias gradient is a column sum of dlogits, taken first.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func mlpBackward<S: BLASScalar>(
    _ architecture: MLPArchitecture, parameters: UnsafePointer<S>, inputs: UnsafePointer<S>,
    n: Int, outputs: [UnsafeMutablePointer<S>], dlogits: UnsafeMutablePointer<S>,
    scratch: [UnsafeMutablePointer<S>], gradient: UnsafeMutablePointer<S>,
    weightGradients: UnsafeMutablePointer<S>? = nil, weightScalars: GEMMScalars<S> = .overwrite
) {
    let last = architecture.layerCount - 1
    columnSums(dlogits, rows: n, columns: architecture.outputSize, into: gradient + architecture.biasOffset(last))
    let buffers = StepBuffers(
        architecture: architecture, parameters: parameters, inputs: inputs, outputs: outputs,
        hiddenGradients: scratch, dlogits: dlogits, weightGradients: weightGradients ?? gradient)
    for step in StepGEMMs<S>.backward(architecture, rows: n, weightGradient: weightScalars) {
        buffers.run(step)
        if step.role == .inputGradient {
            // dinp is d(loss)/d(output of layer l − 1): mask it by that ReLU and sum the bias
            // gradient of layer l − 1 in the same pass.
            let below = step.layer - 1
            reluBackwardWithBiasGradient(
                scratch[below], output: outputs[below], dbias: gradient + architecture.biasOffset(below),
                rows: n, width: architecture.fanOut(below))
        }
    }
}
