import Linalg

// MARK: - The GEMMs of a training step, listed once
//
// Every GEMM a training step issues is one of three per affine layer n_in → n_out (forward,
// input gradient, weight GEMM), and a step issues them in one order. `StepGEMMs` is that
// list, with the operands named (`StepOperand`) rather than addressed: `mlpForward` and
// `mlpBackward` execute it, `MLPWorkspace.replayGEMMs` replays it, and the benchmark tables
// read their shapes from it. What runs, what is replayed and what is tabulated are therefore
// one sequence.

/// The α and β of a GEMM C ← α·op(A)·op(B) + β·C.
public struct GEMMScalars<S: BLASScalar>: Sendable, Equatable {
    public var alpha: S
    public var beta: S

    public init(alpha: S, beta: S) {
        self.alpha = alpha
        self.beta = beta
    }

    /// α = 1, β = 0: C ← op(A)·op(B), what was in C ignored.
    public static var overwrite: GEMMScalars { GEMMScalars(alpha: 1, beta: 0) }
    /// α = 1, β = 1: C ← op(A)·op(B) + C.
    public static var accumulate: GEMMScalars { GEMMScalars(alpha: 1, beta: 1) }
}

/// One of the three GEMMs of an affine layer out = inp · Wᵀ + b, n_in → n_out, on n rows,
/// as `BLASScalar.gemm` takes it: C (m, n) ← α·op(A)·op(B) + β·C, row-major, every operand
/// packed (its leading dimension is its row length).
public struct LayerGEMM<S: BLASScalar>: Sendable, Equatable {
    /// Which product of the layer this is.
    public enum Role: Sendable, Hashable {
        /// out (n, n_out) ← inp (n, n_in) · Wᵀ + out, onto the bias already in out.
        case forward
        /// dinp (n, n_in) ← dout (n, n_out) · W.
        case inputGradient
        /// C (n_out, n_in) ← α·doutᵀ·inp + β·C: the weight gradient when α = 1 and β = 0, or
        /// a caller's update folded into the product.
        case weightGradient
    }

    public let role: Role
    public let transA: Transpose
    public let transB: Transpose
    public let m: Int
    public let n: Int
    public let k: Int
    public let scalars: GEMMScalars<S>

    /// The forward product: out (n, fanOut) ← inp (n, fanIn) · Wᵀ (fanIn, fanOut) + out.
    public static func forward(rows: Int, fanIn: Int, fanOut: Int) -> LayerGEMM {
        LayerGEMM(role: .forward, transA: .none, transB: .transpose, m: rows, n: fanOut, k: fanIn, scalars: .accumulate)
    }

    /// The input gradient: dinp (n, fanIn) ← dout (n, fanOut) · W (fanOut, fanIn).
    public static func inputGradient(rows: Int, fanIn: Int, fanOut: Int) -> LayerGEMM {
        LayerGEMM(role: .inputGradient, transA: .none, transB: .none, m: rows, n: fanIn, k: fanOut, scalars: .overwrite)
    }

    /// The weight product: C (fanOut, fanIn) ← α·doutᵀ (fanOut, n) · inp (n, fanIn) + β·C.
    public static func weightGradient(rows: Int, fanIn: Int, fanOut: Int, scalars: GEMMScalars<S>) -> LayerGEMM {
        LayerGEMM(role: .weightGradient, transA: .transpose, transB: .none, m: fanOut, n: fanIn, k: rows, scalars: scalars)
    }

    /// Leading dimension of A: op(A) is (m, k), so A is (m, k) or, transposed, (k, m).
    public var lda: Int { transA == .none ? k : m }
    /// Leading dimension of B: op(B) is (k, n), so B is (k, n) or, transposed, (n, k).
    public var ldb: Int { transB == .none ? n : k }
    /// Leading dimension of C (m, n).
    public var ldc: Int { n }

    /// 2·m·n·k.
    public var flops: Int { 2 * m * n * k }

    /// Issues the GEMM on these operands.
    @inline(__always)
    public func callAsFunction(a: UnsafePointer<S>, b: UnsafePointer<S>, c: UnsafeMutablePointer<S>) {
        S.gemm(transA, transB, m: m, n: n, k: k, alpha: scalars.alpha, a: a, lda: lda, b: b, ldb: ldb,
               beta: scalars.beta, c: c, ldc: ldc)
    }
}

/// A buffer a training step's GEMMs read or write, by name.
public enum StepOperand: Sendable, Hashable {
    /// The batch inputs, (n, n_0).
    case inputs
    /// Layer l's output, (n, n_(l+1)): post-ReLU for hidden layers, the logits for the last.
    case output(Int)
    /// d(loss)/d(layer l's output), (n, n_(l+1)).
    case outputGradient(Int)
    /// W_l in the parameters, (n_(l+1), n_l).
    case weight(Int)
    /// W_l's place in the buffer that receives the weight GEMMs, (n_(l+1), n_l).
    case weightGradient(Int)
}

/// One GEMM of a training step: a layer's product and the operands it runs on.
public struct StepGEMM<S: BLASScalar>: Sendable, Equatable {
    public let layer: Int
    public let gemm: LayerGEMM<S>
    public let a: StepOperand
    public let b: StepOperand
    public let c: StepOperand

    public var role: LayerGEMM<S>.Role { gemm.role }
}

