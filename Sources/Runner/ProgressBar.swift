import Foundation

/// A tqdm-style progress bar on stderr, drawn only when stderr is a terminal.
///
/// `  37% |███████▍            | 252/680 [00:41<01:10, 6.1 ep/s]`
public final class ProgressBar {
    private let total: Int
    private let unit: String
    private let start = Date()
    private let enabled: Bool
    private var lastDraw = Date.distantPast

    public init(total: Int, unit: String) {
        self.total = max(total, 1)
        self.unit = unit
        enabled = isatty(STDERR_FILENO) == 1
    }

    /// Redraws the bar for `done` units (at most ten times a second, and always at the end).
    public func update(_ done: Int) {
        guard enabled else { return }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let fraction = Double(done) / Double(total)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: " ", count: width - filled)
        let line = String(
            format: "\r%4d%% |%@| %d/%d [%@<%@, %.1f %@/s]", Int(fraction * 100), bar, done, total,
            ProgressBar.clock(elapsed), ProgressBar.clock(remaining), rate, unit)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Erases the bar so the next line starts clean.
    public func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%02d:%02d", total / 60, total % 60)
    }
}
