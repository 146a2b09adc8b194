import CHDF5
import Foundation

// Disk space for a file's next writes, taken before HDF5 writes anything.
//
// HDF5 keeps no journal. A flush that fails half-way for lack of space leaves object headers
// and chunk indexes on disk that point at blocks whose writes failed, and the file may no
// longer open. `reserveSpace` rules that out for the next `bytes` bytes HDF5 allocates: it
// allocates the disk blocks from the end of the file to HDF5's end of allocation plus `bytes`
// with fallocate(2) and FALLOC_FL_KEEP_SIZE (the file's size does not change; readers see
// nothing), so HDF5's appends land on blocks that exist already, and its rewrites of headers
// and indexes land on bytes that exist already. If the file system has no room, the caller
// learns it before anything is written. Blocks left over stay reserved past the end of the
// file (room to record a failure on a full disk) until `close()` gives them back.
//
// Where fallocate is missing (not Linux) or unsupported by the file system, the free space
// the file system reports is compared instead: no guarantee against another process filling
// the disk in between, but the same answer when the file's own growth is what fills it.

/// fallocate(2), looked up at run time: glibc declares it only under _GNU_SOURCE, which
/// Swift's Glibc module does not define.
private typealias FallocateFunction = @convention(c) (Int32, Int32, Int, Int) -> Int32

private let fallocateFunction: FallocateFunction? = {
    #if os(Linux)
    guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "fallocate") else { return nil }
    return unsafeBitCast(symbol, to: FallocateFunction.self)
    #else
    return nil
    #endif
}()

/// FALLOC_FL_KEEP_SIZE (linux/falloc.h): allocate blocks without changing the file's size.
private let fallocateKeepSize: Int32 = 0x01

extension HDF5File {
    /// HDF5's end of allocation (H5Fget_eoa): the size the file reaches once every byte HDF5
    /// has allocated is written.
    public var allocatedBytes: Int {
        get throws {
            let site = CallSite(file: path, object: "/", operation: "read the end of allocation")
            let id = try liveID(site)
            var end: haddr_t = 0
            try site.call("H5Fget_eoa") { H5Fget_eoa(id, &end) }
            return Int(clamping: end)
        }
    }

    /// Bytes the file system holding this file has free for its user, nil if it cannot tell.
    public var availableBytes: Int? {
        let site = CallSite(file: path, object: "/", operation: "read free space")
        guard let descriptor = try? driverDescriptor(site) else { return nil }
        return freeBytes(descriptor)
    }

    /// Makes sure the next `bytes` bytes HDF5 allocates in this file can be written: allocates
    /// their disk blocks now (see the comment at the top of this file).
    ///
    /// Throws ``HDF5Error/noSpace(file:object:operation:needed:available:)``, naming
    /// `operation`, when the file system has no room (or the user's quota is spent); nothing
    /// has been written then, and the file is as the last flush left it.
    public func reserveSpace(_ bytes: Int, for operation: String) throws {
        let site = CallSite(file: path, object: "/", operation: operation)
        let descriptor = try driverDescriptor(site)
        let end = try allocatedBytes
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return }
        let size = Int(status.st_size)
        let start = min(size, end)
        let length = max(size, end) - start + max(0, bytes)
        guard length > 0 else { return }
        let outcome = allocate(descriptor, offset: start, length: length)
        if outcome == 0 {
            hasReservedSpace = true
            return
        }
        let available = freeBytes(descriptor)
        if outcome == ENOSPC || outcome == EDQUOT {
            throw HDF5Error.noSpace(file: path, object: "/", operation: operation, needed: length, available: available)
        }
        // The file system cannot preallocate: go by the free space it reports.
        if let available, available < length {
            throw HDF5Error.noSpace(file: path, object: "/", operation: operation, needed: length, available: available)
        }
    }

    /// A duplicate of the file's descriptor, for giving reserved blocks back after H5Fclose
    /// (which closes the original). Nil if there is none.
    func duplicateDescriptor() -> Int32? {
        let site = CallSite(file: path, object: "/", operation: "close file")
        guard let descriptor = try? driverDescriptor(site) else { return nil }
        let copy = dup(descriptor)
        return copy >= 0 ? copy : nil
    }

    /// Frees the blocks past the end of the file (a truncation to the file's own size does
    /// that on Linux file systems), then closes `descriptor`.
    func releaseReservedBlocks(_ descriptor: Int32) {
        var status = stat()
        if fstat(descriptor, &status) == 0 { _ = ftruncate(descriptor, status.st_size) }
        Foundation.close(descriptor)
    }

    /// The POSIX descriptor of HDF5's default (sec2) file driver, which every file opened by
    /// this wrapper uses.
    private func driverDescriptor(_ site: CallSite) throws -> Int32 {
        let id = try liveID(site)
        let fapl = try site.call("H5Fget_access_plist") { H5Fget_access_plist(id) }
        defer { closeTemporary(fapl) }
        guard H5Pget_driver(fapl) == geodim_H5FD_SEC2() else { throw site.invalid("the file does not use the sec2 driver") }
        var handle: UnsafeMutableRawPointer?
        try site.call("H5Fget_vfd_handle") { H5Fget_vfd_handle(id, fapl, &handle) }
        guard let handle else { throw site.invalid("HDF5 gave no file handle") }
        return handle.assumingMemoryBound(to: Int32.self).pointee
    }
}

/// fallocate(2) with FALLOC_FL_KEEP_SIZE, retried on EINTR: 0, or the errno it failed with
/// (EOPNOTSUPP when it is not available at all).
private func allocate(_ descriptor: Int32, offset: Int, length: Int) -> Int32 {
    guard let fallocateFunction else { return EOPNOTSUPP }
    while true {
        if fallocateFunction(descriptor, fallocateKeepSize, offset, length) == 0 { return 0 }
        if errno != EINTR { return errno }
    }
}

/// Free bytes for unprivileged users on the file system of `descriptor` (statvfs f_bavail).
private func freeBytes(_ descriptor: Int32) -> Int? {
    var info = statvfs()
    guard fstatvfs(descriptor, &info) == 0 else { return nil }
    return Int(clamping: UInt64(info.f_bavail) &* UInt64(info.f_frsize))
}
