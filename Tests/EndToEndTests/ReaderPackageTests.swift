import Foundation
import Testing
import TestSupport

/// python/geodim_log: open_run, checkpoints_frame and sweep_frame, each checked against
/// h5py's raw values of the logs they read.
@Suite("Python reader package", .serialized)
struct ReaderPackageTests {
    private let runScript = #"""
        import sys, h5py, numpy as np, geodim_log
        log = sys.argv[1]
        assert geodim_log.__file__.replace("\\", "/").endswith("python/geodim_log/__init__.py"), geodim_log.__file__
        tree = geodim_log.open_run(log)
        frame = geodim_log.checkpoints_frame(log)
        with h5py.File(log, "r") as f:
            k = len(f["checkpoints/step"])
            assert np.array_equal(tree["checkpoints"].dataset["step"].values, f["checkpoints/step"][:])
            for name, g in f["checkpoints/bfd"].items():
                node = tree["checkpoints/bfd/" + name].dataset
                assert np.array_equal(node["rank"].values, g["rank"][:]), name
                if "spectrum" in g:
                    assert np.array_equal(node["spectrum"].values, g["spectrum"][:], equal_nan=True), name
            assert len(frame) == k * len(f["checkpoints/bfd"]), (len(frame), k)
            for name, g in f["checkpoints/bfd"].items():
                rows = frame[frame.series == name].sort_values("checkpoint")
                assert list(rows.step) == list(f["checkpoints/step"][:k])
                assert (rows.source == g.attrs["source"]).all() and (rows.output == g.attrs["output"]).all()
                for c in ["rank", "rank_numpy", "rank_gap", "rank_relative", "upper_bound", "clear", "gap_ratio", "floor", "rank_exact"]:
                    raw = g[c][:k]
                    got = rows[c].to_numpy()
                    assert np.array_equal(got.astype(raw.dtype), raw, equal_nan=raw.dtype.kind == "f"), (name, c)
        print("OK", k, len(frame))
        """#

    private let sweepScript = #"""
        import sys, json, os, h5py, numpy as np, geodim_log
        sweep = sys.argv[1]
        frame = geodim_log.sweep_frame(sweep)
        index = json.load(open(os.path.join(sweep, "sweep.json")))
        total = 0
        for point in index["points"]:
            log = os.path.join(sweep, point["directory"], "log.h5")
            rows = frame[frame.point == point["index"]]
            for key, value in point["values"].items():
                assert (rows[key] == value).all(), (key, value)
            with h5py.File(log, "r") as f:
                k = len(f["checkpoints/step"])
                assert len(rows) == k * len(f["checkpoints/bfd"])
                for name, g in f["checkpoints/bfd"].items():
                    part = rows[rows.series == name].sort_values("checkpoint")
                    assert np.array_equal(part["rank"].to_numpy(), g["rank"][:k]), (point["index"], name)
                    assert np.array_equal(part["step"].to_numpy(), f["checkpoints/step"][:k])
            total += len(rows)
        assert total == len(frame) and total > 0
        print("OK", len(frame))
        """#

    @Test("open_run and checkpoints_frame equal h5py's values")
    func runReaders() throws {
        let scratch = try Scratch("reader-package")
        let directory = scratch.runs + "/run"
        let trained = try scratch.geodim(["train", scratch.configPath, "--run-dir", directory, "bfd.exact=true"] + scratch.placement)
        #expect(trained.status == 0, "\(trained.stderr)")
        let check = try runPython(script: runScript, arguments: [directory + "/log.h5"])
        #expect(check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")
    }

    @Test("sweep_frame: one row per point x checkpoint x series, swept values as columns")
    func sweepReader() throws {
        let config = runnerConfig.replacingOccurrences(of: "  epochs: 4", with: "  epochs: 2") + "\nsweep:\n  seed: [0, 1]\n"
        let scratch = try Scratch("reader-package-sweep", config: config)
        let swept = try scratch.geodim(["sweep", scratch.configPath] + scratch.placement)
        #expect(swept.status == 0, "\(swept.stderr)")
        let list = try FileManager.default.contentsOfDirectory(atPath: scratch.runs + "/runner")
        let directory = try #require(list.first { $0.hasPrefix("sweep-") }.map { scratch.runs + "/runner/" + $0 })
        let check = try runPython(script: sweepScript, arguments: [directory])
        #expect(check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")
    }
}
