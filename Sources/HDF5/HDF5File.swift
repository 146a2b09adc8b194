import CHDF5
import Foundation

/// An open HDF5 file.
///
/// Closing (explicitly with `close()`, or in `deinit` once the file and every group and
/// dataset opened from it are released) closes every object opened from it: objects keep a
/// strong reference to their file, and after an explicit `close()` they throw
/// `HDF5Error.closed`. Objects are not thread-safe; use one file from one thread at a time.
public final class HDF5File {
    /// How `create` treats an existing file.
    public enum CreateMode: Sendable {
        /// Replace an existing file.
        case truncate
        /// Fail with `HDF5Error.fileExists`, leaving an existing file untouched.
        case exclusive
    }

    /// How `open` opens an existing file.
    public enum OpenMode: Sendable {
        case readOnly
        case readWrite
        /// Read-only while another process writes in SWMR mode (single writer, multiple
        /// readers). Call `HDF5Dataset.refresh()` to see rows appended since the dataset was
        /// opened.
        case swmrRead
    }

    /// The path the file was created or opened with.
    public let path: String
    /// Whether the file is still open.
    public private(set) var isOpen: Bool
    /// Whether ``reserveSpace(_:for:)`` took disk blocks past the end of the file, which
    /// closing gives back.
    var hasReservedSpace = false
    private let id: hid_t

    private init(path: String, id: hid_t) {
        self.path = path
        self.id = id
        self.isOpen = true
    }

    deinit {
        if isOpen {
            silenceErrorPrinting()
            let reserved = hasReservedSpace ? duplicateDescriptor() : nil
            _ = H5Fclose(id)
            if let reserved { releaseReservedBlocks(reserved) }
        }
    }

    /// Creates a file.
    ///
    /// - Parameters:
    ///   - mode: `.truncate` replaces an existing file; `.exclusive` throws
    ///     `HDF5Error.fileExists` and leaves it untouched.
    ///   - latestFormat: write with the latest file-format version (libver bounds LATEST),
    ///     which `startSWMRWrite()` requires. Such files need HDF5 ≥ 1.10 to read.
    public static func create(
        _ path: String, mode: CreateMode = .truncate, latestFormat: Bool = false
    ) throws -> HDF5File {
        let site = CallSite(file: path, object: "/", operation: "create file")
        if mode == .exclusive && FileManager.default.fileExists(atPath: path) {
            throw HDF5Error.fileExists(file: path)
        }
        let fapl = try fileAccessList(site, latestFormat: latestFormat)
        defer { closeTemporary(fapl) }
        let flags = mode == .truncate ? geodim_H5F_ACC_TRUNC() : geodim_H5F_ACC_EXCL()
        let existed = FileManager.default.fileExists(atPath: path)
        do {
            let id = try site.call("H5Fcreate") { H5Fcreate(path, flags, geodim_H5P_DEFAULT(), fapl) }
            return HDF5File(path: path, id: id)
        } catch {
            if mode == .exclusive && existed { throw HDF5Error.fileExists(file: path) }
            // H5Fcreate creates the file before writing its superblock: a failed write (a full
            // disk) leaves an empty file behind, which is not ours to keep.
            if !existed { unlink(path) }
            throw error
        }
    }

    /// Opens an existing file.
    ///
    /// Throws `HDF5Error.fileNotFound` for a missing file and `HDF5Error.notHDF5` for a file
    /// without the HDF5 signature.
    /// - Parameters:
    ///   - latestFormat: with `.readWrite`, allow `startSWMRWrite()` afterwards.
    ///   - clearStatusFlags: with `.readWrite`, clear the superblock's "open for writing"
    ///     flags first, as `h5clear -s` does. A file whose SWMR writer was killed keeps them
    ///     set, and HDF5 refuses to open it for writing (or, without SWMR, for reading) until
    ///     they are cleared. Only do this when no other process is writing the file.
    public static func open(
        _ path: String, mode: OpenMode = .readOnly, latestFormat: Bool = false,
        clearStatusFlags: Bool = false
    ) throws -> HDF5File {
        let site = CallSite(file: path, object: "/", operation: "open file")
        guard FileManager.default.fileExists(atPath: path) else {
            throw HDF5Error.fileNotFound(file: path)
        }
        let fapl = try fileAccessList(site, latestFormat: latestFormat)
        if clearStatusFlags {
            // The property h5clear sets; it is registered on every file-access list but has no
            // typed setter in the public API.
            var clear = true
            do {
                try site.call("H5Pset") { H5Pset(fapl, "clear_status_flags", &clear) }
            } catch {
                closeTemporary(fapl)
                throw error
            }
        }
        defer { closeTemporary(fapl) }
        let flags: UInt32
        switch mode {
        case .readOnly: flags = geodim_H5F_ACC_RDONLY()
        case .readWrite: flags = geodim_H5F_ACC_RDWR()
        case .swmrRead: flags = geodim_H5F_ACC_RDONLY() | geodim_H5F_ACC_SWMR_READ()
        }
        do {
            let id = try site.call("H5Fopen") { H5Fopen(path, flags, fapl) }
            return HDF5File(path: path, id: id)
        } catch {
            silenceErrorPrinting()
            if H5Fis_hdf5(path) == 0 { throw HDF5Error.notHDF5(file: path) }
            throw error
        }
    }

