import HDF5

// Format version 2: every axis of every dataset has a named dimension scale in the dataset's
// own group or an ancestor, so netCDF-4 readers (netCDF-C, ncdump, h5netcdf, xarray's
// open_datatree) see a dimension on each axis. Fixed axes get an index coordinate 0..<n
// (`sv_index`, `layer`, `slot`, `neuron`, …); /params, a sibling of /checkpoints, keeps its
// own copy of the checkpoint steps in /params/step.

extension RunLogWriter {
    /// The index coordinates of a BFD group (not per-checkpoint columns).
    static let bfdIndexScales: Set<String> = ["sv_index", "prime_slot"]

    /// Creates `name` in `group` as a 1-D int64 coordinate 0..<count (plus `first`) and makes
    /// it a dimension scale named `name`.
    static func indexScale(
        _ name: String, in group: HDF5Group, count: Int, first: Int64 = 0, description: String
    ) throws -> HDF5Dataset {
        let values = (0..<max(0, count)).map { first + Int64($0) }
        let scale = try group.createDataset(name, values: values)
        try describe(scale, description)
        try scale.makeDimensionScale(name: name)
        return scale
    }

    /// Attaches `scales[i]` to axis `i + 1` of each dataset (axis 0 is the step axis).
    static func attachTrailing(_ scales: [HDF5Dataset], to datasets: [HDF5Dataset]) throws {
        for dataset in datasets {
            for (offset, scale) in scales.enumerated() { try dataset.attachDimensionScale(scale, axis: offset + 1) }
        }
    }
}
