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
    dbias.update(repeating: 0, count: fanOut)
    for row in 0..<n {
        let d = dout + row * fanOut
        for j in 0..<fanOut { dbias[j] += d[j] }
    }
    if let dinp {
        S.gemm(.none, .none, m: n, n: fanIn, k: fanOut, alpha: 1, a: dout, lda: fanOut,
               b: weight, ldb: fanIn, beta: 0, c: dinp, ldc: fanIn)
    }
}

/// dx ← dx ⊙ 1[y > 0] where y is the ReLU's output, over `count` elements.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func reluBackward<S: BLASScalar>(_ dx: UnsafeMutablePointer<S>, output y: UnsafePointer<S>, count: Int) {
    for i in 0..<count where y[i] <= 0 { dx[i] = 0 }
}

/// Back-propagates d(loss)/d(logits) through the whole network.
///
/// outputs are the buffers `mlpForward` filled; dlogits is (n, n_L) and is consumed
/// (the scratch buffers are overwritten). `scratch[l]` must hold (n, n_(l+1)) for the hidden
/// layers l < L − 1. The gradient is written (not accumulated) into `gradient`, laid out like
/// the parameters.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func mlpBackward<S: BLASScalar>(
    _ architecture: MLPArchitecture, parameters: UnsafePointer<S>, inputs: UnsafePointer<S>,
    n: Int, outputs: [UnsafeMutablePointer<S>], dlogits: UnsafeMutablePointer<S>,
    scratch: [UnsafeMutablePointer<S>], gradient: UnsafeMutablePointer<S>
) {
    var dout = dlogits
    for layer in stride(from: architecture.layerCount - 1, through: 0, by: -1) {
        let fanIn = architecture.fanIn(layer)
        let fanOut = architecture.fanOut(layer)
        let layerInput = layer == 0 ? inputs : UnsafePointer(outputs[layer - 1])
        let dinp: UnsafeMutablePointer<S>? = layer == 0 ? nil : scratch[layer - 1]
        affineBackward(
            dinp: dinp, dweight: gradient + architecture.weightOffset(layer),
            dbias: gradient + architecture.biasOffset(layer), dout: dout, inp: layerInput,
            weight: parameters + architecture.weightOffset(layer), n: n, fanIn: fanIn, fanOut: fanOut)
        if let dinp {
            reluBackward(dinp, output: outputs[layer - 1], count: n * fanIn)
            dout = dinp
        }
    }
}
