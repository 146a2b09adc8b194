import CHDF5

// Creating datasets. Missing intermediate groups on a dataset's path are created.

/// Bytes aimed at per chunk of an extendable dataset when the caller gives no row count:
/// small enough not to waste space on short logs, large enough to keep the chunk index small.
private let targetChunkBytes = 16 * 1024
/// Largest chunk chosen for a compressed fixed-shape dataset.
private let maxFixedChunkBytes = 1024 * 1024

extension HDF5Group {
    /// Creates a fixed-shape numeric dataset and writes `values` into it.
    ///
    /// - Parameters:
    ///   - values: the elements in row-major (C) order.
    ///   - shape: the dataset's shape; nil means 1-D `[values.count]`, `[]` a scalar. Its
    ///     product must equal `values.count`.
    ///   - compression: deflate level 0–9 (with the shuffle filter), or nil for none. Ignored
    ///     for scalars and empty datasets, which cannot be chunked.
    @discardableResult
    public func createDataset<T: HDF5Scalar>(
        _ path: String, values: [T], shape: [Int]? = nil, compression: Int? = nil
    ) throws -> HDF5Dataset {
        let site = site("create dataset", path)
        let shape = shape ?? [values.count]
        let dims = try extents(shape, site)
        guard elementCount(shape) == values.count else {
            throw site.invalid("\(values.count) values do not fill shape \(shape)")
        }
        let memType = try T.memoryType(site)
        let dcpl = try site.call("H5Pcreate") { H5Pcreate(geodim_H5P_DATASET_CREATE()) }
        defer { closeTemporary(dcpl) }
        if let level = compression, !shape.isEmpty, !shape.contains(0) {
            let chunk = fixedChunk(dims, elementBytes: T.hdf5ElementType.byteCount)
            try setChunking(dcpl, chunk: chunk, compression: level, site)
        } else if let level = compression {
            try checkLevel(level, site)
        }
        let space = try makeSpace(shape, site)
        defer { closeTemporary(space) }
        let dataset = try makeDataset(path, fileType: memType, space: space, dcpl: dcpl, site)
        try values.withUnsafeBytes { raw in
            guard let address = raw.baseAddress, !values.isEmpty else { return }
            let did = try dataset.liveID(site)
            try site.call("H5Dwrite") {
                H5Dwrite(did, memType, geodim_H5S_ALL(), geodim_H5S_ALL(), geodim_H5P_DEFAULT(), address)
            }
        }
        return dataset
    }

    /// Creates a dataset growing along axis 0: shape `[0] + rowShape`, unlimited along axis
    /// 0, chunked. Add rows with `HDF5Dataset.append(rows:)`.
    ///
    /// - Parameters:
    ///   - rowShape: the shape of one row (`[]` for one number per row); sizes must be > 0.
    ///   - chunkRows: rows per chunk; by default about 16 KiB of rows, at least one row.
    ///   - compression: deflate level 0–9 (with the shuffle filter), or nil for none.
    ///   - fillValue: the value HDF5 reports for never-written elements (h5py's
    ///     `ds.fillvalue`), e.g. `.nan` for padded spectra; nil keeps HDF5's default of 0.
    @discardableResult
    public func createExtendableDataset<T: HDF5Scalar>(
        _ path: String, of type: T.Type, rowShape: [Int] = [], chunkRows: Int? = nil,
        compression: Int? = nil, fillValue: T? = nil
    ) throws -> HDF5Dataset {
        let site = site("create dataset", path)
        let memType = try T.memoryType(site)
        let dcpl = try extendableCreationList(
            rowShape: rowShape, elementBytes: T.hdf5ElementType.byteCount, chunkRows: chunkRows,
            compression: compression, site)
        defer { closeTemporary(dcpl) }
        if var fill = fillValue {
            try withUnsafeBytes(of: &fill) { raw in
                guard let address = raw.baseAddress else { return }
                try site.call("H5Pset_fill_value") { H5Pset_fill_value(dcpl, memType, address) }
            }
        }
        let space = try makeSpace(
            [0] + rowShape, maxDims: [geodim_H5S_UNLIMITED()] + (try extents(rowShape, site)), site)
        defer { closeTemporary(space) }
        return try makeDataset(path, fileType: memType, space: space, dcpl: dcpl, site)
    }

    /// Creates a scalar string dataset (variable-length UTF-8).
    ///
    /// h5py ≥ 3 returns string *datasets* as `bytes` from `ds[()]` and as `str` from
    /// `ds.asstr()[()]` (the dtype records UTF-8); string *attributes* come back as `str`.
    @discardableResult
    public func createStringDataset(_ path: String, value: String) throws -> HDF5Dataset {
        try createStrings(path, values: [value], shape: [])
    }

