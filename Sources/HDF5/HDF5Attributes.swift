import CHDF5

/// Something attributes can be attached to: the file (its root group), a group, a dataset.
protocol AttributeOwner: AnyObject {
    var filePath: String { get }
    var attributeObjectPath: String { get }
    /// The location identifier, or `HDF5Error.closed`.
    func attributeLocation(_ site: CallSite) throws -> hid_t
}

/// The attributes of a file, group or dataset (h5py's `.attrs`).
///
/// Strings are stored as variable-length UTF-8 (read back as `str` by h5py), numbers with the
/// element type of their Swift type (`Int` as int64), arrays as 1-D attributes. Setting an
/// existing attribute replaces it, whatever its old type or shape. Attributes are small
/// metadata: without `latestFormat` all attributes of one object must fit in 64 KiB.
public struct HDF5Attributes {
    let owner: any AttributeOwner

    init(owner: any AttributeOwner) {
        self.owner = owner
    }

    // MARK: Writing

    /// Sets a string attribute.
    public func set(_ name: String, _ value: String) throws {
        try setStrings(name, [value], shape: [])
    }

    /// Sets a 1-D string attribute.
    public func set(_ name: String, _ values: [String]) throws {
        try setStrings(name, values, shape: [values.count])
    }

    /// Sets a numeric attribute holding one value.
    public func set<T: HDF5Scalar>(_ name: String, _ value: T) throws {
        try setScalars(name, [value], shape: [])
    }

