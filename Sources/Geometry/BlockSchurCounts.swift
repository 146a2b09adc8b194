import Linalg
import Network

// MARK: - Certified eigenvalue counts through the first layer's block-diagonal structure
//
// With the projector conditioning, G_0 = Q_0 Q_0ᵀ is the identity whenever the n inputs with
// a column of ones are linearly independent (rank [A_0, 1] = n, e.g. up to ~700 MNIST images).
// Then the first layer's part of K is block diagonal, one d × d block per sample:
//   K = K_0 + U Uᵀ,   K_0 = diag(B_1, …, B_n),  B_i = Δ_0[i] Δ_0[i]ᵀ,
// and U = J̃ restricted to the layers ≥ 1 (m × p_R, p_R = Σ_(l≥1) n_(l+1)·r_l, 2,170 for the
// paper's network). For a threshold τ, with A = K_0 − τI (block diagonal, invertible when no
// block eigenvalue equals τ), the Haynsworth inertia additivity of
//   M = [[A, U], [Uᵀ, −I]]
// taken once over A and once over −I gives
//   #{λ(K) > τ} = #{λ(K_0) > τ} + #{λ(S) > 0},   S = −I − Uᵀ A⁻¹ U   (p_R × p_R).
// A⁻¹ comes from the blocks' eigendecompositions, so each count costs m·p_R² flops for S and
// p_R³/3 for its inertia: no m × m matrix is ever formed.

