import COpenBLAS

// MARK: - Singular values (LAPACK dgesdd, divide and conquer, values only)

/// Singular values of a real matrix, in descending order; min(rows, columns) of them.
///
/// a is (rows, columns), row-major. LAPACK sees the same memory as the column-major
/// (columns × rows) matrix Aᵀ, which has the same singular values, so no copy or transpose
/// is needed beyond the one copy LAPACK destroys.
///
/// Cost O(rows·columns·min(rows, columns)); memory one copy of `a` plus LAPACK's workspace
/// (a few min² doubles). Throws `LinalgError` on bad shapes, non-finite entries, or if the
/// bidiagonal divide and conquer fails to converge.
public func singularValues(_ a: [Double], rows: Int, columns: Int) throws -> [Double] {
    var scratch = a
    return try singularValues(overwriting: &scratch, rows: rows, columns: columns)
}

/// ``singularValues(_:rows:columns:)`` working in place: `a` is destroyed (saves one copy of
/// a possibly very large Jacobian).
public func singularValues(overwriting a: inout [Double], rows: Int, columns: Int) throws -> [Double] {
    let routine = "dgesdd"
    guard rows >= 0, columns >= 0, a.count == rows * columns else {
        throw LinalgError.shapeMismatch(routine, expected: rows * columns, actual: a.count, shape: "\(rows) × \(columns)")
    }
    let k = min(rows, columns)
    if k == 0 { return [] }
    try checkFinite(a, routine)
    // Column-major view of the row-major buffer: M = columns, N = rows, lda = columns.
    var m32 = try lapackInt(columns, routine)
    var n32 = try lapackInt(rows, routine)
    var lda = m32
    var s = [Double](repeating: 0, count: k)
    var iwork = [Int32](repeating: 0, count: 8 * k)
    var unusedU = 0.0  // U and Vᵀ are not referenced for jobz = 'N'
    var unusedVT = 0.0
    var ldu: Int32 = 1
    var ldvt: Int32 = 1
    var info: Int32 = 0

    var workQuery = 0.0
    var lwork: Int32 = -1
    a.withUnsafeMutableBufferPointer { ap in
        dgesdd_("N", &m32, &n32, ap.baseAddress, &lda, &s, &unusedU, &ldu, &unusedVT, &ldvt,
                &workQuery, &lwork, &iwork, &info, 1)
    }
    if info < 0 { throw LinalgError.illegalArgument(routine, info: info) }
    var work = [Double](repeating: 0, count: workspaceSize(workQuery))
    lwork = try lapackInt(work.count, routine)
    a.withUnsafeMutableBufferPointer { ap in
        dgesdd_("N", &m32, &n32, ap.baseAddress, &lda, &s, &unusedU, &ldu, &unusedVT, &ldvt,
                &work, &lwork, &iwork, &info, 1)
    }
    if info < 0 { throw LinalgError.illegalArgument(routine, info: info) }
    if info > 0 {
        throw LinalgError(
            routine: routine, info: Int(info),
            message: "the bidiagonal divide and conquer (dbdsdc) did not converge")
    }
    return s
}
