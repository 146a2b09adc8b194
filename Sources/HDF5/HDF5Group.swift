import CHDF5

/// An open group. Paths given to its methods are relative to it (`"layer0/weight"`) or
/// absolute (`"/params/layer0/weight"`).
public final class HDF5Group {
    /// The file the group belongs to (kept open while the group is referenced).
    public let file: HDF5File
    /// The absolute path of the group, `/` for the root.
    public let path: String
    private let id: hid_t
    private var isOpen = true

    init(file: HDF5File, id: hid_t, path: String) {
        self.file = file
        self.id = id
        self.path = path
    }

    deinit {
        if isOpen && file.isOpen {
            silenceErrorPrinting()
            _ = H5Gclose(id)
        }
    }

    /// Closes the group now (otherwise it closes when released). Closing twice does nothing.
    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        guard file.isOpen else { return }
        let site = CallSite(file: file.path, object: path, operation: "close group")
        try site.call("H5Gclose") { H5Gclose(id) }
    }

    /// The attributes of this group.
    public var attributes: HDF5Attributes { HDF5Attributes(owner: self) }

    /// Creates a group, and any missing intermediate groups on its path.
    ///
    /// Throws `HDF5Error.objectExists` if something already exists at `path`.
    @discardableResult
    public func createGroup(_ path: String) throws -> HDF5Group {
        let site = site("create group", path)
        let location = try liveID(site)
        guard try !exists(path) else { throw site.exists(site.object) }
        let lcpl = try intermediateGroupsList(site)
        defer { closeTemporary(lcpl) }
        let gid = try site.call("H5Gcreate2") {
            H5Gcreate2(location, path, lcpl, geodim_H5P_DEFAULT(), geodim_H5P_DEFAULT())
        }
        return HDF5Group(file: file, id: gid, path: site.object)
    }

    /// Opens an existing group.
    public func group(_ path: String) throws -> HDF5Group {
        let site = site("open group", path)
        let gid = try openObject(path, kind: H5I_GROUP, site)
        return HDF5Group(file: file, id: gid, path: site.object)
    }

    /// Opens an existing dataset.
    public func dataset(_ path: String) throws -> HDF5Dataset {
        let site = site("open dataset", path)
        let did = try openObject(path, kind: H5I_DATASET, site)
        return HDF5Dataset(file: file, id: did, path: site.object)
    }

    /// Whether a link exists at `path` (every component of it).
    ///
    /// A path through a dataset (`"loss/x"` where `loss` is a dataset) does not exist.
    public func exists(_ path: String) throws -> Bool {
        let site = site("look up", path)
        let location = try liveID(site)
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        var prefix = path.hasPrefix("/") ? "/" : ""
        for (index, component) in components.enumerated() {
            prefix = prefix.isEmpty || prefix == "/" ? prefix + component : prefix + "/" + component
            let name = prefix
            guard try site.call("H5Lexists", { H5Lexists(location, name, geodim_H5P_DEFAULT()) }) > 0 else {
                return false
            }
            if index < components.count - 1 {
                // Only a group can have children.
                let object = try site.call("H5Oopen") { H5Oopen(location, name, geodim_H5P_DEFAULT()) }
                let kind = H5Iget_type(object)
                _ = H5Oclose(object)
                if kind != H5I_GROUP { return false }
            }
        }
        return true
    }

    /// The names of the group's direct children (groups, datasets, links), in alphabetical
    /// order.
    public func childNames() throws -> [String] {
        let site = site("list children", nil)
        let location = try liveID(site)
        var info = H5G_info_t()
        try site.call("H5Gget_info") { H5Gget_info(location, &info) }
        var names: [String] = []
        names.reserveCapacity(Int(info.nlinks))
        for index in 0..<info.nlinks {
            let length = try site.call("H5Lget_name_by_idx") {
                H5Lget_name_by_idx(
                    location, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, geodim_H5P_DEFAULT())
            }
            var buffer = [CChar](repeating: 0, count: length + 1)
            try site.call("H5Lget_name_by_idx") {
                H5Lget_name_by_idx(
                    location, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1,
                    geodim_H5P_DEFAULT())
            }
            names.append(String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    // MARK: Internal

    /// The group identifier, or `HDF5Error.closed`.
    func liveID(_ site: CallSite) throws -> hid_t {
        guard isOpen && file.isOpen else { throw site.closed() }
        return id
    }

    /// A call site for `operation` on the object at `relative` (or on this group).
    func site(_ operation: String, _ relative: String?) -> CallSite {
        CallSite(file: file.path, object: resolvePath(path, relative), operation: operation)
    }

    /// A link-creation property list that creates missing intermediate groups.
    func intermediateGroupsList(_ site: CallSite) throws -> hid_t {
        let lcpl = try site.call("H5Pcreate") { H5Pcreate(geodim_H5P_LINK_CREATE()) }
        do {
            try site.call("H5Pset_create_intermediate_group") { H5Pset_create_intermediate_group(lcpl, 1) }
        } catch {
            closeTemporary(lcpl)
            throw error
        }
        return lcpl
    }

    /// Opens the object at `path`, checking it is of the expected kind.
    private func openObject(_ path: String, kind: H5I_type_t, _ site: CallSite) throws -> hid_t {
        let location = try liveID(site)
        guard try exists(path) else { throw site.notFound(site.object) }
        let object = try site.call("H5Oopen") { H5Oopen(location, path, geodim_H5P_DEFAULT()) }
        let found = H5Iget_type(object)
        guard found == kind else {
            _ = H5Oclose(object)
            throw site.mismatch(expected: kindName(kind), found: kindName(found))
        }
        return object
    }

    private func kindName(_ kind: H5I_type_t) -> String {
        switch kind {
        case H5I_GROUP: return "a group"
        case H5I_DATASET: return "a dataset"
        case H5I_DATATYPE: return "a named datatype"
        default: return "another kind of object"
        }
    }
}

extension HDF5Group: AttributeOwner {
    var filePath: String { file.path }
    var attributeObjectPath: String { path }
    func attributeLocation(_ site: CallSite) throws -> hid_t { try liveID(site) }
}

/// The absolute path of `relative` seen from the group at `base`.
func resolvePath(_ base: String, _ relative: String?) -> String {
    guard let relative, !relative.isEmpty else { return base }
    let joined = relative.hasPrefix("/") ? relative : base + "/" + relative
    let components = joined.split(separator: "/", omittingEmptySubsequences: true)
    return "/" + components.joined(separator: "/")
}
