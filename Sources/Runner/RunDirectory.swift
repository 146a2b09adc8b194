import Foundation
import RunLog

/// A run's directory, `<runs_directory>/<name>/<UTC timestamp>[-k]/`, holding the resolved
/// `config.yaml`, the `overrides.txt`, `log.h5` and `train.log`.
public struct RunDirectory: Sendable {
    public let path: String
    public var configPath: String { path + "/config.yaml" }
    public var logPath: String { path + "/log.h5" }
    public var textLogPath: String { path + "/train.log" }

    /// Creates a fresh directory; never reuses or overwrites an existing one.
    public static func create(runsDirectory: String, name: String, date: Date = Date()) throws -> RunDirectory {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd_HH-mm-ss"
        let stamp = formatter.string(from: date)
        let parent = runsDirectory + "/" + name
        try makeDirectories(parent)
        for attempt in 0..<1000 {
            let candidate = parent + "/" + stamp + (attempt == 0 ? "" : "-\(attempt)")
            // mkdir fails if the directory exists, so two runs never share one.
            if mkdir(candidate, 0o755) == 0 { return RunDirectory(path: candidate) }
            if errno != EEXIST {
                throw ExperimentError.runDirectory(path: candidate, reason: String(cString: strerror(errno)))
            }
        }
        throw ExperimentError.runDirectory(path: parent + "/" + stamp, reason: "too many runs started in the same second")
    }

    /// Creates `path` and its missing parents, one `mkdir` at a time, so that an error names
    /// the component at fault: a file where a directory belongs, no permission, no space.
    static func makeDirectories(_ path: String) throws {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var prefix = ""
        for component in absolute.split(separator: "/") {
            prefix += "/" + component
            var status = stat()
            if stat(prefix, &status) == 0 {
                if status.st_mode & S_IFMT == S_IFDIR { continue }
                throw ExperimentError.runDirectory(
                    path: prefix, reason: "it is a file, not a directory")
            }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw ExperimentError.runDirectory(path: prefix, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Writes a text file inside the run directory.
    public func write(_ text: String, to file: String) throws {
        do {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            if isOutOfSpace(error) {
                throw NoSpaceError(
                    directory: path,
                    shortage: SpaceShortage(
                        file: file, operation: "write the file", needed: text.utf8.count, available: availableBytes(path)),
                    hint: "free some space there")
            }
            throw ExperimentError.runDirectory(path: file, reason: error.localizedDescription)
        }
    }
}
