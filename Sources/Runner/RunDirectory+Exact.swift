import Foundation

extension RunDirectory {
    /// The resume state file.
    public var statePath: String { path + "/resume.state" }

    /// Creates exactly `path` (and missing parents); an existing directory there is an error
    /// and is left untouched.
    public static func create(exactPath path: String) throws -> RunDirectory {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try makeDirectories(parent) }
        guard mkdir(path, 0o755) == 0 else {
            if errno == EEXIST {
                throw ExperimentError.runDirectory(
                    path: path, reason: "it already exists; nothing in it was changed (choose another directory, or continue that run with geodim resume)")
            }
            throw ExperimentError.runDirectory(path: path, reason: String(cString: strerror(errno)))
        }
        return RunDirectory(path: path)
    }
}

/// `text` as one shell word: unchanged when it needs no quoting, else in single quotes.
public func shellQuoted(_ text: String) -> String {
    let safe = !text.isEmpty && text.unicodeScalars.allSatisfy {
        $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_./=:@%+,-".unicodeScalars.contains($0))
    }
    return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