    /// Creates a 1-D string dataset (variable-length UTF-8).
    @discardableResult
    public func createStringDataset(_ path: String, values: [String]) throws -> HDF5Dataset {
        try createStrings(path, values: values, shape: [values.count])
    }

    /// Creates a 1-D variable-length UTF-8 string dataset growing along axis 0; add strings
    /// with `HDF5Dataset.append(strings:)`.
    @discardableResult
    public func createExtendableStringDataset(_ path: String, chunkRows: Int? = nil) throws -> HDF5Dataset {
        let site = site("create dataset", path)
        let type = try makeStringType(site)
        defer { closeTemporary(type) }
        let dcpl = try extendableCreationList(
            rowShape: [], elementBytes: HDF5ElementType.string.byteCount, chunkRows: chunkRows,
            compression: nil, site)
        defer { closeTemporary(dcpl) }
        let space = try makeSpace([0], maxDims: [geodim_H5S_UNLIMITED()], site)
        defer { closeTemporary(space) }
        return try makeDataset(path, fileType: type, space: space, dcpl: dcpl, site)
    }

    // MARK: Implementation

    private func createStrings(_ path: String, values: [String], shape: [Int]) throws -> HDF5Dataset {
        let site = site("create dataset", path)
        let type = try makeStringType(site)
        defer { closeTemporary(type) }
        let space = try makeSpace(shape, site)
        defer { closeTemporary(space) }
        let dataset = try makeDataset(path, fileType: type, space: space, dcpl: geodim_H5P_DEFAULT(), site)
        if !values.isEmpty {
            let did = try dataset.liveID(site)
            try withStringPointers(values, site) { address in
                try site.call("H5Dwrite") {
                    H5Dwrite(did, type, geodim_H5S_ALL(), geodim_H5S_ALL(), geodim_H5P_DEFAULT(), address)
                }
            }
        }
        return dataset
    }

    private func makeDataset(
        _ path: String, fileType: hid_t, space: hid_t, dcpl: hid_t, _ site: CallSite
    ) throws -> HDF5Dataset {
        let location = try liveID(site)
        guard !path.isEmpty else { throw site.invalid("empty dataset path") }
        guard try !exists(path) else { throw site.exists(site.object) }
        let lcpl = try intermediateGroupsList(site)
        defer { closeTemporary(lcpl) }
        let did = try site.call("H5Dcreate2") {
            H5Dcreate2(location, path, fileType, space, lcpl, dcpl, geodim_H5P_DEFAULT())
        }
        return HDF5Dataset(file: file, id: did, path: site.object)
    }

    private func extendableCreationList(
        rowShape: [Int], elementBytes: Int, chunkRows: Int?, compression: Int?, _ site: CallSite
    ) throws -> hid_t {
        guard rowShape.allSatisfy({ $0 > 0 }) else {
            throw site.invalid("row shape \(rowShape) must have sizes > 0")
        }
        let rowBytes = max(1, elementCount(rowShape) * elementBytes)
        let rows = chunkRows ?? max(1, min(65_536, targetChunkBytes / rowBytes))
        guard rows > 0 else { throw site.invalid("chunkRows must be > 0, got \(rows)") }
        let dcpl = try site.call("H5Pcreate") { H5Pcreate(geodim_H5P_DATASET_CREATE()) }
        do {
            try setChunking(dcpl, chunk: [hsize_t(rows)] + rowShape.map { hsize_t($0) }, compression: compression, site)
        } catch {
            closeTemporary(dcpl)
            throw error
        }
        return dcpl
    }

    private func setChunking(_ dcpl: hid_t, chunk: [hsize_t], compression: Int?, _ site: CallSite) throws {
        try site.call("H5Pset_chunk") { H5Pset_chunk(dcpl, Int32(chunk.count), chunk) }
        if let level = compression {
            try checkLevel(level, site)
            try site.call("H5Pset_shuffle") { H5Pset_shuffle(dcpl) }
            try site.call("H5Pset_deflate") { H5Pset_deflate(dcpl, UInt32(level)) }
        }
    }

    private func checkLevel(_ level: Int, _ site: CallSite) throws {
        guard (0...9).contains(level) else { throw site.invalid("compression level must be 0–9, got \(level)") }
    }

    /// A chunk for a fixed shape: the whole shape, halving the largest dimension until the
    /// chunk holds at most 1 MiB.
    private func fixedChunk(_ dims: [hsize_t], elementBytes: Int) -> [hsize_t] {
        var chunk = dims.map { max($0, 1) }
        while chunk.reduce(hsize_t(elementBytes), *) > hsize_t(maxFixedChunkBytes) {
            guard let largest = chunk.indices.max(by: { chunk[$0] < chunk[$1] }), chunk[largest] > 1 else { break }
            chunk[largest] = (chunk[largest] + 1) / 2
        }
        return chunk
    }
}