/// Eigenvalue counts of the conditioned Gram matrix above each threshold via the block-Schur
/// identity, or nil when the first layer's projector is not the identity (rank [A_0, 1] < n).
///
/// Also returns an estimate of λ_max(K) (power iteration on the factored form), which the
/// caller needs to place the thresholds: the thresholds are given relative, as multiples of
/// λ_max.
///
/// With `onlyWhenCheaper` (the default) it also returns nil when the Schur complement would
/// cost more than factorising K itself (m·p_R² + p_R³/3 ≥ m³/3, i.e. small batches).
public func blockSchurEigenvalueCounts(
    _ factors: JacobianFactors, bases: [(basis: [Double], rank: Int)], relativeThresholds: [Double],
    onlyWhenCheaper: Bool = true
) throws -> (counts: [Int], lambdaMax: Double)? {
    let architecture = factors.architecture
    let n = factors.sampleCount
    let d = architecture.outputSize
    let m = factors.rows
    guard architecture.layerCount >= 2, bases[0].rank == n else { return nil }
    // Worth it only when the Schur complement is cheaper than factorising K itself:
    // m·p_R² + p_R³/3 per count against m³/3.
    let pRPlanned = (1..<architecture.layerCount).reduce(0) { $0 + architecture.fanOut($1) * bases[$1].rank }
    let schurCost = Double(m) * Double(pRPlanned * pRPlanned) + Double(pRPlanned) * Double(pRPlanned * pRPlanned) / 3
    guard !onlyWhenCheaper || schurCost < Double(m) * Double(m) * Double(m) / 3 else { return nil }
    var trace = PhaseTrace()

    // Blocks B_i = Δ_0[i] Δ_0[i]ᵀ and their eigendecompositions.
    let width0 = architecture.fanOut(0)
    var blockValues = [Double](repeating: 0, count: m)      // λ of B_i at rows i·d ..< (i+1)·d
    var blockVectors = [Double](repeating: 0, count: n * d * d)  // V_i (d, d), columns = vectors
    var block = [Double](repeating: 0, count: d * d)
    for i in 0..<n {
        factors.deltas[0].withUnsafeBufferPointer { dp in
            guard let base = dp.baseAddress else { return }
            let rows = base + i * d * width0
            block.withUnsafeMutableBufferPointer { bp in
                guard let out = bp.baseAddress else { return }
                Double.gemm(.none, .transpose, m: d, n: d, k: width0, alpha: 1, a: rows, lda: width0, b: rows,
                            ldb: width0, beta: 0, c: out, ldc: d)
            }
        }
        let (values, vectors) = try symmetricEigen(block, n: d)
        for k in 0..<d { blockValues[i * d + k] = values[k] }
        for e in 0..<(d * d) { blockVectors[i * d * d + e] = vectors[e] }
    }

    trace.mark("block eigendecompositions")
    // U (m, p_R) and Y = blockdiag(V_iᵀ) U.
    let u = conditionedJacobian(factors, bases: bases, layers: 1..<architecture.layerCount)
    let pR = m == 0 ? 0 : u.count / m
    var y = [Double](repeating: 0, count: m * pR)
    u.withUnsafeBufferPointer { up in
        blockVectors.withUnsafeBufferPointer { vp in
            y.withUnsafeMutableBufferPointer { yp in
                guard let uBase = up.baseAddress, let vBase = vp.baseAddress, let yBase = yp.baseAddress else { return }
                for i in 0..<n {
                    Double.gemm(.transpose, .none, m: d, n: pR, k: d, alpha: 1, a: vBase + i * d * d, lda: d,
                                b: uBase + i * d * pR, ldb: pR, beta: 0, c: yBase + i * d * pR, ldc: pR)
                }
            }
        }
    }

    trace.mark("U and Y")
    // λ_max(K) by power iteration in the eigenbasis of K_0: K ≅ diag(λ) + Y Yᵀ.
    let lambdaMax = powerIterationLargest(diagonal: blockValues, y: y, rows: m, columns: pR)

    trace.mark("power iteration")
    var counts: [Int] = []
    var s = [Double](repeating: 0, count: pR * pR)
    var scaled = [Double](repeating: 0, count: m * pR)
    for relative in relativeThresholds {
        let tau = relative * lambdaMax
        // S = −I − Yᵀ diag(1/(λ − τ)) Y = −I − Z₊ᵀZ₊ + Z₋ᵀZ₋ with Z± = √|w|·Y on the rows of each sign.
        var above = 0
        for pass in [1.0, -1.0] {
            var rowsOfSign = 0
            for r in 0..<m {
                let w = 1 / (blockValues[r] - tau)
                guard (w > 0) == (pass > 0), w.isFinite else { continue }
                if pass > 0 { above += 1 }
                let factor = abs(w).squareRoot()
                for c in 0..<pR { scaled[rowsOfSign * pR + c] = factor * y[r * pR + c] }
                rowsOfSign += 1
            }
            guard rowsOfSign > 0 else {
                if pass > 0 { s.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
                continue
            }
            scaled.withUnsafeBufferPointer { zp in
                s.withUnsafeMutableBufferPointer { sp in
                    guard let z = zp.baseAddress, let out = sp.baseAddress else { return }
                    // pass +1 starts S at −Z₊ᵀZ₊ (beta 0); pass −1 adds +Z₋ᵀZ₋.
                    Double.syrkUpper(.transpose, n: pR, k: rowsOfSign, alpha: -pass, a: z, lda: pR,
                                     beta: pass > 0 ? 0 : 1, c: out, ldc: pR)
                }
            }
        }
        trace.mark("Schur complement S")
        for c in 0..<pR { s[c * pR + c] -= 1 }
        let schurPositive = pR > 0 ? try eigenvalueCountsAbove(&s, n: pR, thresholds: [0])[0] : 0
        trace.mark("inertia of S")
        counts.append(above + schurPositive)
    }
    return (counts, lambdaMax)
}

/// λ_max of diag(λ) + Y Yᵀ (Y is rows × columns, row-major) by power iteration.
private func powerIterationLargest(diagonal: [Double], y: [Double], rows m: Int, columns p: Int, iterations: Int = 15) -> Double {
    guard m > 0 else { return 0 }
    var x = [Double](repeating: 1 / Double(m).squareRoot(), count: m)
    var t = [Double](repeating: 0, count: max(p, 1))
    var next = [Double](repeating: 0, count: m)
    var rayleigh = 0.0
    for _ in 0..<iterations {
        y.withUnsafeBufferPointer { yp in
            guard let yb = yp.baseAddress else { return }
            if p > 0 {
                // t = Yᵀx (p), next = Y t.
                Double.gemm(.transpose, .none, m: p, n: 1, k: m, alpha: 1, a: yb, lda: p, b: x, ldb: 1, beta: 0, c: &t, ldc: 1)
                Double.gemm(.none, .none, m: m, n: 1, k: p, alpha: 1, a: yb, lda: p, b: t, ldb: 1, beta: 0, c: &next, ldc: 1)
            } else {
                for r in 0..<m { next[r] = 0 }
            }
        }
        for r in 0..<m { next[r] += diagonal[r] * x[r] }
        rayleigh = zip(x, next).reduce(0) { $0 + $1.0 * $1.1 }
        let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { break }
        for r in 0..<m { x[r] = next[r] / norm }
    }
    return max(rayleigh, 0)
}
