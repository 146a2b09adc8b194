import COpenBLAS

/// Whether every eigenvalue of the symmetric matrix A exceeds `threshold`, decided by a
/// Cholesky factorisation of A − threshold·I (LAPACK dpotrf): it succeeds exactly when that
/// matrix is positive definite (up to backward stability, about n·eps·‖A‖).
///
/// a is (n, n), row-major, upper triangle read. About n³/3 flops, all level-3 BLAS: the
/// fastest certificate of full rank. The upper triangle of `a` is overwritten with the
/// factor and then restored from a mirror kept in the strict lower triangle, so no second
/// n × n buffer is needed; on return both triangles hold A.
public func allEigenvaluesExceed(_ a: inout [Double], n: Int, threshold: Double) throws -> Bool {
    let routine = "dpotrf"
    guard a.count == n * n else {
        throw LinalgError.shapeMismatch(routine, expected: n * n, actual: a.count, shape: "\(n) × \(n)")
    }
    if n == 0 { return true }
    try checkFinite(a, routine)
    let diagonal = (0..<n).map { a[$0 * n + $0] }
    var n32 = try lapackInt(n, routine)
    var lda = n32
    var info: Int32 = 0
    a.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        mirrorTriangle(base, n: n, upperToLower: true)
        for i in 0..<n { base[i * n + i] = diagonal[i] - threshold }
        // Row-major upper triangle = column-major lower triangle.
        dpotrf_("L", &n32, base, &lda, &info, 1)
        for i in 0..<n { base[i * n + i] = diagonal[i] }
        mirrorTriangle(base, n: n, upperToLower: false)
    }
    if info < 0 { throw LinalgError.illegalArgument(routine, info: info) }
    return info == 0
}
