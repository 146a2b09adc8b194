import Linalg

extension MLPWorkspace {
    /// Issues exactly the GEMMs of one ``lossAndGradient(parameters:inputs:labels:n:gradient:)``
    /// on `n` rows of ``batchInputs`` — or, given `sgd` = (η, λ), of one
    /// ``lossAndSGDStep(parameters:inputs:labels:n:gradient:learningRate:weightDecay:)`` — and
    /// nothing else: the same shapes, transposes, leading dimensions, scalars and buffers, in
    /// the same order. For benchmarks: what a step takes beyond this replay is its time
    /// outside GEMM.
    ///
    /// The fused step's weight updates (α = −η, β = 1 − η·λ) land in `gradient` instead of
    /// the parameters, which the replay never writes. Leaves meaningless values in the
    /// workspace's buffers and in `gradient` (the next step overwrites or ignores all of them).
    /// Returns the number of floating-point operations issued, 2·m·n·k per GEMM.
    @discardableResult
    public func replayGEMMs(
        parameters: UnsafePointer<S>, gradient: UnsafeMutablePointer<S>, n: Int, sgd: (learningRate: S, weightDecay: S)? = nil
    ) -> Int {
        precondition(n <= capacity)
        let sizes = architecture.layerSizes
        let last = architecture.layerCount - 1
        var flops = 0
        var offset = 0
        // Forward: out_l (n, fanOut) += inp (n, fanIn) · W_lᵀ
        for layer in 0...last {
            let (fanIn, fanOut) = (sizes[layer], sizes[layer + 1])
            let input = layer == 0 ? UnsafePointer(batchInputs) : UnsafePointer(outputs[layer - 1])
            S.gemm(.none, .transpose, m: n, n: fanOut, k: fanIn, alpha: 1, a: input, lda: fanIn,
                   b: parameters + offset, ldb: fanIn, beta: 1, c: outputs[layer], ldc: fanOut)
            flops += 2 * n * fanIn * fanOut
            offset += fanOut * (fanIn + 1)
        }
        // Backward: dW_l = doutᵀ · inp, then dinp = dout · W_l below the first layer.
        var dout = dlogits
        for layer in stride(from: last, through: 0, by: -1) {
            let (fanIn, fanOut) = (sizes[layer], sizes[layer + 1])
            offset -= fanOut * (fanIn + 1)
            let input = layer == 0 ? UnsafePointer(batchInputs) : UnsafePointer(outputs[layer - 1])
            if let sgd {
                // The fused step: dinp first (with the weights before their update), then the update.
                if layer > 0 {
                    S.gemm(.none, .none, m: n, n: fanIn, k: fanOut, alpha: 1, a: dout, lda: fanOut,
                           b: parameters + offset, ldb: fanIn, beta: 0, c: scratch[layer - 1], ldc: fanIn)
                    flops += 2 * n * fanIn * fanOut
                }
                S.gemm(.transpose, .none, m: fanOut, n: fanIn, k: n, alpha: -sgd.learningRate, a: dout, lda: fanOut,
                       b: input, ldb: fanIn, beta: 1 - sgd.learningRate * sgd.weightDecay, c: gradient + offset,
                       ldc: fanIn)
                flops += 2 * n * fanIn * fanOut
            } else {
                S.gemm(.transpose, .none, m: fanOut, n: fanIn, k: n, alpha: 1, a: dout, lda: fanOut,
                       b: input, ldb: fanIn, beta: 0, c: gradient + offset, ldc: fanIn)
                flops += 2 * n * fanIn * fanOut
                if layer > 0 {
                    S.gemm(.none, .none, m: n, n: fanIn, k: fanOut, alpha: 1, a: dout, lda: fanOut,
                           b: parameters + offset, ldb: fanIn, beta: 0, c: scratch[layer - 1], ldc: fanIn)
                    flops += 2 * n * fanIn * fanOut
                }
            }
            if layer > 0 { dout = scratch[layer - 1] }
        }
        return flops
    }
}
