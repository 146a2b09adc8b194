import Linalg
import Network

// MARK: - Forward pass and per-layer Jacobian factors, in float64
//
// Notation (0-based affine layers l = 0 … L−1, layer l maps n_l → n_(l+1)):
//   Ã_l  (n, n_l + 1)       input to layer l for every sample, with a trailing column of ones
//   Δ_l  (m, n_(l+1))       ∂(output k of sample i)/∂(pre-activation of layer l), row i·d + k
// so that, with m = n·d rows and P columns,
//   J[(i,k), W_l[a,b]] = Δ_l[(i,k), a]·Ã_l[i, b]      J[(i,k), b_l[a]] = Δ_l[(i,k), a].

/// The float64 forward pass that every geometric quantity of one batch shares.
public struct GeometryForward: Sendable {
    /// The network's shape.
    public let architecture: MLPArchitecture
    /// The flat parameter buffer (Network's layout), float64.
    public let parameters: [Double]
    /// Batch size n.
    public let n: Int
    /// augmentedInputs[l] is (n, n_l + 1): the input to affine layer l (the batch itself for
    /// l = 0, the post-ReLU activations of hidden layer l otherwise), then a column of ones.
    public let augmentedInputs: [[Double]]
    /// (n, d) logits.
    public let logits: [Double]

    /// d = n_L.
    public var outputSize: Int { architecture.outputSize }

    /// Whether hidden neuron `a` of hidden layer `hidden` (1-based: the output of affine
    /// layer hidden − 1) is active (pre-activation > 0) on sample i.
    @inlinable
    public func isActive(hidden: Int, sample i: Int, neuron a: Int) -> Bool {
        augmentedInputs[hidden][i * (architecture.layerSizes[hidden] + 1) + a] > 0
    }
}

/// Runs the network in float64 on a batch and keeps what the geometry needs.
///
/// parameters is the flat buffer (P), inputs is (n, n_0), row-major. Throws
/// `GeometryError.shapeMismatch` when the buffers do not fit the architecture.
public func geometryForward(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int
) throws -> GeometryForward {
    guard n >= 1 else { throw GeometryError.invalidArgument("the batch must hold at least one input (n = \(n))") }
    guard parameters.count == architecture.parameterCount else {
        throw GeometryError.shapeMismatch(
            what: "parameters of \(architecture.description)", expected: architecture.parameterCount,
            actual: parameters.count)
    }
    guard inputs.count == n * architecture.inputSize else {
        throw GeometryError.shapeMismatch(
            what: "inputs (\(n) × \(architecture.inputSize))", expected: n * architecture.inputSize,
            actual: inputs.count)
    }
    let layerCount = architecture.layerCount
    let outputs = (0..<layerCount).map { layer in
        UnsafeMutablePointer<Double>.allocate(capacity: n * architecture.fanOut(layer))
    }
    defer { for buffer in outputs { buffer.deallocate() } }
    parameters.withUnsafeBufferPointer { pp in
        inputs.withUnsafeBufferPointer { xp in
            guard let parameterBase = pp.baseAddress, let inputBase = xp.baseAddress else { return }
            mlpForward(architecture, parameters: parameterBase, inputs: inputBase, n: n, outputs: outputs)
        }
    }
    var augmented: [[Double]] = []
    for layer in 0..<layerCount {
        let width = architecture.fanIn(layer)
        var a = [Double](repeating: 1, count: n * (width + 1))
        for i in 0..<n {
            for b in 0..<width {
                a[i * (width + 1) + b] = layer == 0 ? inputs[i * width + b] : outputs[layer - 1][i * width + b]
            }
        }
        augmented.append(a)
    }
    let d = architecture.outputSize
    let logits = Array(UnsafeBufferPointer(start: outputs[layerCount - 1], count: n * d))
    return GeometryForward(architecture: architecture, parameters: parameters, n: n, augmentedInputs: augmented, logits: logits)
}

/// The per-layer factors of J for one output variant: J is never formed from these unless
/// asked (``explicitJacobian(_:)``).
public struct JacobianFactors: Sendable {
    /// The shared forward pass.
    public let forward: GeometryForward
    /// The output variant the Δs were seeded with.
    public let variant: OutputVariant
    /// deltas[l] is (m, n_(l+1)), row i·d + k: ∂(output k of sample i)/∂(pre-activation of
    /// affine layer l).
    public let deltas: [[Double]]

