import Foundation
import Testing
import TestSupport

/// Format version 2: a real run's log (exact BFD, CFFD, parameters, neuron statistics, so
/// every group exists) opens whole in xarray with both netCDF engines, each variable equal to
/// h5py's values, and `ncdump -h` reads its header.
@Suite("netCDF and xarray readers", .serialized)
struct NetCDFReadersTests {
    /// Opens argv[1] with xr.open_datatree under engine argv[2] and compares every variable of
    /// every group with h5py's raw dataset.
    private let compareScript = #"""
        import sys, h5py, numpy as np, xarray as xr
        log, engine = sys.argv[1], sys.argv[2]
        tree = xr.open_datatree(log, engine=engine, decode_times=False, mask_and_scale=False)
        compared, groups = 0, 0
        with h5py.File(log, "r") as f:
            paths = ["/"]
            f.visititems(lambda name, obj: paths.append("/" + name) if isinstance(obj, h5py.Group) else None)
            for path in paths:
                node = tree[path] if path != "/" else tree
                groups += 1
                for name, d in (f[path].items() if path != "/" else f.items()):
                    if not isinstance(d, h5py.Dataset):
                        continue
                    assert name in node.dataset.variables, (engine, path, name)
                    got = node.dataset.variables[name].values
                    raw = d[()]
                    if d.dtype.kind in "OS":
                        raw = np.array(d.asstr()[()], dtype=object)
                        got = np.array(got, dtype=object)
                        assert raw.shape == got.shape and all(str(a) == str(b) for a, b in zip(raw.ravel(), got.ravel())), (path, name)
                    else:
                        assert raw.shape == got.shape, (engine, path, name, raw.shape, got.shape)
                        assert np.array_equal(raw, got, equal_nan=raw.dtype.kind == "f"), (engine, path, name)
                    compared += 1
        assert "bfd" in tree["checkpoints"].children and "cffd" in tree["checkpoints"].children and "params" in tree.children
        print("OK", engine, groups, compared)
        """#

    @Test("open_datatree (h5netcdf, netcdf4) reads every group as h5py does; ncdump -h exits 0")
    func everyGroupOpens() throws {
        let scratch = try Scratch("netcdf-readers")
        let directory = scratch.runs + "/run"
        let trained = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", directory, "bfd.exact=true", "bfd.cffd=true", "logging.save_params=true"]
                + scratch.placement)
        #expect(trained.status == 0, "\(trained.stderr)")
        let log = directory + "/log.h5"
        for engine in ["h5netcdf", "netcdf4"] {
            let check = try runPython(script: compareScript, arguments: [log, engine])
            #expect(check.stdout.hasPrefix("OK"), "\(engine): \(check.stdout)\(check.stderr)")
        }
        let dump = try runProgram("/usr/bin/env", ["ncdump", "-h", log])
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.contains("sv_index") && dump.stdout.contains("group: params"), "\(dump.stdout.prefix(400))")
    }
}