/// The GEMMs of one training step on n rows, in the order the step issues them:
///
/// - forward, layer by layer: out_l ← inp_l · W_lᵀ + out_l (the bias is in out_l first);
/// - backward, from the last layer down: dout_(l−1) ← dout_l · W_l for every layer above the
///   first, then the weight GEMM C_l ← α·dout_lᵀ·inp_l + β·C_l.
///
/// Each layer's input-gradient GEMM comes before its weight GEMM, and no later GEMM reads
/// W_l, so the weight GEMM may write onto W_l itself (an update folded into it through α and
/// β). inp_0 is the batch and inp_l = out_(l−1).
public struct StepGEMMs<S: BLASScalar>: RandomAccessCollection, Sendable {
    public let architecture: MLPArchitecture
    /// n, the batch's rows.
    public let rows: Int
    /// α and β of every layer's weight GEMM.
    public let weightGradient: GEMMScalars<S>
    /// The positions listed: the forward GEMMs are 0..<L, the backward ones L..<3L − 1.
    private let positions: Range<Int>

    /// The whole step: forward then backward.
    public init(_ architecture: MLPArchitecture, rows: Int, weightGradient: GEMMScalars<S> = .overwrite) {
        self.init(architecture, rows: rows, weightGradient: weightGradient, positions: 0..<(3 * architecture.layerCount - 1))
    }

    private init(_ architecture: MLPArchitecture, rows: Int, weightGradient: GEMMScalars<S>, positions: Range<Int>) {
        self.architecture = architecture
        self.rows = rows
        self.weightGradient = weightGradient
        self.positions = positions
    }

    /// The forward pass's GEMMs alone.
    public static func forward(_ architecture: MLPArchitecture, rows: Int) -> StepGEMMs {
        StepGEMMs(architecture, rows: rows, weightGradient: .overwrite, positions: 0..<architecture.layerCount)
    }

    /// The backward pass's GEMMs alone.
    public static func backward(
        _ architecture: MLPArchitecture, rows: Int, weightGradient: GEMMScalars<S> = .overwrite
    ) -> StepGEMMs {
        let layers = architecture.layerCount
        return StepGEMMs(architecture, rows: rows, weightGradient: weightGradient, positions: layers..<(3 * layers - 1))
    }

    public var startIndex: Int { positions.lowerBound }
    public var endIndex: Int { positions.upperBound }

    public subscript(position: Int) -> StepGEMM<S> {
        precondition(positions.contains(position), "StepGEMMs: position \(position) outside \(positions)")
        let layers = architecture.layerCount
        func layerInput(_ layer: Int) -> StepOperand { layer == 0 ? .inputs : .output(layer - 1) }
        if position < layers {
            let layer = position
            let (fanIn, fanOut) = (architecture.fanIn(layer), architecture.fanOut(layer))
            return StepGEMM(
                layer: layer, gemm: .forward(rows: rows, fanIn: fanIn, fanOut: fanOut),
                a: layerInput(layer), b: .weight(layer), c: .output(layer))
        }
        // Backward: per layer from the last, the input gradient (not for layer 0), then the
        // weight GEMM; so layer L − 1 − j/2 at backward position j, its weight GEMM at odd j.
        let j = position - layers
        let layer = layers - 1 - j / 2
        let (fanIn, fanOut) = (architecture.fanIn(layer), architecture.fanOut(layer))
        if j % 2 == 1 || layer == 0 {
            return StepGEMM(
                layer: layer, gemm: .weightGradient(rows: rows, fanIn: fanIn, fanOut: fanOut, scalars: weightGradient),
                a: .outputGradient(layer), b: layerInput(layer), c: .weightGradient(layer))
        }
        return StepGEMM(
            layer: layer, gemm: .inputGradient(rows: rows, fanIn: fanIn, fanOut: fanOut),
            a: .outputGradient(layer), b: .weight(layer), c: .outputGradient(layer - 1))
    }

    /// Floating-point operations of the GEMMs listed, 2·m·n·k each.
    public var flops: Int { reduce(0) { $0 + $1.gemm.flops } }
}

/// Where the operands of a step's GEMMs live: the buffers a forward and backward pass on n
/// rows reads and writes.
struct StepBuffers<S: BLASScalar> {
    let architecture: MLPArchitecture
    let parameters: UnsafePointer<S>
    let inputs: UnsafePointer<S>
    /// outputs[l], (n, n_(l+1)).
    let outputs: [UnsafeMutablePointer<S>]
    /// d(loss)/d(outputs[l]) for the hidden layers l < L − 1 (empty for a forward pass).
    var hiddenGradients: [UnsafeMutablePointer<S>] = []
    /// d(loss)/d(logits) (nil for a forward pass).
    var dlogits: UnsafeMutablePointer<S>? = nil
    /// Receives the weight GEMMs, laid out like the parameters (nil for a forward pass).
    var weightGradients: UnsafeMutablePointer<S>? = nil

    /// The address of an operand the GEMMs write.
    func address(_ operand: StepOperand) -> UnsafeMutablePointer<S> {
        switch operand {
        case .output(let layer):
            return outputs[layer]
        case .outputGradient(let layer):
            if layer < architecture.layerCount - 1 { return hiddenGradients[layer] }
            guard let dlogits else { preconditionFailure("StepBuffers: no logit gradient for a backward GEMM") }
            return dlogits
        case .weightGradient(let layer):
            guard let weightGradients else { preconditionFailure("StepBuffers: no buffer for the weight GEMMs") }
            return weightGradients + architecture.weightOffset(layer)
        case .inputs, .weight:
            preconditionFailure("StepBuffers: \(operand) is read-only")
        }
    }

    /// The address of an operand the GEMMs read.
    func read(_ operand: StepOperand) -> UnsafePointer<S> {
        switch operand {
        case .inputs: return inputs
        case .weight(let layer): return parameters + architecture.weightOffset(layer)
        default: return UnsafePointer(address(operand))
        }
    }

    /// Issues `step` on these buffers.
    func run(_ step: StepGEMM<S>) {
        step.gemm(a: read(step.a), b: read(step.b), c: address(step.c))
    }
}
