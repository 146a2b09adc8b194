import Linalg

// MARK: - Layers as free functions (llm.c style); row-major, batch first.
//
// The GEMMs take their operands with the transposes BLAS offers and never copy them. Every
// other pass over memory is one loop over contiguous rows; the ReLU passes run on the
// hand-vectorised kernels of Elementwise.swift.

/// out = inp · Wᵀ + b.   inp is (n, fanIn), weight is (fanOut, fanIn), bias is (fanOut),
/// out is (n, fanOut). The bias is written first, then one GEMM accumulates onto it.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func affineForward<S: BLASScalar>(
    out: UnsafeMutablePointer<S>, inp: UnsafePointer<S>, weight: UnsafePointer<S>,
    bias: UnsafePointer<S>, n: Int, fanIn: Int, fanOut: Int
) {
    broadcastBias(bias, into: out, rows: n, width: fanOut)
    LayerGEMM<S>.forward(rows: n, fanIn: fanIn, fanOut: fanOut)(a: inp, b: weight, c: out)
}

/// Every row of out (rows, width) ← bias (width): what the forward GEMM then accumulates onto.
///
/// β = 1 makes OpenBLAS skip its own pass over C (β = 0 zeroes C first): the bias
/// broadcast costs no more than that zeroing would.
@inline(__always)
func broadcastBias<S: BLASScalar>(_ bias: UnsafePointer<S>, into out: UnsafeMutablePointer<S>, rows: Int, width: Int) {
    for row in 0..<rows {
        (out + row * width).update(from: bias, count: width)
    }
}

/// x ← max(x, 0) over `count` elements, in place (NaN stays NaN).
@_specialize(where S == Float)
@_specialize(where S == Double)
public func reluForward<S: BLASScalar>(_ x: UnsafeMutablePointer<S>, count: Int) {
    if S.self == Float.self { return reluLanes(asFloat(x), count: count) }
    if S.self == Double.self { return reluLanes(asDouble(x), count: count) }
    for i in 0..<count {
        let v = x[i]
        x[i] = v < 0 ? 0 : v
    }
}

/// Runs the network on a batch, keeping every layer's output: the GEMMs of
/// ``StepGEMMs/forward(_:rows:)``, each onto its layer's bias and followed by the ReLU on
/// every layer but the last.
///
/// inputs is (n, n_0); outputs[l] is (n, n_(l+1)) with capacity for at least n rows:
/// post-ReLU activations for hidden layers, logits for the last.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func mlpForward<S: BLASScalar>(
    _ architecture: MLPArchitecture, parameters: UnsafePointer<S>, inputs: UnsafePointer<S>,
    n: Int, outputs: [UnsafeMutablePointer<S>]
) {
    let buffers = StepBuffers(architecture: architecture, parameters: parameters, inputs: inputs, outputs: outputs)
    for step in StepGEMMs<S>.forward(architecture, rows: n) {
        let layer = step.layer
        let fanOut = architecture.fanOut(layer)
        broadcastBias(parameters + architecture.biasOffset(layer), into: outputs[layer], rows: n, width: fanOut)
        buffers.run(step)
        if layer < architecture.layerCount - 1 {
            reluForward(outputs[layer], count: n * fanOut)
        }
    }
}

/// Softmax cross-entropy over a batch, fused with its gradient.
///
/// logits is (n, d), labels (n). Returns the summed loss (natural log) and the number of
/// rows whose arg-max equals the label. If `dlogits` is given it receives
/// (softmax − onehot) · scale, (n, d); pass scale = 1/n for the batch-mean loss.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func softmaxCrossEntropy<S: BLASScalar>(
    logits: UnsafePointer<S>, labels: UnsafePointer<Int32>, n: Int, d: Int,
    dlogits: UnsafeMutablePointer<S>?, scale: S
) -> (lossSum: Double, correct: Int) {
    var lossSum = 0.0
    var correct = 0
    for row in 0..<n {
        let z = logits + row * d
        var maxValue = z[0]
        var argMax = 0
        for k in 1..<d where z[k] > maxValue {
            maxValue = z[k]
            argMax = k
        }
        let label = Int(labels[row])
        if argMax == label { correct += 1 }
        var sum: S = 0
        if let dlogits {
            // One exponential per logit: exp(z − max) is parked in dz, then rescaled.
            let dz = dlogits + row * d
            for k in 0..<d {
                let e = S.exponential(z[k] - maxValue)
                dz[k] = e
                sum += e
            }
            let inverseSum = 1 / sum
            for k in 0..<d { dz[k] = dz[k] * inverseSum * scale }
            dz[label] -= scale
        } else {
            for k in 0..<d { sum += S.exponential(z[k] - maxValue) }
        }
        // loss = log Σ exp(z − max) − (z_label − max)
        lossSum += Double(S.logarithm(sum) - (z[label] - maxValue))
    }
    return (lossSum, correct)
}
