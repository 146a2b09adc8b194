import ArgumentParser
import Foundation

/// Exit codes: 0 success, 1 a run or data failure, 64 bad usage or config (including a config
/// the preflight refuses: overflowing sizes, oversized log chunks, not enough memory), 130 interrupted.
enum GeodimExit {
    static let failure = ExitCode(1)
    static let usage = ExitCode(64)

    /// Prints one clear line for `error` on stderr and returns the exit code to use.
    static func report(_ error: Error, usage isUsage: Bool) -> ExitCode {
        FileHandle.standardError.write(Data("geodim: error: \(error)\n".utf8))
        return isUsage ? usage : failure
    }
}

/// Writes a line to stdout and flushes it, so piped output appears as it happens.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Right-aligns `text` in `width` columns.
func padLeft(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