    /// Sets a 1-D numeric attribute.
    public func set<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
        try setScalars(name, values, shape: [values.count])
    }

    // MARK: Reading

    /// Reads a string attribute holding one string.
    public func string(_ name: String) throws -> String {
        let site = site("read attribute '\(name)'")
        let strings = try readStringValues(name, site)
        guard strings.count == 1 else { throw site.invalid("holds \(strings.count) strings, not one") }
        return strings[0]
    }

    /// Reads a string attribute (any shape, flattened).
    public func strings(_ name: String) throws -> [String] {
        try readStringValues(name, site("read attribute '\(name)'"))
    }

    /// Reads a numeric attribute holding one value of type `T`.
    public func value<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> T {
        let site = site("read attribute '\(name)'")
        let values = try readScalarValues(name, type, site)
        guard values.count == 1 else { throw site.invalid("holds \(values.count) values, not one") }
        return values[0]
    }

    /// Reads a numeric attribute of type `T` (any shape, flattened).
    public func array<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> [T] {
        try readScalarValues(name, type, site("read attribute '\(name)'"))
    }

    /// The stored element type of an attribute.
    public func elementType(_ name: String) throws -> HDF5ElementType {
        let site = site("read attribute '\(name)'")
        let attribute = try open(name, site)
        defer { closeTemporary(attribute) }
        let type = try site.call("H5Aget_type") { H5Aget_type(attribute) }
        defer { closeTemporary(type) }
        return HDF5ElementType(classifying: type)
    }

    // MARK: Listing and removing

    /// Whether an attribute of this name exists.
    public func contains(_ name: String) throws -> Bool {
        let site = site("look up attribute '\(name)'")
        let location = try owner.attributeLocation(site)
        return try site.call("H5Aexists") { H5Aexists(location, name) } > 0
    }

    /// The names of all attributes, in alphabetical order.
    public func names() throws -> [String] {
        let site = site("list attributes")
        let location = try owner.attributeLocation(site)
        let collected = NameList()
        var index: hsize_t = 0
        _ = try withExtendedLifetime(collected) {
            try site.call("H5Aiterate2") {
                H5Aiterate2(
                    location, H5_INDEX_NAME, H5_ITER_INC, &index,
                    { _, name, _, clientData in
                        guard let name, let clientData else { return -1 }
                        let list = Unmanaged<NameList>.fromOpaque(clientData).takeUnretainedValue()
                        list.names.append(String(cString: name))
                        return 0
                    },
                    Unmanaged.passUnretained(collected).toOpaque())
            }
        }
        return collected.names
    }

    /// Deletes an attribute; throws `HDF5Error.objectNotFound` if there is none.
    public func remove(_ name: String) throws {
        let site = site("delete attribute '\(name)'")
        let location = try owner.attributeLocation(site)
        guard try site.call("H5Aexists", { H5Aexists(location, name) }) > 0 else {
            throw site.notFound(owner.attributeObjectPath)
        }
        try site.call("H5Adelete") { H5Adelete(location, name) }
    }

    // MARK: Implementation

    private final class NameList {
        var names: [String] = []
    }

    private func site(_ operation: String) -> CallSite {
        CallSite(file: owner.filePath, object: owner.attributeObjectPath, operation: operation)
    }

    private func setScalars<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int]) throws {
        let site = site("write attribute '\(name)'")
        let memType = try T.memoryType(site)
        try replace(name, fileType: memType, shape: shape, site) { attribute in
            guard !values.isEmpty else { return }
            try values.withUnsafeBytes { raw in
                guard let address = raw.baseAddress else { return }
                try site.call("H5Awrite") { H5Awrite(attribute, memType, address) }
            }
        }
    }

    private func setStrings(_ name: String, _ values: [String], shape: [Int]) throws {
        let site = site("write attribute '\(name)'")
        let type = try makeStringType(site)
        defer { closeTemporary(type) }
        try replace(name, fileType: type, shape: shape, site) { attribute in
            guard !values.isEmpty else { return }
            try withStringPointers(values, site) { address in
                try site.call("H5Awrite") { H5Awrite(attribute, type, address) }
            }
        }
    }

    /// Deletes any attribute `name`, creates it anew and lets `write` fill it.
    private func replace(
        _ name: String, fileType: hid_t, shape: [Int], _ site: CallSite, write: (hid_t) throws -> Void
    ) throws {
        guard !name.isEmpty else { throw site.invalid("empty attribute name") }
        let location = try owner.attributeLocation(site)
        if try site.call("H5Aexists", { H5Aexists(location, name) }) > 0 {
            try site.call("H5Adelete") { H5Adelete(location, name) }
        }
        let space = try makeSpace(shape, site)
        defer { closeTemporary(space) }
        let attribute = try site.call("H5Acreate2") {
            H5Acreate2(location, name, fileType, space, geodim_H5P_DEFAULT(), geodim_H5P_DEFAULT())
        }
        do {
            try write(attribute)
        } catch {
            closeTemporary(attribute)
            throw error
        }
        try site.call("H5Aclose") { H5Aclose(attribute) }
    }

    private func open(_ name: String, _ site: CallSite) throws -> hid_t {
        let location = try owner.attributeLocation(site)
        guard try site.call("H5Aexists", { H5Aexists(location, name) }) > 0 else {
            throw site.notFound(owner.attributeObjectPath)
        }
        return try site.call("H5Aopen") { H5Aopen(location, name, geodim_H5P_DEFAULT()) }
    }

    private func readScalarValues<T: HDF5Scalar>(_ name: String, _ type: T.Type, _ site: CallSite) throws -> [T] {
        let attribute = try open(name, site)
        defer { closeTemporary(attribute) }
        let fileType = try site.call("H5Aget_type") { H5Aget_type(attribute) }
        defer { closeTemporary(fileType) }
        try checkStoredType(fileType, is: type, site)
        let count = try pointCount(attribute, site)
        return try readScalars(type, count: count, site, function: "H5Aread") { memType, buffer in
            H5Aread(attribute, memType, buffer)
        }
    }

    private func readStringValues(_ name: String, _ site: CallSite) throws -> [String] {
        let attribute = try open(name, site)
        defer { closeTemporary(attribute) }
        let fileType = try site.call("H5Aget_type") { H5Aget_type(attribute) }
        defer { closeTemporary(fileType) }
        let space = try site.call("H5Aget_space") { H5Aget_space(attribute) }
        defer { closeTemporary(space) }
        let count = Int(try site.call("H5Sget_simple_extent_npoints") { H5Sget_simple_extent_npoints(space) })
        return try readStringElements(fileType: fileType, count: count, space: space, site, function: "H5Aread") {
            memType, buffer in H5Aread(attribute, memType, buffer)
        }
    }

    private func pointCount(_ attribute: hid_t, _ site: CallSite) throws -> Int {
        let space = try site.call("H5Aget_space") { H5Aget_space(attribute) }
        defer { closeTemporary(space) }
        return Int(try site.call("H5Sget_simple_extent_npoints") { H5Sget_simple_extent_npoints(space) })
    }
}
