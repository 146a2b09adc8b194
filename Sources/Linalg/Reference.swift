// MARK: - Naive twins: slow, obviously correct references for tests. Never call these on a
// hot path; they exist so that the LAPACK/BLAS-backed routines have something independent
// to be checked against.

/// Reference implementations in plain Swift loops (no BLAS, no LAPACK).
public enum LinalgReference {
    /// C = A·B.   a is (m, k), b is (k, n), result (m, n); all row-major.
    public static func matmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        precondition(a.count == m * k && b.count == k * n)
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for p in 0..<k {
                let aip = a[i * k + p]
                for j in 0..<n { c[i * n + j] += aip * b[p * n + j] }
            }
        }
        return c
    }

    /// Aᵀ.   a is (rows, columns), result (columns, rows); row-major.
    public static func transpose(_ a: [Double], rows: Int, columns: Int) -> [Double] {
        precondition(a.count == rows * columns)
        var t = [Double](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns { t[c * rows + r] = a[r * columns + c] }
        }
        return t
    }

    /// Eigenvalues of a symmetric (n, n) matrix by the cyclic Jacobi method, descending.
    ///
    /// Each rotation zeroes one off-diagonal pair (Numerical Recipes' stable angle:
    /// t = sgn(θ)/(|θ| + √(θ² + 1)), θ = (a_qq − a_pp)/(2a_pq)); sweeps repeat until the
    /// off-diagonal mass is below 1e-30 of the total. Accurate to a few eps·‖A‖;
    /// O(n³) per sweep, so keep n small (≲ 100).
    public static func jacobiEigenvalues(_ matrix: [Double], n: Int) -> [Double] {
        precondition(matrix.count == n * n)
        var a = matrix
        // Symmetrise from the upper triangle, as the LAPACK wrapper reads only that half.
        for i in 0..<n {
            for j in 0..<i { a[i * n + j] = a[j * n + i] }
        }
        for _ in 0..<100 {
            var off = 0.0
            var total = 0.0
            for i in 0..<n {
                for j in 0..<n {
                    let v = a[i * n + j] * a[i * n + j]
                    total += v
                    if i != j { off += v }
                }
            }
            if off <= 1e-30 * total || off == 0 { break }
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    if apq == 0 { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    // A ← Pᵀ·A·P with P the rotation in the (p, q) plane.
                    for k in 0..<n {
                        let akp = a[k * n + p]
                        let akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k]
                        let aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                }
            }
        }
        return (0..<n).map { a[$0 * n + $0] }.sorted(by: >)
    }

    /// Singular values of a (rows, columns) matrix as the square roots of the Jacobi
    /// eigenvalues of the smaller of AᵀA and AAᵀ, descending. Squaring loses the small
    /// singular values below about √eps·σ_1: a reference for well-conditioned matrices only.
    public static func singularValuesBySquaring(_ a: [Double], rows: Int, columns: Int) -> [Double] {
        let t = transpose(a, rows: rows, columns: columns)
        let gram = rows <= columns
            ? matmul(a, t, m: rows, k: columns, n: rows)
            : matmul(t, a, m: columns, k: rows, n: columns)
        return jacobiEigenvalues(gram, n: min(rows, columns)).map { max($0, 0).squareRoot() }
    }
}
