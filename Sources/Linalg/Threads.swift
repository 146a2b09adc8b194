import COpenBLAS

/// Process-wide settings and facts of the BLAS library (OpenBLAS).
public enum BLASRuntime {
    /// Sets the number of threads OpenBLAS uses for every later call.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with OpenBLAS on `count` threads, then restores the previous count: how a
    /// computation that is given its thread count as a parameter applies it.
    public static func withThreadCount<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        let previous = threadCount
        setThreadCount(count)
        defer { setThreadCount(previous) }
        return try body()
    }

    /// OpenBLAS's build configuration string (version, threading model, kernel set).
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text)
    }

    /// The CPU kernel family OpenBLAS selected at run time (e.g. "Zen").
    public static var coreName: String {
        guard let text = openblas_get_corename() else { return "unknown" }
        return String(cString: text)
    }
}
