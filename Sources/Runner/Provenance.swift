import Foundation

/// Facts about the machine and moment a run happens in, for /meta.
public enum Provenance {
    /// The machine's host name.
    public static var host: String { ProcessInfo.processInfo.hostName }

    /// The CPU model name from /proc/cpuinfo, or "unknown".
    public static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    /// Logical CPUs available to this process.
    public static var cpuCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Now, as ISO 8601 UTC with seconds.
    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// The git commit of the working directory and whether it has uncommitted changes, or nil
    /// when git or a repository is not available.
    public static func gitState(directory: String = FileManager.default.currentDirectoryPath) -> (commit: String, dirty: Bool)? {
        guard let commit = runGit(["rev-parse", "HEAD"], directory: directory) else { return nil }
        let status = runGit(["status", "--porcelain", "--untracked-files=no"], directory: directory) ?? ""
        return (commit, !status.isEmpty)
    }

    private static func runGit(_ arguments: [String], directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
