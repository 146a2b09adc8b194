import Linalg
import Network

// MARK: - The (conditioned) Gram matrix, built layer by layer without forming J
//
// K = J Jᵀ = Σ_l (Δ_l Δ_lᵀ) ∘ (G_l ⊗ 1_(d×d)), i.e.
//   K[(i,k), (j,k')] = Σ_l (Δ_l Δ_lᵀ)[(i,k), (j,k')] · G_l[i, j],
// with G_l = Ã_l Ã_lᵀ (plain) or the projector Q_l Q_lᵀ onto the column space of Ã_l
// (conditioned; see GramConditioning). Equivalently K̃ = J̃ J̃ᵀ where J̃ has, per layer,
// n_(l+1)·r_l columns J̃[(i,k), (l, a, b)] = Δ_l[(i,k), a]·B_l[i, b] with B_l = Ã_l (plain,
// r_l = n_l + 1) or Q_l (conditioned, r_l = rank Ã_l). P̃ = Σ_l n_(l+1)·r_l.
// When m > P̃ the smaller P̃ × P̃ matrix J̃ᵀJ̃ (same nonzero eigenvalues) is formed instead,
// accumulated over blocks of rows of J̃ (``parameterGram(_:bases:blockRows:)``); either side can be
// forced (``GramSideChoice``).

/// A symmetric positive semi-definite matrix whose nonzero eigenvalues are the squared
/// singular values of the (conditioned) Jacobian J̃.
public struct GramMatrix: Sendable {
    /// Which product was formed.
    public enum Side: String, Sendable {
        /// K̃ = J̃J̃ᵀ, m × m (rows of J): chosen automatically when m ≤ P̃.
        case rows
        /// J̃ᵀJ̃, P̃ × P̃ (conditioned parameters): chosen automatically when m > P̃.
        case parameters
        /// Never formed: the first layer's block-diagonal part plus a low-rank update, counted
        /// through a small Schur complement (``BFDMethod/gramInertia`` when rank [A_0, 1] = n).
        case blockSchur = "block_schur"
    }

    /// Which product `values` holds.
    public let side: Side
    /// Its order: m for `.rows`, P̃ for `.parameters`.
    public let dimension: Int
    /// (dimension, dimension), row-major. Only the upper triangle (j ≥ i) is guaranteed to be
    /// filled, which is all the LAPACK wrappers read. `var` so it can be decomposed in place.
    public var values: [Double]
    /// m, the rows of J.
    public let rows: Int
    /// P̃ = Σ_l n_(l+1)·r_l, the columns of the conditioned J̃ (= P for `plain`).
    public let conditionedParameterCount: Int
    /// r_l per layer: rank of Ã_l (projector) or n_l + 1 (plain).
    public let layerInputRanks: [Int]
    /// The conditioning used.
    public let conditioning: GramConditioning
}

/// The per-layer input factors B_l (n, r_l), row-major: Ã_l itself (plain) or an orthonormal
/// basis of its column space (projector, pivoted QR with relative tolerance max(n, n_l+1)·eps,
/// the level rounding could have produced).
public func layerInputBases(
    _ forward: GeometryForward, conditioning: GramConditioning
) throws -> [(basis: [Double], rank: Int)] {
    let architecture = forward.architecture
    let n = forward.n
    return try (0..<architecture.layerCount).map { layer in
        let width = architecture.fanIn(layer) + 1
        switch conditioning {
        case .plain:
            return (forward.augmentedInputs[layer], width)
        case .projector:
            let tolerance = Double(max(n, width)) * Double.ulpOfOne
            return try orthonormalBasis(
                columnsOf: forward.augmentedInputs[layer], rows: n, columns: width, relativeTolerance: tolerance)
        }
    }
}

/// Builds the (conditioned) Gram matrix of J for one set of Jacobian factors.
///
/// `side` picks the product (``GramSideChoice``; `auto` is the smaller one). Memory O(m²) for
/// `.rows` (K plus a block of 256-odd rows of scratch) or O(P̃² + b·P̃) for `.parameters` (the
/// product plus one block of b rows of J̃, ``parameterGramBlockRows(conditionedParameterCount:rows:)``).
/// Time Σ_l m²·n_(l+1) + n²·r_l for `.rows`, m·P̃² for `.parameters`.
public func gramMatrix(
    _ factors: JacobianFactors, conditioning: GramConditioning, side: GramSideChoice = .auto
) throws -> GramMatrix {
    try gramMatrix(
        factors, bases: layerInputBases(factors.forward, conditioning: conditioning), conditioning: conditioning,
        side: side)
}

