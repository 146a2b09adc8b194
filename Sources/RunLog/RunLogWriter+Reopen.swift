import Foundation
import HDF5

// Resuming a run rewrites its log (cuts the growing datasets back, marks it running). A
// rewrite that fails half-way — a full disk, or a log HDF5 cannot cut — must not touch the
// log: HDF5 truncates a file to its recorded end of allocation when it closes it, so even a
// failed attempt on a damaged log can cut real data off. The rewrite is therefore done on a
// copy, `log.h5.resuming`, which replaces the log (a rename) only once it is complete and
// flushed. Until then the log is not opened for writing at all.

extension RunLogWriter {
    /// The name of the copy a resume works on, next to the log.
    public static func resumingPath(_ path: String) -> String { path + ".resuming" }

    /// Reopens an existing log to continue a run: checks that it is a geodim log this build can
    /// write, cuts `/train` back to `trainRows` rows and everything per-checkpoint back to
    /// `checkpointRows` rows (what the resume state recorded), marks it `running` and records
    /// `note` in `/meta` `resume_history`.
    ///
    /// All of that is done on a copy, which is then renamed over the log; on any failure the
    /// copy is removed and the log is exactly as it was. The copy needs as much free space as
    /// the log takes (plus ``spaceMargin``); without it the resume is refused with
    /// ``RunLogError/noSpace(path:operation:needed:available:)`` before anything is written.
    ///
    /// A live log left by a killed writer still carries HDF5's "open for writing" flags; the
    /// copy has them cleared (as `h5clear -s` does). The caller must make sure no other process
    /// is writing the log (geodim holds a lock on the run directory).
    public static func reopen(
        path: String, layout: RunLogLayout, trainRows: Int, checkpointRows: Int, live: Bool, note: String
    ) throws -> RunLogWriter {
        let working = resumingPath(path)
        // A copy left by a resume that was killed before its rename: never the log itself.
        unlink(working)
        try copyForResume(path, to: working)
        do {
            try prepareCopy(
                working, log: path, layout: layout, trainRows: trainRows, checkpointRows: checkpointRows,
                live: live, note: note)
            try replace(path, with: working)
        } catch {
            unlink(working)
            throw error
        }
        let file = try HDF5File.open(path, mode: .readWrite, latestFormat: live)
        do {
            let writer = try RunLogWriter(path: path, file: file, layout: layout, live: live)
            if live { try file.startSWMRWrite() }
            return writer
        } catch {
            try? file.close()
            throw error
        }
    }

