import HDF5

/// What a write that failed for lack of space was doing: read from an error of the log writer
/// or of the HDF5 wrapper under it, so that callers need not know either error type.
public struct SpaceShortage: Sendable, Equatable {
    /// The file being written.
    public let file: String
    /// What was being written, e.g. `write checkpoint 3 (epoch 4)`.
    public let operation: String
    /// Bytes the write needed and bytes the file system had free, where known.
    public let needed: Int?
    public let available: Int?

    /// The shortage `error` reports, or nil when it is about something else.
    public init?(_ error: Error) {
        switch error {
        case HDF5Error.noSpace(let file, _, let operation, let needed, let available):
            self.init(file: file, operation: operation, needed: needed, available: available)
        case RunLogError.noSpace(let path, let operation, let needed, let available):
            self.init(file: path, operation: operation, needed: needed, available: available)
        default:
            return nil
        }
    }

    public init(file: String, operation: String, needed: Int?, available: Int?) {
        self.file = file
        self.operation = operation
        self.needed = needed
        self.available = available
    }

    /// `: needs about 2.1 MB, 12 KB free`, or less where a count is unknown.
    public var sizeText: String {
        switch (needed, available) {
        case let (needed?, available?): return ": needs about \(byteText(needed)), \(byteText(available)) free"
        case let (needed?, nil): return ": needs about \(byteText(needed))"
        case let (nil, available?): return ": \(byteText(available)) free"
        case (nil, nil): return ""
        }
    }
}
