import Foundation
import RunLog

/// An exclusive lock on a run directory (`flock` on `<dir>/.lock`), held while a process
/// trains in it, so two processes never write the same log or resume state. The kernel
/// releases it when the process ends, however it ends.
final class RunLock {
    private let descriptor: Int32

    /// Takes the lock, or throws ``RunnerError/runDirectoryBusy(path:)`` if another process
    /// holds it. File systems without `flock` support are tolerated (no lock is taken).
    init(directory: String) throws {
        let path = directory + "/.lock"
        descriptor = open(path, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            if isOutOfSpace(code) {
                throw NoSpaceError(
                    directory: directory,
                    shortage: SpaceShortage(file: path, operation: "create the lock file", needed: nil, available: availableBytes(directory)),
                    hint: "free some space there")
            }
            throw ExperimentError.runDirectory(path: path, reason: String(cString: strerror(code)))
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EWOULDBLOCK || code == EAGAIN {
                close(descriptor)
                throw RunnerError.runDirectoryBusy(path: directory)
            }
        }
    }

    deinit {
        close(descriptor)
    }
}
