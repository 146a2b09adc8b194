import COpenBLAS

// MARK: - Symmetric eigenvalues (LAPACK dsyevd, divide and conquer; eigenvalues alone through
// its two-stage reduction dsyevd_2stage, measured 2x faster at n = 6,000 on one thread)

/// Eigenvalues of a real symmetric matrix, in descending order.
///
/// a is (n, n), row-major; only its upper triangle (elements (i, j) with j ≥ i) is read, so
/// a matrix whose upper half was filled by `syrkUpper` can be passed as is. (A symmetric
/// row-major matrix is its own column-major transpose: LAPACK is told to read the lower
/// triangle of the column-major view, which is the same memory.)
///
/// Uses LAPACK's two-stage tridiagonal reduction (dsyevd_2stage: dense to band with BLAS 3,
/// then band to tridiagonal), about (4/3)·n³ flops; memory one copy of `a`. Throws
/// `LinalgError` for a buffer that does not match n, non-finite entries, or a convergence
/// failure.
public func symmetricEigenvalues(_ a: [Double], n: Int) throws -> [Double] {
    var scratch = a
    return try symmetricEigenvalues(overwriting: &scratch, n: n)
}

/// ``symmetricEigenvalues(_:n:)`` working in place: `a` is destroyed (no copy is made, which
/// matters for the m × m Gram matrices of large batches).
public func symmetricEigenvalues(overwriting a: inout [Double], n: Int) throws -> [Double] {
    let ascending = try dsyevd(&a, n: n, vectors: false)
    return ascending.reversed()
}

/// Eigenvalues (descending) and eigenvectors of a real symmetric matrix.
///
/// a is (n, n), row-major, upper triangle read. `vectors` is (n, n), row-major, and its
/// column c is a unit eigenvector for `values[c]`: A·V = V·diag(values), VᵀV = I.
public func symmetricEigen(_ a: [Double], n: Int) throws -> (values: [Double], vectors: [Double]) {
    var scratch = a
    let ascending = try dsyevd(&scratch, n: n, vectors: true)
    // scratch now holds the eigenvectors column-major, in ascending order of the values.
    var vectors = [Double](repeating: 0, count: n * n)
    for c in 0..<n {
        let source = (n - 1 - c) * n
        for r in 0..<n { vectors[r * n + c] = scratch[source + r] }
    }
    return (Array(ascending.reversed()), vectors)
}

/// dsyevd with uplo = 'L' on the column-major view; returns the eigenvalues ascending and
/// leaves the eigenvectors (column-major) in `a` when `vectors` is true. Without vectors it
/// calls dsyevd_2stage (LAPACK >= 3.7 supports only that case there), same arguments.
private func dsyevd(_ a: inout [Double], n: Int, vectors: Bool) throws -> [Double] {
    let routine = vectors ? "dsyevd" : "dsyevd_2stage"
    let driver = vectors ? dsyevd_ : dsyevd_2stage_
    guard a.count == n * n else {
        throw LinalgError.shapeMismatch(routine, expected: n * n, actual: a.count, shape: "\(n) × \(n)")
    }
    if n == 0 { return [] }
    try checkFinite(a, routine)
    var n32 = try lapackInt(n, routine)
    var lda = n32
    var w = [Double](repeating: 0, count: n)
    var info: Int32 = 0
    let jobz = vectors ? "V" : "N"

    // Workspace query.
    var workQuery = 0.0
    var iworkQuery: Int32 = 0
    var lwork: Int32 = -1
    var liwork: Int32 = -1
    a.withUnsafeMutableBufferPointer { ap in
        driver(jobz, "L", &n32, ap.baseAddress, &lda, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1)
    }
    if info < 0 { throw LinalgError.illegalArgument(routine, info: info) }
    var work = [Double](repeating: 0, count: workspaceSize(workQuery))
    var iwork = [Int32](repeating: 0, count: max(1, Int(iworkQuery)))
    lwork = try lapackInt(work.count, routine)
    liwork = try lapackInt(iwork.count, routine)

    a.withUnsafeMutableBufferPointer { ap in
        driver(jobz, "L", &n32, ap.baseAddress, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
    }
    if info < 0 { throw LinalgError.illegalArgument(routine, info: info) }
    if info > 0 {
        throw LinalgError(
            routine: routine, info: Int(info),
            message: vectors
                ? "failed to compute an eigenvalue while working on the submatrix in rows and columns \(Int(info) / (n + 1)) through \(Int(info) % (n + 1))"
                : "\(info) off-diagonal elements of an intermediate tridiagonal form did not converge to zero")
    }
    return w
}

/// LAPACK's behaviour on NaN or infinity is undefined (it may loop or return garbage).
func checkFinite(_ a: [Double], _ routine: String) throws {
    for (index, value) in a.enumerated() where !value.isFinite {
        throw LinalgError(
            routine: routine, info: 0,
            message: "the matrix holds a non-finite value (\(value)) at flat index \(index); LAPACK needs finite input")
    }
}
