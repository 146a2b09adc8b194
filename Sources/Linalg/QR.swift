import COpenBLAS

// MARK: - Orthonormal bases by QR with column pivoting (LAPACK dgeqp3 + dorgqr)

/// An orthonormal basis of the column space of a matrix, with its numerical rank.
///
/// a is (rows, columns), row-major. Householder QR with column pivoting, A·Π = Q·R, orders
/// the columns so that |R_00| ≥ |R_11| ≥ …; the rank is the number of leading diagonal
/// entries with |R_ii| > relativeTolerance·|R_00|, and the basis is the first `rank` columns
/// of Q, returned as (rows, rank), row-major, with BᵀB = I. Then B·Bᵀ is the orthogonal
/// projector onto (the numerically significant part of) the column space of A.
///
/// A tolerance near max(rows, columns)·eps treats as zero only what rounding could have
/// produced; a larger one drops genuinely small directions. Pivoted QR reveals rank
/// reliably in practice but not in every contrived case (Kahan's matrix).
public func orthonormalBasis(
    columnsOf a: [Double], rows: Int, columns: Int, relativeTolerance: Double
) throws -> (basis: [Double], rank: Int) {
    let routine = "dgeqp3"
    guard rows >= 0, columns >= 0, a.count == rows * columns else {
        throw LinalgError.shapeMismatch(routine, expected: rows * columns, actual: a.count, shape: "\(rows) × \(columns)")
    }
    let k = min(rows, columns)
    if k == 0 { return ([], 0) }
    try checkFinite(a, routine)

    // Column-major copy: element (r, c) at r + c·rows.
    var q = [Double](repeating: 0, count: rows * columns)
    for r in 0..<rows {
        for c in 0..<columns { q[r + c * rows] = a[r * columns + c] }
    }
    var m32 = try lapackInt(rows, routine)
    var n32 = try lapackInt(columns, routine)
    var lda = try lapackInt(max(1, rows), routine)
    var jpvt = [Int32](repeating: 0, count: columns)
    var tau = [Double](repeating: 0, count: k)
    var info: Int32 = 0

    var workQuery = 0.0
    var lwork: Int32 = -1
    q.withUnsafeMutableBufferPointer { qp in
        dgeqp3_(&m32, &n32, qp.baseAddress, &lda, &jpvt, &tau, &workQuery, &lwork, &info)
    }
    if info < 0 { throw LinalgError.illegalArgument(routine, info: info) }
    var work = [Double](repeating: 0, count: workspaceSize(workQuery))
    lwork = try lapackInt(work.count, routine)
    q.withUnsafeMutableBufferPointer { qp in
        dgeqp3_(&m32, &n32, qp.baseAddress, &lda, &jpvt, &tau, &work, &lwork, &info)
    }
    if info < 0 { throw LinalgError.illegalArgument(routine, info: info) }

    let leading = abs(q[0])
    var rank = 0
    if leading > 0 {
        let cutoff = relativeTolerance * leading
        while rank < k && abs(q[rank + rank * rows]) > cutoff { rank += 1 }
    }
    if rank == 0 { return ([], 0) }

    let orgqr = "dorgqr"
    var rank32 = try lapackInt(rank, orgqr)
    lwork = -1
    q.withUnsafeMutableBufferPointer { qp in
        dorgqr_(&m32, &rank32, &rank32, qp.baseAddress, &lda, &tau, &workQuery, &lwork, &info)
    }
    if info < 0 { throw LinalgError.illegalArgument(orgqr, info: info) }
    work = [Double](repeating: 0, count: workspaceSize(workQuery))
    lwork = try lapackInt(work.count, orgqr)
    q.withUnsafeMutableBufferPointer { qp in
        dorgqr_(&m32, &rank32, &rank32, qp.baseAddress, &lda, &tau, &work, &lwork, &info)
    }
    if info < 0 { throw LinalgError.illegalArgument(orgqr, info: info) }

    var basis = [Double](repeating: 0, count: rows * rank)
    for r in 0..<rows {
        for c in 0..<rank { basis[r * rank + c] = q[r + c * rows] }
    }
    return (basis, rank)
}
