import CHDF5

// Dimension scales (HDF5 high-level library, H5DS): a 1-D dataset such as /train/step made a
// scale and attached to axis 0 of the datasets it indexes. h5py shows it as
// `ds.dims[0][0]`; HDFView and MATLAB's h5disp list it too. Set scales up before
// `startSWMRWrite()`: attaching writes attributes, which SWMR mode forbids.

extension HDF5Dataset {
    /// Makes this (1-D) dataset a dimension scale, optionally with a name (h5py:
    /// `ds.dims[0][0].attrs["NAME"]`).
    public func makeDimensionScale(name: String? = nil) throws {
        let site = site("make dimension scale")
        let did = try liveID(site)
        if let name {
            try site.call("H5DSset_scale") { H5DSset_scale(did, name) }
        } else {
            try site.call("H5DSset_scale") { H5DSset_scale(did, nil) }
        }
    }

    /// Whether this dataset is a dimension scale.
    public func isDimensionScale() throws -> Bool {
        let site = site("check dimension scale")
        let did = try liveID(site)
        return try site.call("H5DSis_scale") { H5DSis_scale(did) } > 0
    }

    /// Attaches the dimension scale `scale` to axis `axis` of this dataset.
    public func attachDimensionScale(_ scale: HDF5Dataset, axis: Int = 0) throws {
        let site = site("attach dimension scale \(scale.path) to axis \(axis)")
        let did = try liveID(site)
        let sid = try scale.liveID(site)
        let index = try checkedAxis(axis, site)
        guard scale !== self, scale.path != path else { throw site.invalid("a dataset cannot be its own scale") }
        guard try scale.shape.count == 1 else { throw site.invalid("a dimension scale must be 1-D") }
        try site.call("H5DSattach_scale") { H5DSattach_scale(did, sid, index) }
    }

    /// Whether `scale` is attached to axis `axis` of this dataset.
    public func hasDimensionScale(_ scale: HDF5Dataset, axis: Int = 0) throws -> Bool {
        let site = site("check dimension scale \(scale.path) on axis \(axis)")
        let did = try liveID(site)
        let sid = try scale.liveID(site)
        let index = try checkedAxis(axis, site)
        return try site.call("H5DSis_attached") { H5DSis_attached(did, sid, index) } > 0
    }

    /// Labels axis `axis` (h5py: `ds.dims[axis].label`).
    public func setDimensionLabel(_ label: String, axis: Int) throws {
        let site = site("label axis \(axis)")
        let did = try liveID(site)
        let index = try checkedAxis(axis, site)
        try site.call("H5DSset_label") { H5DSset_label(did, index, label) }
    }

    private func checkedAxis(_ axis: Int, _ site: CallSite) throws -> UInt32 {
        let rank = try shape.count
        guard axis >= 0, axis < rank else { throw site.invalid("axis \(axis) outside 0..<\(rank)") }
        return UInt32(axis)
    }
}