    /// Writes every buffered change of the whole file to disk.
    public func flush() throws {
        let site = CallSite(file: path, object: "/", operation: "flush")
        let id = try liveID(site)
        try site.call("H5Fflush") { H5Fflush(id, H5F_SCOPE_GLOBAL) }
    }

    /// Switches a file opened for writing with `latestFormat: true` to SWMR writing, so that
    /// readers can open it with `.swmrRead` while it grows.
    ///
    /// Create every group, dataset, attribute and dimension scale first: SWMR supports only
    /// appends to existing datasets (and flushes) afterwards. HDF5 1.10 does not enforce this
    /// for every operation (creating a group still succeeds), but readers may then fail.
    public func startSWMRWrite() throws {
        let site = CallSite(file: path, object: "/", operation: "start SWMR write")
        let id = try liveID(site)
        try site.call("H5Fstart_swmr_write") { H5Fstart_swmr_write(id) }
    }

    /// Closes the file and every object still open in it. Closing twice does nothing.
    ///
    /// The objects are closed one by one first: when the final flush fails (a full disk),
    /// H5Fclose fails after freeing the file's shared state, and identifiers still open would
    /// then crash the library's clean-up at process exit. Disk blocks taken by
    /// ``reserveSpace(_:for:)`` past the end of the file are given back.
    public func close() throws {
        guard isOpen else { return }
        let site = CallSite(file: path, object: "/", operation: "close file")
        let reserved = hasReservedSpace ? duplicateDescriptor() : nil
        defer { if let reserved { releaseReservedBlocks(reserved) } }
        isOpen = false
        closeOpenObjects()
        try site.call("H5Fclose") { H5Fclose(id) }
    }

    /// Closes every dataset, group, named datatype and attribute still open in this file.
    private func closeOpenObjects() {
        silenceErrorPrinting()
        let types = UInt32(H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL)
        let count = H5Fget_obj_count(id, types)
        guard count > 0 else { return }
        var ids = [hid_t](repeating: -1, count: Int(count))
        let found = H5Fget_obj_ids(id, types, Int(count), &ids)
        guard found > 0 else { return }
        for object in ids.prefix(Int(found)) {
            switch H5Iget_type(object) {
            case H5I_DATASET: _ = H5Dclose(object)
            case H5I_GROUP: _ = H5Gclose(object)
            case H5I_DATATYPE: _ = H5Tclose(object)
            case H5I_ATTR: _ = H5Aclose(object)
            default: break
            }
        }
    }

    /// The root group `/`.
    public var root: HDF5Group {
        get throws {
            let site = CallSite(file: path, object: "/", operation: "open group")
            let id = try liveID(site)
            let gid = try site.call("H5Gopen2") { H5Gopen2(id, "/", geodim_H5P_DEFAULT()) }
            return HDF5Group(file: self, id: gid, path: "/")
        }
    }

    /// The attributes of the root group (what h5py shows as `f.attrs`).
    public var attributes: HDF5Attributes { HDF5Attributes(owner: self) }

    /// The file identifier, or `HDF5Error.closed` after `close()`.
    func liveID(_ site: CallSite) throws -> hid_t {
        guard isOpen else { throw site.closed() }
        return id
    }

    private static func fileAccessList(_ site: CallSite, latestFormat: Bool) throws -> hid_t {
        let fapl = try site.call("H5Pcreate") { H5Pcreate(geodim_H5P_FILE_ACCESS()) }
        do {
            // Closing the file closes the objects opened from it, so close() really closes.
            try site.call("H5Pset_fclose_degree") { H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) }
            if latestFormat {
                let latest = geodim_H5F_LIBVER_LATEST()
                try site.call("H5Pset_libver_bounds") { H5Pset_libver_bounds(fapl, latest, latest) }
            }
        } catch {
            closeTemporary(fapl)
            throw error
        }
        return fapl
    }
}

extension HDF5File: AttributeOwner {
    var filePath: String { path }
    var attributeObjectPath: String { "/" }
    func attributeLocation(_ site: CallSite) throws -> hid_t { try liveID(site) }
}

/// Facts about the HDF5 library linked into this program.
public enum HDF5Library {
    /// The library version, e.g. "1.10.8".
    public static var version: String {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        silenceErrorPrinting()
        guard H5get_libversion(&major, &minor, &release) >= 0 else { return "unknown" }
        return "\(major).\(minor).\(release)"
    }
}
