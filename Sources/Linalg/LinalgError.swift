/// A failure reported by LAPACK (or a call that could not be made), with the routine's name,
/// its `info` code and what that code means.
///
/// LAPACK's convention: `info < 0` means argument −info had an illegal value (a bug in the
/// caller, i.e. in geodim); `info > 0` is routine-specific (a convergence failure, an exactly
/// singular factor). `info == 0` is used here for checks made before calling LAPACK
/// (dimensions that do not match the buffer, or that exceed LAPACK's 32-bit integers).
public struct LinalgError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The LAPACK routine, e.g. "dsyevd".
    public let routine: String
    /// LAPACK's `info` output (0 for checks made before the call).
    public let info: Int
    /// What went wrong, in words, with a hint where one helps.
    public let message: String

    public init(routine: String, info: Int, message: String) {
        self.routine = routine
        self.info = info
        self.message = message
    }

    public var description: String { "\(routine) failed (info = \(info)): \(message)" }

    /// info < 0: the caller passed an illegal argument.
    static func illegalArgument(_ routine: String, info: Int32) -> LinalgError {
        LinalgError(
            routine: routine, info: Int(info),
            message: "argument \(-info) had an illegal value (a bug in the Linalg wrapper; please report it)")
    }

    /// A buffer whose element count does not match the stated shape.
    static func shapeMismatch(_ routine: String, expected: Int, actual: Int, shape: String) -> LinalgError {
        LinalgError(
            routine: routine, info: 0,
            message: "a \(shape) matrix needs \(expected) elements but the buffer holds \(actual)")
    }
}

/// LAPACK here uses 32-bit integers; every dimension and workspace size passes through this.
func lapackInt(_ value: Int, _ routine: String) throws -> Int32 {
    guard value >= 0, value <= Int(Int32.max) else {
        throw LinalgError(
            routine: routine, info: 0,
            message: "size \(value) exceeds LAPACK's 32-bit integer range (OpenBLAS built without ILP64)")
    }
    return Int32(value)
}

/// Workspace sizes come back from LAPACK's query as a Double; round up and keep at least 1.
func workspaceSize(_ query: Double, minimum: Int = 1) -> Int {
    max(minimum, Int(query.rounded(.up)))
}
