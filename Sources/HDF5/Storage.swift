import CHDF5

// Helpers shared by datasets and attributes: dataspaces, string types and the marshalling of
// element buffers. Raw pointers stay inside this module.

/// Converts a shape to HDF5 extents, rejecting negative sizes.
func extents(_ shape: [Int], _ site: CallSite) throws -> [hsize_t] {
    guard shape.allSatisfy({ $0 >= 0 }) else { throw site.invalid("negative size in shape \(shape)") }
    return shape.map { hsize_t($0) }
}

/// The number of elements of a shape (1 for the scalar shape `[]`).
func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

/// A dataspace: scalar for `[]`, otherwise simple with the given current and maximum extents
/// (`maxDims` nil means fixed).
func makeSpace(_ shape: [Int], maxDims: [hsize_t]? = nil, _ site: CallSite) throws -> hid_t {
    if shape.isEmpty {
        return try site.call("H5Screate") { H5Screate(H5S_SCALAR) }
    }
    let dims = try extents(shape, site)
    let rank = Int32(dims.count)
    if let maxDims {
        return try site.call("H5Screate_simple") { H5Screate_simple(rank, dims, maxDims) }
    }
    return try site.call("H5Screate_simple") { H5Screate_simple(rank, dims, nil) }
}

/// The current (and maximum) extents of a dataspace; `[]` for a scalar one.
func spaceExtents(_ space: hid_t, _ site: CallSite) throws -> (dims: [Int], maxDims: [hsize_t]) {
    let rank = Int(try site.call("H5Sget_simple_extent_ndims") { H5Sget_simple_extent_ndims(space) })
    guard rank > 0 else { return ([], []) }
    var dims = [hsize_t](repeating: 0, count: rank)
    var maxDims = [hsize_t](repeating: 0, count: rank)
    try site.call("H5Sget_simple_extent_dims") { H5Sget_simple_extent_dims(space, &dims, &maxDims) }
    return (dims.map { Int($0) }, maxDims)
}

/// A variable-length UTF-8 string type (reads back as `str` in h5py). Caller closes it.
func makeStringType(_ site: CallSite) throws -> hid_t {
    let type = try site.call("H5Tcopy") { H5Tcopy(geodim_H5T_C_S1()) }
    do {
        try site.call("H5Tset_size") { H5Tset_size(type, geodim_H5T_VARIABLE()) }
        try site.call("H5Tset_cset") { H5Tset_cset(type, H5T_CSET_UTF8) }
        try site.call("H5Tset_strpad") { H5Tset_strpad(type, H5T_STR_NULLTERM) }
    } catch {
        closeTemporary(type)
        throw error
    }
    return type
}

/// Throws unless the stored type `fileType` holds elements of `T`.
func checkStoredType<T: HDF5Scalar>(_ fileType: hid_t, is _: T.Type, _ site: CallSite) throws {
    let stored = HDF5ElementType(classifying: fileType)
    guard stored == T.hdf5ElementType else {
        throw site.mismatch(expected: T.hdf5ElementType.description, found: stored.description)
    }
}

/// Throws unless the stored type `fileType` is a string type.
func checkStoredString(_ fileType: hid_t, _ site: CallSite) throws {
    let stored = HDF5ElementType(classifying: fileType)
    guard stored == .string else { throw site.mismatch(expected: "string", found: stored.description) }
}

/// Calls `body` with a buffer of `count` NUL-terminated UTF-8 string pointers, the memory
/// layout of a variable-length string array. Strings must not contain NUL.
@discardableResult
func withStringPointers<R>(
    _ strings: [String], _ site: CallSite, _ body: (UnsafeRawPointer) throws -> R
) throws -> R {
    var bytes: [CChar] = []
    var offsets: [Int] = []
    offsets.reserveCapacity(strings.count)
    for string in strings {
        guard !string.utf8.contains(0) else { throw site.invalid("string contains a NUL character") }
        offsets.append(bytes.count)
        bytes.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
        bytes.append(0)
    }
    return try bytes.withUnsafeBufferPointer { storage in
        guard let base = storage.baseAddress else { throw site.invalid("no strings to write") }
        let pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
        return try pointers.withUnsafeBytes { raw in
            guard let address = raw.baseAddress else { throw site.invalid("no strings to write") }
            return try body(address)
        }
    }
}

/// Reads `count` strings stored with type `fileType` (variable- or fixed-length).
///
/// - Parameters:
///   - space: a dataspace with `count` selected elements, used to free variable-length data.
///   - read: performs the H5Dread/H5Aread into the buffer with the given memory type.
func readStringElements(
    fileType: hid_t, count: Int, space: hid_t, _ site: CallSite, function: String,
    read: (hid_t, UnsafeMutableRawPointer) -> herr_t
) throws -> [String] {
    try checkStoredString(fileType, site)
    guard count > 0 else { return [] }
    let isVariable = try site.call("H5Tis_variable_str") { H5Tis_variable_str(fileType) } > 0
    if isVariable {
        let memType = try makeStringType(site)
        defer { closeTemporary(memType) }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        try pointers.withUnsafeMutableBytes { raw in
            guard let address = raw.baseAddress else { return }
            try site.call(function) { read(memType, address) }
        }
        let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
        try pointers.withUnsafeMutableBytes { raw in
            guard let address = raw.baseAddress else { return }
            try site.call("H5Dvlen_reclaim") {
                H5Dvlen_reclaim(memType, space, geodim_H5P_DEFAULT(), address)
            }
        }
        return strings
    }
    // Fixed-length strings, as written by other tools: NUL-terminated or -padded, or
    // space-padded.
    let memType = try site.call("H5Tget_native_type") { H5Tget_native_type(fileType, H5T_DIR_ASCEND) }
    defer { closeTemporary(memType) }
    let width = H5Tget_size(memType)
    guard width > 0 else { throw site.invalid("fixed-length string type of size 0") }
    let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
    var bytes = [UInt8](repeating: 0, count: width * count)
    try bytes.withUnsafeMutableBytes { raw in
        guard let address = raw.baseAddress else { return }
        try site.call(function) { read(memType, address) }
    }
    return (0..<count).map { index in
        var field = bytes[(index * width)..<((index + 1) * width)]
        if let nul = field.firstIndex(of: 0) { field = field[..<nul] }
        if spacePadded {
            while field.last == UInt8(ascii: " ") { field = field.dropLast() }
        }
        return String(decoding: field, as: UTF8.self)
    }
}

/// Reads `count` numeric elements of type `T` with `read`, which fills the buffer given the
/// memory type.
func readScalars<T: HDF5Scalar>(
    _: T.Type, count: Int, _ site: CallSite, function: String,
    read: (hid_t, UnsafeMutableRawPointer) -> herr_t
) throws -> [T] {
    let memType = try T.memoryType(site)
    guard count > 0 else { return [] }
    return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        initialized = 0
        guard let address = buffer.baseAddress else { return }
        try site.call(function) { read(memType, UnsafeMutableRawPointer(address)) }
        initialized = count
    }
}