    /// Cuts, marks and flushes the copy at `working`, then closes it.
    private static func prepareCopy(
        _ working: String, log path: String, layout: RunLogLayout, trainRows: Int, checkpointRows: Int,
        live: Bool, note: String
    ) throws {
        let file = try HDF5File.open(working, mode: .readWrite, latestFormat: live, clearStatusFlags: true)
        do {
            try RunLogReading.checkFormat(file, path: path)
            try file.reserveSpace(2 * note.utf8.count + 32 * 1024 + spaceMargin, for: "prepare the log for resuming")
            let writer = try RunLogWriter(path: path, file: file, layout: layout, live: live)
            do {
                try writer.truncate(trainRows: trainRows, checkpointRows: checkpointRows)
            } catch let error as HDF5Error {
                guard case .library(_, _, _, let message) = error else { throw error }
                throw RunLogError.inconsistent(
                    path: path, reason: "HDF5 cannot cut it back to the rows the resume state accounts for (\(message)); "
                        + "it was left as it was (hint: read what it holds with h5py, and start a new run)")
            }
            try file.attributes.set("status", RunStatus.running.rawValue)
            let meta = try file.root.group("meta")
            try meta.attributes.set("status", RunStatus.running.rawValue)
            let history = (try? meta.attributes.strings("resume_history")) ?? []
            try meta.attributes.set("resume_history", history + [note])
            try meta.attributes.set("resume_count", Int64(history.count + 1))
            // What the previous session ended with no longer describes the run.
            for name in ["end_time", "error", "interrupted_by"] {
                if try live || meta.attributes.contains(name) { try meta.attributes.set(name, "") }
            }
            if try live || meta.attributes.contains("stopped_early_epoch") {
                try meta.attributes.set("stopped_early_epoch", Int64(-1))
            }
            try file.flush()
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
        try syncFile(working)
    }
}

/// Copies the log at `path` to `working` (which must not exist), refusing before writing
/// when the file system reports too little free space for it.
private func copyForResume(_ path: String, to working: String) throws {
    let operation = "copy log.h5 to resume it (resuming works on a copy and never writes the log itself until the copy is complete)"
    let source = open(path, O_RDONLY)
    guard source >= 0 else { throw RunLogError.io(path: path, reason: "cannot open it: " + String(cString: strerror(errno))) }
    defer { close(source) }
    var status = stat()
    guard fstat(source, &status) == 0 else { throw RunLogError.io(path: path, reason: "cannot stat it: " + String(cString: strerror(errno))) }
    let size = Int(status.st_size)
    let needed = size + RunLogWriter.spaceMargin
    let directory = (working as NSString).deletingLastPathComponent
    let available = freeBytes(directory.isEmpty ? "." : directory)
    if let available, available < needed {
        throw RunLogError.noSpace(path: path, operation: operation, needed: needed, available: available)
    }
    let target = open(working, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard target >= 0 else {
        throw RunLogError.io(path: working, reason: "cannot create it: " + String(cString: strerror(errno)))
    }
    defer { close(target) }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    guard let base = buffer.baseAddress else { return }
    while true {
        let count = read(source, base, buffer.count)
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { throw RunLogError.io(path: path, reason: "cannot read it: " + String(cString: strerror(errno))) }
        if count == 0 { break }
        var written = 0
        while written < count {
            let result = write(target, base + written, count - written)
            if result < 0 && errno == EINTR { continue }
            guard result >= 0 else {
                if errno == ENOSPC || errno == EDQUOT {
                    throw RunLogError.noSpace(path: path, operation: operation, needed: needed, available: freeBytes(directory))
                }
                throw RunLogError.io(path: working, reason: "cannot write it: " + String(cString: strerror(errno)))
            }
            written += result
        }
    }
}

/// Renames `working` over `path` and makes the rename durable (fsync of the directory).
private func replace(_ path: String, with working: String) throws {
    guard rename(working, path) == 0 else {
        throw RunLogError.io(path: path, reason: "cannot rename \(working) over it: " + String(cString: strerror(errno)))
    }
    let directory = (path as NSString).deletingLastPathComponent
    syncDirectory(directory.isEmpty ? "." : directory)
}

/// fsync of the file at `path`, so the copy is on disk before it replaces the log.
private func syncFile(_ path: String) throws {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw RunLogError.io(path: path, reason: "cannot open it: " + String(cString: strerror(errno))) }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
        if errno == ENOSPC || errno == EDQUOT {
            throw RunLogError.noSpace(path: path, operation: "write the resumed copy of the log", needed: nil, available: nil)
        }
        throw RunLogError.io(path: path, reason: "cannot sync it: " + String(cString: strerror(errno)))
    }
}

/// fsync of a directory, so that a rename or link in it survives a crash.
func syncDirectory(_ directory: String) {
    let descriptor = open(directory, O_RDONLY)
    if descriptor >= 0 {
        _ = fsync(descriptor)
        _ = close(descriptor)
    }
}

/// Free bytes for unprivileged users on the file system holding `path`, nil if unknown.
func freeBytes(_ path: String) -> Int? {
    var info = statvfs()
    guard statvfs(path, &info) == 0 else { return nil }
    return Int(clamping: UInt64(info.f_bavail) &* UInt64(info.f_frsize))
}