/// ``gramMatrix(_:conditioning:side:)`` with the per-layer input bases already computed (they
/// depend only on the forward pass, so several output variants can share them).
public func gramMatrix(
    _ factors: JacobianFactors, bases: [(basis: [Double], rank: Int)], conditioning: GramConditioning,
    side: GramSideChoice = .auto
) throws -> GramMatrix {
    let architecture = factors.architecture
    let ranks = bases.map(\.rank)
    let conditionedCount = (0..<architecture.layerCount).reduce(0) { $0 + architecture.fanOut($1) * ranks[$1] }
    let m = factors.rows
    switch side.resolved(rows: m, conditionedParameterCount: conditionedCount) {
    case .parameters, .blockSchur:
        return GramMatrix(side: .parameters, dimension: conditionedCount, values: parameterGram(factors, bases: bases),
                          rows: m, conditionedParameterCount: conditionedCount, layerInputRanks: ranks,
                          conditioning: conditioning)
    case .rows:
        return GramMatrix(side: .rows, dimension: m, values: rowGram(factors, bases: bases), rows: m,
                          conditionedParameterCount: conditionedCount, layerInputRanks: ranks,
                          conditioning: conditioning)
    }
}

/// The scratch budget of ``parameterGram(_:bases:blockRows:)``: one block of J̃ rows, in doubles
/// (256 MiB).
public let parameterGramScratchDoubles = 32 << 20

/// Rows of J̃ per block of ``parameterGram(_:bases:blockRows:)``: as many as fit
/// ``parameterGramScratchDoubles`` (1,304 for P̃ = 25,720), at least one, at most m.
public func parameterGramBlockRows(conditionedParameterCount width: Int, rows m: Int) -> Int {
    max(1, min(m, parameterGramScratchDoubles / max(width, 1)))
}

/// J̃ᵀJ̃ (P̃, P̃), row-major, upper triangle, accumulated over blocks of rows of J̃:
///
///     K_P = Σ_blocks J̃[r0..<r1, :]ᵀ · J̃[r0..<r1, :]     (one syrk each, beta = 0 then 1)
///
/// J̃ (m, P̃) is never held whole: each block of `blockRows` rows (default
/// ``parameterGramBlockRows(conditionedParameterCount:rows:)``) is built from the factors into
/// one reused scratch buffer. Memory P̃² + blockRows·P̃ doubles. The sum equals one syrk of the
/// whole J̃ up to the rounding of the changed summation order.
public func parameterGram(
    _ factors: JacobianFactors, bases: [(basis: [Double], rank: Int)], blockRows: Int? = nil
) -> [Double] {
    let architecture = factors.architecture
    let m = factors.rows
    let width = (0..<architecture.layerCount).reduce(0) { $0 + architecture.fanOut($1) * bases[$1].rank }
    var product = [Double](repeating: 0, count: width * width)
    guard width > 0, m > 0 else { return product }
    let block = max(1, min(m, blockRows ?? parameterGramBlockRows(conditionedParameterCount: width, rows: m)))
    var scratch = [Double](repeating: 0, count: block * width)
    scratch.withUnsafeMutableBufferPointer { sp in
        product.withUnsafeMutableBufferPointer { kp in
            guard let scratchBase = sp.baseAddress, let productBase = kp.baseAddress else { return }
            for r0 in stride(from: 0, to: m, by: block) {
                let r1 = min(m, r0 + block)
                fillConditionedJacobian(
                    factors, bases: bases, layers: 0..<architecture.layerCount, rows: r0..<r1, width: width,
                    into: scratchBase)
                Double.syrkUpper(.transpose, n: width, k: r1 - r0, alpha: 1, a: scratchBase, lda: width,
                                 beta: r0 == 0 ? 0 : 1, c: productBase, ldc: width)
            }
        }
    }
    return product
}

/// J̃ (m, P̃), row-major: per layer the block Δ_l ⊙ B_l (row-wise Kronecker product), columns
/// ordered (layer, a, b).
///
/// `layers` restricts J̃ to the blocks of those affine layers (all by default), `rows` to those
/// rows of J (all by default).
public func conditionedJacobian(
    _ factors: JacobianFactors, bases: [(basis: [Double], rank: Int)], layers: Range<Int>? = nil,
    rows: Range<Int>? = nil
) -> [Double] {
    let architecture = factors.architecture
    let layers = layers ?? 0..<architecture.layerCount
    let rows = rows ?? 0..<factors.rows
    let width = layers.reduce(0) { $0 + architecture.fanOut($1) * bases[$1].rank }
    var jTilde = [Double](repeating: 0, count: rows.count * width)
    jTilde.withUnsafeMutableBufferPointer { jp in
        guard let jacobianBase = jp.baseAddress else { return }
        fillConditionedJacobian(factors, bases: bases, layers: layers, rows: rows, width: width, into: jacobianBase)
    }
    return jTilde
}

