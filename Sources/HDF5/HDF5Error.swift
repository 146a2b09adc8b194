/// An error from the HDF5 wrapper: what was being done, to which object, in which file.
///
/// Every case names the file; cases about an object inside the file also name its absolute
/// path (`/train/loss`) and the operation (`append rows`). `description` is one line meant to
/// be shown to a user as is.
public enum HDF5Error: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file to open does not exist.
    case fileNotFound(file: String)
    /// An exclusive create found the file already there (the file was not touched).
    case fileExists(file: String)
    /// The file exists but is not an HDF5 file (no HDF5 signature).
    case notHDF5(file: String)
    /// A group, dataset or attribute named by `object` does not exist.
    case objectNotFound(file: String, object: String, operation: String)
    /// A group, dataset or attribute named by `object` already exists.
    case objectExists(file: String, object: String, operation: String)
    /// The stored element type or object kind is not the one asked for.
    case typeMismatch(file: String, object: String, operation: String, expected: String, found: String)
    /// The arguments do not fit the object (shape, length, range, level, …).
    case invalidArgument(file: String, object: String, operation: String, reason: String)
    /// The file (or this object) was closed before the operation.
    case closed(file: String, object: String, operation: String)
    /// The HDF5 library reported a failure; `message` is taken from its error stack.
    case library(file: String, object: String, operation: String, message: String)
    /// The file system holding the file has no room for what the operation writes (`ENOSPC`,
    /// or `EDQUOT` for a quota): raised by ``HDF5File/reserveSpace(_:for:)`` before anything
    /// is written, or by HDF5 itself when a write fails so. `needed` and `available` are byte
    /// counts, where known.
    case noSpace(file: String, object: String, operation: String, needed: Int?, available: Int?)

    /// The file the error is about.
    public var file: String {
        switch self {
        case .fileNotFound(let file), .fileExists(let file), .notHDF5(let file):
            return file
        case .objectNotFound(let file, _, _), .objectExists(let file, _, _),
            .typeMismatch(let file, _, _, _, _), .invalidArgument(let file, _, _, _),
            .closed(let file, _, _), .library(let file, _, _, _), .noSpace(let file, _, _, _, _):
            return file
        }
    }

    /// The absolute path of the object inside the file (`/` for the file itself).
    public var object: String {
        switch self {
        case .fileNotFound, .fileExists, .notHDF5:
            return "/"
        case .objectNotFound(_, let object, _), .objectExists(_, let object, _),
            .typeMismatch(_, let object, _, _, _), .invalidArgument(_, let object, _, _),
            .closed(_, let object, _), .library(_, let object, _, _), .noSpace(_, let object, _, _, _):
            return object
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let file):
            return "HDF5: no such file: \(file)"
        case .fileExists(let file):
            return "HDF5: file already exists (not overwritten): \(file)"
        case .notHDF5(let file):
            return "HDF5: not an HDF5 file: \(file)"
        case .objectNotFound(let file, let object, let operation):
            return "HDF5: \(operation): '\(object)' does not exist in \(file)"
        case .objectExists(let file, let object, let operation):
            return "HDF5: \(operation): '\(object)' already exists in \(file)"
        case .typeMismatch(let file, let object, let operation, let expected, let found):
            return "HDF5: \(operation): '\(object)' in \(file): found \(found), expected \(expected)"
        case .invalidArgument(let file, let object, let operation, let reason):
            return "HDF5: \(operation): '\(object)' in \(file): \(reason)"
        case .closed(let file, let object, let operation):
            return "HDF5: \(operation): '\(object)' in \(file): already closed"
        case .library(let file, let object, let operation, let message):
            return "HDF5: \(operation) failed for '\(object)' in \(file): \(message)"
        case .noSpace(let file, _, let operation, let needed, let available):
            return "no space left on the file system holding \(file) (\(operation)"
                + spaceDetail(needed: needed, available: available) + ")"
        }
    }
}

/// `: needs about 2.1 MB, 12 KB free`, or less where a count is unknown.
func spaceDetail(needed: Int?, available: Int?) -> String {
    switch (needed, available) {
    case let (needed?, available?): return ": needs about \(byteText(needed)), \(byteText(available)) free"
    case let (needed?, nil): return ": needs about \(byteText(needed))"
    case let (nil, available?): return ": \(byteText(available)) free"
    case (nil, nil): return ""
    }
}

/// A byte count for people: `812 B`, `12 KB`, `2.1 MB`, `1.4 GB` (powers of 1,024).
public func byteText(_ bytes: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(bytes), unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    if value >= 100 || unit == 1 { return "\(Int(value.rounded())) \(units[unit])" }
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[unit])"
}