    public var architecture: MLPArchitecture { forward.architecture }
    /// n.
    public var sampleCount: Int { forward.n }
    /// m = n·d, the rows of J.
    public var rows: Int { forward.n * forward.outputSize }
    /// P, the columns of J.
    public var columns: Int { forward.architecture.parameterCount }
}

/// The per-sample output map's Jacobian M_i (d, d), row-major, for a variant.
///
/// logits (d): sample i's logits. identity for `logits`, diag(p) − ppᵀ with p = softmax(z)
/// for `softmax`, C = I − 11ᵀ/d for `centred`.
public func outputMap(_ variant: OutputVariant, logits z: ArraySlice<Double>) -> [Double] {
    let d = z.count
    var m = [Double](repeating: 0, count: d * d)
    switch variant {
    case .logits:
        for k in 0..<d { m[k * d + k] = 1 }
    case .centred:
        let shift = 1 / Double(d)
        for k in 0..<d {
            for k2 in 0..<d { m[k * d + k2] = (k == k2 ? 1 : 0) - shift }
        }
    case .softmax:
        let p = softmax(z)
        for k in 0..<d {
            for k2 in 0..<d { m[k * d + k2] = (k == k2 ? p[k] : 0) - p[k] * p[k2] }
        }
    }
    return m
}

/// Numerically stable softmax of one row of logits.
public func softmax(_ z: ArraySlice<Double>) -> [Double] {
    let maxValue = z.max() ?? 0
    var p = z.map { Double.exponential($0 - maxValue) }
    let total = p.reduce(0, +)
    for k in p.indices { p[k] /= total }
    return p
}

/// Back-propagates the per-sample output maps to every layer's pre-activations.
///
/// Δ_(L−1) (m, d): row i·d + k is row k of M_i. Then for l = L−1 … 1:
/// Δ_(l−1) = (Δ_l · W_l) ⊙ relu′(pre-activation of layer l−1), row (i, k) masked with sample
/// i's pattern. One GEMM (m × n_(l+1)) · (n_(l+1) × n_l) per layer.
public func jacobianFactors(_ forward: GeometryForward, variant: OutputVariant) -> JacobianFactors {
    let architecture = forward.architecture
    let n = forward.n
    let d = architecture.outputSize
    let m = n * d
    let layerCount = architecture.layerCount
    var deltas = [[Double]](repeating: [], count: layerCount)

    var top = [Double](repeating: 0, count: m * d)
    for i in 0..<n {
        let map = outputMap(variant, logits: forward.logits[(i * d)..<((i + 1) * d)])
        for k in 0..<(d * d) { top[i * d * d + k] = map[k] }  // rows i·d … i·d + d − 1
    }
    deltas[layerCount - 1] = top

    for layer in stride(from: layerCount - 1, to: 0, by: -1) {
        let fanIn = architecture.fanIn(layer)    // n_l: width of hidden layer `layer`
        let fanOut = architecture.fanOut(layer)  // n_(l+1)
        var below = [Double](repeating: 0, count: m * fanIn)
        deltas[layer].withUnsafeBufferPointer { dp in
            forward.parameters.withUnsafeBufferPointer { pp in
                below.withUnsafeMutableBufferPointer { bp in
                    guard let deltaBase = dp.baseAddress, let parameterBase = pp.baseAddress,
                          let belowBase = bp.baseAddress
                    else { return }
                    Double.gemm(.none, .none, m: m, n: fanIn, k: fanOut, alpha: 1, a: deltaBase, lda: fanOut,
                                b: parameterBase + architecture.weightOffset(layer), ldb: fanIn,
                                beta: 0, c: belowBase, ldc: fanIn)
                }
            }
        }
        // Mask with relu′ of the hidden layer feeding `layer`: its post-ReLU output > 0.
        let activations = forward.augmentedInputs[layer]
        below.withUnsafeMutableBufferPointer { bp in
            activations.withUnsafeBufferPointer { ap in
                guard let activationBase = ap.baseAddress, let belowBase = bp.baseAddress else { return }
                for r in 0..<m {
                    let sampleRow = activationBase + (r / d) * (fanIn + 1)
                    let row = belowBase + r * fanIn
                    for a in 0..<fanIn where sampleRow[a] <= 0 { row[a] = 0 }
                }
            }
        }
        deltas[layer - 1] = below
    }
    return JacobianFactors(forward: forward, variant: variant, deltas: deltas)
}
