import CHDF5

/// An open dataset: numbers of one `HDF5ElementType`, or strings, in an N-d shape.
public final class HDF5Dataset {
    /// The file the dataset belongs to (kept open while the dataset is referenced).
    public let file: HDF5File
    /// The absolute path of the dataset.
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
            _ = H5Dclose(id)
        }
    }

    /// Closes the dataset now (otherwise it closes when released). Closing twice does nothing.
    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        guard file.isOpen else { return }
        let site = site("close dataset")
        try site.call("H5Dclose") { H5Dclose(id) }
    }

    /// The attributes of this dataset.
    public var attributes: HDF5Attributes { HDF5Attributes(owner: self) }

    // MARK: Shape and type

    /// The current shape; `[]` for a scalar dataset.
    public var shape: [Int] {
        get throws { try extent(site("read shape")).dims }
    }

    /// The number of rows (the size of axis 0); 1 for a scalar dataset.
    public var rowCount: Int {
        get throws { try shape.first ?? 1 }
    }

    /// Whether axis 0 can grow (the dataset was created extendable).
    public var isExtendable: Bool {
        get throws {
            let maxDims = try extent(site("read shape")).maxDims
            return maxDims.first == geodim_H5S_UNLIMITED()
        }
    }

    /// The stored element type.
    public var elementType: HDF5ElementType {
        get throws {
            let site = site("read type")
            let did = try liveID(site)
            let type = try site.call("H5Dget_type") { H5Dget_type(did) }
            defer { closeTemporary(type) }
            return HDF5ElementType(classifying: type)
        }
    }

    // MARK: Reading

    /// Reads the whole dataset. Throws `HDF5Error.typeMismatch` unless it stores `T`.
    public func read<T: HDF5Scalar>(as type: T.Type = T.self) throws -> HDF5Array<T> {
        let site = site("read")
        let did = try liveID(site)
        try checkType(type, site)
        let dims = try extent(site).dims
        let values = try readScalars(type, count: elementCount(dims), site, function: "H5Dread") { memType, buffer in
            H5Dread(did, memType, geodim_H5S_ALL(), geodim_H5S_ALL(), geodim_H5P_DEFAULT(), buffer)
        }
        return HDF5Array(values: values, shape: dims)
    }

    /// Reads rows `rows` (along axis 0) of a dataset of rank ≥ 1.
    public func readRows<T: HDF5Scalar>(_ rows: Range<Int>, as type: T.Type = T.self) throws -> HDF5Array<T> {
        let site = site("read rows \(rows.lowerBound)..<\(rows.upperBound)")
        let did = try liveID(site)
        try checkType(type, site)
        let selection = try selectRows(rows, site)
        defer { closeTemporary(selection.fileSpace); closeTemporary(selection.memorySpace) }
        let values = try readScalars(type, count: elementCount(selection.shape), site, function: "H5Dread") {
            memType, buffer in
            H5Dread(did, memType, selection.memorySpace, selection.fileSpace, geodim_H5P_DEFAULT(), buffer)
        }
        return HDF5Array(values: values, shape: selection.shape)
    }

    /// Reads a string dataset of any shape, flattened in row-major order.
    public func readStrings() throws -> [String] {
        let site = site("read strings")
        let did = try liveID(site)
        let fileType = try site.call("H5Dget_type") { H5Dget_type(did) }
        defer { closeTemporary(fileType) }
        let space = try site.call("H5Dget_space") { H5Dget_space(did) }
        defer { closeTemporary(space) }
        let count = Int(try site.call("H5Sget_simple_extent_npoints") { H5Sget_simple_extent_npoints(space) })
        return try readStringElements(fileType: fileType, count: count, space: space, site, function: "H5Dread") {
            memType, buffer in
            H5Dread(did, memType, geodim_H5S_ALL(), geodim_H5S_ALL(), geodim_H5P_DEFAULT(), buffer)
        }
    }

    /// Reads a string dataset holding exactly one string (scalar or shape `[1]`).
    public func readString() throws -> String {
        let strings = try readStrings()
        guard strings.count == 1 else {
            throw site("read string").invalid("holds \(strings.count) strings, not one")
        }
        return strings[0]
    }

    /// For a reader opened with `.swmrRead`: reloads the dataset's metadata so that rows the
    /// writer appended since become visible.
    public func refresh() throws {
        let site = site("refresh")
        let did = try liveID(site)
        try site.call("H5Drefresh") { H5Drefresh(did) }
    }

    // MARK: Appending

    /// Appends one or more rows to an extendable dataset.
    ///
    /// `values` holds whole rows in row-major order: its length must be a multiple of the row
    /// size (the product of the shape after axis 0). An empty array appends nothing.
    public func append<T: HDF5Scalar>(rows values: [T]) throws {
        let site = site("append rows")
        let did = try liveID(site)
        try checkType(T.self, site)
        let memType = try T.memoryType(site)
        guard !values.isEmpty else { return }
        let selection = try extend(byElements: values.count, site)
        defer { closeTemporary(selection.fileSpace); closeTemporary(selection.memorySpace) }
        try values.withUnsafeBytes { raw in
            guard let address = raw.baseAddress else { return }
            try site.call("H5Dwrite") {
                H5Dwrite(did, memType, selection.memorySpace, selection.fileSpace, geodim_H5P_DEFAULT(), address)
            }
        }
    }

    /// An upper bound on the file space that appending `rows` rows allocates: each chunk the
    /// new rows are the first to touch, at its uncompressed size (plus deflate's worst-case
    /// growth for a filtered dataset), and room for the chunk index to grow by a node.
    /// Rows of variable-length strings also count their heap objects at 4 KiB each.
    ///
    /// Rows that fall in chunks already allocated take no new space: HDF5 rewrites those
    /// chunks in place (uncompressed ones; a compressed chunk that is rewritten may move, and
    /// is counted again).
    public func appendAllocationBound(rows: Int) throws -> Int {
        let site = site("estimate the space of appending \(rows) row(s)")
        let did = try liveID(site)
        guard rows > 0 else { return 0 }
        let dims = try extent(site).dims
        guard let oldRows = dims.first else { return 0 }
        let type = try site.call("H5Dget_type") { H5Dget_type(did) }
        defer { closeTemporary(type) }
        let elementBytes = H5Tget_size(type)
        let variable = try site.call("H5Tis_variable_str") { H5Tis_variable_str(type) } > 0
        let dcpl = try site.call("H5Dget_create_plist") { H5Dget_create_plist(did) }
        defer { closeTemporary(dcpl) }
        guard H5Pget_layout(dcpl) == H5D_CHUNKED else { return elementCount([rows] + dims.dropFirst()) * elementBytes }
        var chunk = [hsize_t](repeating: 1, count: dims.count)
        let rank = Int(try site.call("H5Pget_chunk") { H5Pget_chunk(dcpl, Int32(chunk.count), &chunk) })
        guard rank == dims.count, chunk.allSatisfy({ $0 > 0 }) else { throw site.invalid("unexpected chunk shape \(chunk)") }
        let filtered = try site.call("H5Pget_nfilters") { H5Pget_nfilters(dcpl) } > 0
        let chunkRows = Int(chunk[0])
        let chunksPerRowBlock = zip(dims.dropFirst(), chunk.dropFirst()).reduce(1) { $0 * (($1.0 + Int($1.1) - 1) / Int($1.1)) }
        let rowBlocks = (oldRows + rows + chunkRows - 1) / chunkRows - (oldRows + chunkRows - 1) / chunkRows
        // A compressed chunk that is only partly filled is rewritten, and may move, on append.
        let rewritten = filtered && oldRows % chunkRows != 0 ? 1 : 0
        let newChunks = (rowBlocks + rewritten) * chunksPerRowBlock
        let chunkBytes = chunk.reduce(elementBytes) { $0 * Int($1) }
        let storedChunkBytes = filtered ? chunkBytes + chunkBytes / 64 + 256 : chunkBytes
        let heapBytes = variable ? 4096 * rows * elementCount(Array(dims.dropFirst())) : 0
        return newChunks > 0 ? newChunks * storedChunkBytes + chunkIndexGrowth + heapBytes : heapBytes
    }

    /// File space a chunk index can take when it gains entries: a v1 B-tree node is 2–4 KiB
    /// (one more when a node splits), allocated through HDF5's 2 KiB metadata blocks.
    private var chunkIndexGrowth: Int { 8 * 1024 }

    /// Appends strings to an extendable 1-D string dataset.
    public func append(strings: [String]) throws {
        let site = site("append strings")
        let did = try liveID(site)
        let fileType = try site.call("H5Dget_type") { H5Dget_type(did) }
        defer { closeTemporary(fileType) }
        try checkStoredString(fileType, site)
        guard !strings.isEmpty else { return }
        let memType = try makeStringType(site)
        defer { closeTemporary(memType) }
        let selection = try extend(byElements: strings.count, site)
        defer { closeTemporary(selection.fileSpace); closeTemporary(selection.memorySpace) }
        try withStringPointers(strings, site) { address in
            try site.call("H5Dwrite") {
                H5Dwrite(did, memType, selection.memorySpace, selection.fileSpace, geodim_H5P_DEFAULT(), address)
            }
        }
    }

    /// Sets the number of rows of an extendable dataset: fewer drops the last rows (e.g. to
    /// cut a log back to its last checkpoint before resuming); more adds fill-value rows.
    public func setRowCount(_ rows: Int) throws {
        let site = site("set row count to \(rows)")
        let did = try liveID(site)
        guard rows >= 0 else { throw site.invalid("row count must be ≥ 0") }
        var dims = try extent(site).dims
        guard !dims.isEmpty else { throw site.invalid("a scalar dataset has no rows") }
        dims[0] = rows
        let newDims = try extents(dims, site)
        try site.call("H5Dset_extent") { H5Dset_extent(did, newDims) }
    }

    // MARK: Internal

    /// The dataset identifier, or `HDF5Error.closed`.
    func liveID(_ site: CallSite) throws -> hid_t {
        guard isOpen && file.isOpen else { throw site.closed() }
        return id
    }

    func site(_ operation: String) -> CallSite {
        CallSite(file: file.path, object: path, operation: operation)
    }

    private func checkType<T: HDF5Scalar>(_ type: T.Type, _ site: CallSite) throws {
        let did = try liveID(site)
        let fileType = try site.call("H5Dget_type") { H5Dget_type(did) }
        defer { closeTemporary(fileType) }
        try checkStoredType(fileType, is: type, site)
    }

    private func extent(_ site: CallSite) throws -> (dims: [Int], maxDims: [hsize_t]) {
        let did = try liveID(site)
        let space = try site.call("H5Dget_space") { H5Dget_space(did) }
        defer { closeTemporary(space) }
        return try spaceExtents(space, site)
    }

    /// A file-space hyperslab over `rows` and a matching memory space. Caller closes both.
    private func selectRows(_ rows: Range<Int>, _ site: CallSite)
        throws -> (fileSpace: hid_t, memorySpace: hid_t, shape: [Int])
    {
        let did = try liveID(site)
        let fileSpace = try site.call("H5Dget_space") { H5Dget_space(did) }
        do {
            let dims = try spaceExtents(fileSpace, site).dims
            guard let rowTotal = dims.first else { throw site.invalid("a scalar dataset has no rows") }
            guard rows.lowerBound >= 0, rows.upperBound <= rowTotal else {
                throw site.invalid("rows \(rows.lowerBound)..<\(rows.upperBound) outside 0..<\(rowTotal)")
            }
            let shape = [rows.count] + dims.dropFirst()
            let memorySpace = try select(fileSpace, firstRow: rows.lowerBound, shape: shape, site)
            return (fileSpace, memorySpace, shape)
        } catch {
            closeTemporary(fileSpace)
            throw error
        }
    }

    /// Grows axis 0 to take `count` more elements (whole rows) and selects the new rows.
    /// Returns the file space (selection set) and a memory space for the new rows.
    private func extend(byElements count: Int, _ site: CallSite) throws -> (fileSpace: hid_t, memorySpace: hid_t) {
        let did = try liveID(site)
        let (dims, maxDims) = try extent(site)
        guard let oldRows = dims.first, maxDims.first == geodim_H5S_UNLIMITED() else {
            throw site.invalid("dataset is not extendable (create it with createExtendableDataset)")
        }
        let rowShape = Array(dims.dropFirst())
        let rowSize = elementCount(rowShape)
        guard rowSize > 0, count % rowSize == 0 else {
            throw site.invalid("\(count) values are not whole rows of shape \(rowShape)")
        }
        let newRows = count / rowSize
        let newDims = try extents([oldRows + newRows] + rowShape, site)
        try site.call("H5Dset_extent") { H5Dset_extent(did, newDims) }
        let fileSpace = try site.call("H5Dget_space") { H5Dget_space(did) }
        do {
            let memorySpace = try select(fileSpace, firstRow: oldRows, shape: [newRows] + rowShape, site)
            return (fileSpace, memorySpace)
        } catch {
            closeTemporary(fileSpace)
            throw error
        }
    }

    /// Selects `shape` elements starting at row `firstRow` in `fileSpace`; returns a memory
    /// space of that shape.
    private func select(_ fileSpace: hid_t, firstRow: Int, shape: [Int], _ site: CallSite) throws -> hid_t {
        var start = [hsize_t](repeating: 0, count: shape.count)
        start[0] = hsize_t(firstRow)
        let count = try extents(shape, site)
        if count.contains(0) {
            try site.call("H5Sselect_none") { H5Sselect_none(fileSpace) }
        } else {
            try site.call("H5Sselect_hyperslab") {
                H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil)
            }
        }
        return try makeSpace(shape, site)
    }
}

extension HDF5Dataset: AttributeOwner {
    var filePath: String { file.path }
    var attributeObjectPath: String { path }
    func attributeLocation(_ site: CallSite) throws -> hid_t { try liveID(site) }
}
