import Foundation

/// A fresh run that a full disk stops before its first resume state is saved has trained
/// nothing and cannot be resumed. Rather than leave a directory that `--run-dir` would refuse
/// (it must not exist) and `geodim resume` cannot use, it removes the files it created there,
/// and the directory if it made it, so that the same command can be run again once there is
/// room. Other failures leave the directory as it is.
struct UnstartedRun {
    let directory: RunDirectory
    /// Whether this run created the directory (a sweep point being retried reuses one).
    let madeDirectory: Bool

    /// The files a run creates before its first resume state.
    private static let createdFiles = [
        "config.yaml", "overrides.txt", "train.log", "log.h5", "log.h5.partial", "batch_order.npy", ".lock",
    ]

    /// For a full disk: removes what the run created and returns the ``NoSpaceError`` to
    /// report. Any other error is returned as it is and nothing is removed.
    func abandon(after error: Error) -> Error {
        let hint = madeDirectory
            ? "nothing was trained and the run directory was removed; free some space there, then run the same command again"
            : "nothing was trained; free some space there, then run the same command again"
        guard let noSpace = NoSpaceError.from(error, directory: directory.path, hint: hint) else { return error }
        for name in Self.createdFiles { unlink(directory.path + "/" + name) }
        if madeDirectory { rmdir(directory.path) }
        return noSpace
    }
}
