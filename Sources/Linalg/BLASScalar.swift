import COpenBLAS

/// Whether a matrix operand is used as stored or transposed.
public enum Transpose: Sendable {
    case none
    case transpose

    @usableFromInline var cblas: CBLAS_TRANSPOSE {
        switch self {
        case .none: return CblasNoTrans
        case .transpose: return CblasTrans
        }
    }
}

/// A floating-point type that OpenBLAS computes in: `Float` (the s-routines) or `Double`
/// (the d-routines). All matrices are row-major.
public protocol BLASScalar: BinaryFloatingPoint & Sendable where Self.RawSignificand: FixedWidthInteger {
    /// C ← α·op(A)·op(B) + β·C, with op(A) m × k, op(B) k × n, C m × n, all row-major.
    static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// Lower-or-upper-agnostic symmetric rank-k update written to the full matrix:
    /// C ← α·A·Aᵀ + β·C with A n × k (transA = .none) or C ← α·Aᵀ·A with A k × n.
    /// Only the upper triangle is computed by BLAS; callers that need both halves mirror it.
    static func syrkUpper(
        _ transA: Transpose, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// y ← α·x + y over `count` contiguous elements.
    static func axpy(count: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)

    /// Natural logarithm and exponential (so generic code avoids Foundation's overloads).
    static func logarithm(_ x: Self) -> Self
    static func exponential(_ x: Self) -> Self
}

extension Float: BLASScalar {
    @inlinable
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA.cblas, transB.cblas, blasInt(m), blasInt(n), blasInt(k),
            alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }

    @inlinable
    public static func syrkUpper(
        _ transA: Transpose, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_ssyrk(
            CblasRowMajor, CblasUpper, transA.cblas, blasInt(n), blasInt(k), alpha, a, blasInt(lda),
            beta, c, blasInt(ldc))
    }

    @inlinable
    public static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasInt(count), alpha, x, 1, y, 1)
    }

    @inlinable public static func logarithm(_ x: Float) -> Float { logf(x) }
    @inlinable public static func exponential(_ x: Float) -> Float { expf(x) }
}

extension Double: BLASScalar {
    @inlinable
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transA.cblas, transB.cblas, blasInt(m), blasInt(n), blasInt(k),
            alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }

    @inlinable
    public static func syrkUpper(
        _ transA: Transpose, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(
            CblasRowMajor, CblasUpper, transA.cblas, blasInt(n), blasInt(k), alpha, a, blasInt(lda),
            beta, c, blasInt(ldc))
    }

    @inlinable
    public static func axpy(count: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(blasInt(count), alpha, x, 1, y, 1)
    }

    @inlinable public static func logarithm(_ x: Double) -> Double { log(x) }
    @inlinable public static func exponential(_ x: Double) -> Double { exp(x) }
}

/// OpenBLAS here is built with 32-bit integers; every dimension passes through this check.
@inlinable @usableFromInline
func blasInt(_ value: Int) -> Int32 {
    precondition(value >= 0 && value <= Int(Int32.max), "BLAS dimension \(value) exceeds 32-bit range")
    return Int32(value)
}

#if canImport(Glibc)
import Glibc
#endif
