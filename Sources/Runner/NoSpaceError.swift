import Foundation
import RunLog

/// A run stopped because its file system was full (or the user's quota spent): one line
/// naming the directory, the file and what was being written, the bytes needed and free, and
/// what to do once there is room.
///
///     no space left on runs/quick-demo (log.h5: write checkpoint 3 (epoch 4): needs about
///     412 KB, 3 KB free) (hint: free some space there, then continue the run with: geodim
///     resume runs/quick-demo)
public struct NoSpaceError: Error, CustomStringConvertible, Sendable {
    /// The directory the run writes in.
    public let directory: String
    /// The file and the write that did not fit.
    public let shortage: SpaceShortage
    /// What to do once there is room.
    public let hint: String

    public var description: String {
        let file = (shortage.file as NSString).lastPathComponent
        return "no space left on \(directory) (\(file): \(shortage.operation)\(shortage.sizeText)) (hint: \(hint))"
    }

    /// `error` as a ``NoSpaceError`` about `directory` with `hint` when it is a write that
    /// failed for lack of space; nil otherwise.
    static func from(_ error: Error, directory: String, hint: String) -> NoSpaceError? {
        if let error = error as? NoSpaceError {
            return NoSpaceError(directory: directory, shortage: error.shortage, hint: hint)
        }
        guard let shortage = SpaceShortage(error) else { return nil }
        return NoSpaceError(directory: directory, shortage: shortage, hint: hint)
    }
}

/// Whether `code` (an errno value) says the file system is full or the quota spent.
func isOutOfSpace(_ code: Int32) -> Bool { code == ENOSPC || code == EDQUOT }

/// Whether a Foundation file error is a full disk.
func isOutOfSpace(_ error: Error) -> Bool {
    if let cocoa = error as? CocoaError, cocoa.code == .fileWriteOutOfSpace { return true }
    let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
    return underlying.map { $0.domain == NSPOSIXErrorDomain && isOutOfSpace(Int32($0.code)) } ?? false
}

/// Bytes free for unprivileged users on the file system holding `path`, nil if unknown.
func availableBytes(_ path: String) -> Int? {
    var info = statvfs()
    guard statvfs(path, &info) == 0 else { return nil }
    return Int(clamping: UInt64(info.f_bavail) &* UInt64(info.f_frsize))
}