/// Writes rows `rows` of J̃ restricted to `layers` into `out` (rows.count, width), row-major,
/// zeroing it first; width = Σ over `layers` of n_(l+1)·r_l.
func fillConditionedJacobian(
    _ factors: JacobianFactors, bases: [(basis: [Double], rank: Int)], layers: Range<Int>, rows: Range<Int>,
    width: Int, into out: UnsafeMutablePointer<Double>
) {
    let architecture = factors.architecture
    let d = architecture.outputSize
    out.update(repeating: 0, count: rows.count * width)
    var offset = 0
    for layer in layers {
        let fanOut = architecture.fanOut(layer)
        let rank = bases[layer].rank
        factors.deltas[layer].withUnsafeBufferPointer { dp in
            bases[layer].basis.withUnsafeBufferPointer { bp in
                guard let deltaBase = dp.baseAddress, let basisBase = bp.baseAddress else { return }
                for r in rows {
                    let delta = deltaBase + r * fanOut
                    let basisRow = basisBase + (r / d) * rank
                    let row = out + (r - rows.lowerBound) * width + offset
                    for a in 0..<fanOut {
                        let value = delta[a]
                        if value == 0 { continue }
                        for b in 0..<rank { row[a * rank + b] = value * basisRow[b] }
                    }
                }
            }
        }
        offset += fanOut * rank
    }
}

/// K̃ (m, m), row-major, upper triangle: Σ_l (Δ_l Δ_lᵀ) ∘ (B_l B_lᵀ ⊗ 1_(d×d)).
///
/// Row blocks of whole samples: for block rows [r0, r1) one GEMM per layer gives
/// Δ_l[r0..<r1] · Δ_l[r0..<m]ᵀ into scratch, which is multiplied by G_l entrywise and added to
/// K. Only columns ≥ r0 are computed (the upper triangle and a sliver below it).
func rowGram(_ factors: JacobianFactors, bases: [(basis: [Double], rank: Int)]) -> [Double] {
    let architecture = factors.architecture
    let n = factors.sampleCount
    let d = architecture.outputSize
    let m = factors.rows
    // G_l = B_l B_lᵀ (n, n), full.
    let gs: [[Double]] = (0..<architecture.layerCount).map { layer in
        let rank = bases[layer].rank
        var g = [Double](repeating: 0, count: n * n)
        if rank > 0 {
            bases[layer].basis.withUnsafeBufferPointer { bp in
                g.withUnsafeMutableBufferPointer { gp in
                    guard let basisBase = bp.baseAddress, let gBase = gp.baseAddress else { return }
                    Double.syrkUpper(.none, n: n, k: rank, alpha: 1, a: basisBase, lda: rank, beta: 0,
                                     c: gBase, ldc: n)
                }
            }
        }
        for i in 0..<n {
            for j in 0..<i { g[i * n + j] = g[j * n + i] }
        }
        return g
    }
    var k = [Double](repeating: 0, count: m * m)
    let samplesPerBlock = max(1, 256 / d)
    var scratch = [Double](repeating: 0, count: samplesPerBlock * d * m)
    k.withUnsafeMutableBufferPointer { kp in
        scratch.withUnsafeMutableBufferPointer { sp in
            guard let kBase = kp.baseAddress, let scratchBase = sp.baseAddress else { return }
            for s0 in stride(from: 0, to: n, by: samplesPerBlock) {
                let s1 = min(n, s0 + samplesPerBlock)
                let r0 = s0 * d
                let blockRows = (s1 - s0) * d
                let width = m - r0
                for layer in 0..<architecture.layerCount {
                    let fanOut = architecture.fanOut(layer)
                    factors.deltas[layer].withUnsafeBufferPointer { dp in
                        guard let deltaBase = dp.baseAddress else { return }
                        let block = deltaBase + r0 * fanOut
                        Double.gemm(.none, .transpose, m: blockRows, n: width, k: fanOut, alpha: 1, a: block,
                                    lda: fanOut, b: block, ldb: fanOut, beta: 0, c: scratchBase, ldc: width)
                    }
                    gs[layer].withUnsafeBufferPointer { gp in
                        guard let gBase = gp.baseAddress else { return }
                        for i in s0..<s1 {
                            let gRow = gBase + i * n
                            for kk in 0..<d {
                                let r = i * d + kk
                                let kRow = kBase + r * m
                                let sRow = scratchBase + (r - r0) * width - r0  // indexed by column c ≥ r0
                                for j in i..<n {
                                    let gij = gRow[j]
                                    if gij == 0 { continue }
                                    let c0 = j * d
                                    for c in c0..<(c0 + d) { kRow[c] += sRow[c] * gij }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return k
}
