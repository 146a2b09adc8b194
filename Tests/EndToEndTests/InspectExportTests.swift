import Foundation
import Testing
import TestSupport

/// `geodim inspect --json` / `--csv` and `geodim sweep --summary --json`, each checked
/// against the log itself as h5py reads it: every column of every checkpoint and series.
@Suite("machine-readable summaries", .serialized)
struct InspectExportTests {
    /// Compares the export in the file argv[3] (of kind argv[2], json or csv) with the log at
    /// argv[1], cell by cell.
    private let compareScript = #"""
        import sys, json, csv, io, math, h5py, numpy as np
        log, kind, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
        def same(a, b):
            if isinstance(a, str):   # "inf", "-inf", "nan" (JSON) or any CSV cell
                a = float(a)
            a, b = float(a), float(b)
            return (math.isnan(a) and math.isnan(b)) or a == b
        with h5py.File(log, "r") as f:
            k = len(f["checkpoints/step"])
            fixed = ["epoch", "step", "wall_time_s", "train_loss", "train_accuracy", "test_loss", "test_accuracy"]
            groups = {name: g for name, g in f["checkpoints/bfd"].items()}
            columns = {name: [c for c, d in g.items() if isinstance(d, h5py.Dataset) and d.ndim == 1 and d.dtype.kind in "iuf" and d.attrs.get("CLASS") != b"DIMENSION_SCALE"]
                       for name, g in groups.items()}
            cells = 0
            if kind == "json":
                doc = json.loads(text)
                assert doc["status"] == f.attrs["status"] and len(doc["checkpoints"]) == k, (doc["status"], len(doc["checkpoints"]), k)
                assert doc["config_yaml"] == f["meta/config_yaml"][()].decode()
                for row, checkpoint in enumerate(doc["checkpoints"]):
                    for c in fixed:
                        assert same(checkpoint[c], f["checkpoints/" + c][row]), (row, c)
                        cells += 1
                    assert set(checkpoint["bfd"]) == set(groups), (set(checkpoint["bfd"]), set(groups))
                    for name, g in groups.items():
                        entry = checkpoint["bfd"][name]
                        assert entry["row_cap"] == g.attrs["row_cap"] and entry["source"] == g.attrs["source"]
                        assert set(columns[name]) <= set(entry), (name, set(columns[name]) - set(entry))
                        for c in columns[name]:
                            assert same(entry[c], g[c][row]), (row, name, c, entry[c], g[c][row])
                            cells += 1
            else:
                rows = list(csv.DictReader(io.StringIO(text)))
                assert len(rows) == k * len(groups), (len(rows), k, len(groups))
                for i, r in enumerate(rows):
                    row, name = i // len(groups), r["series"]
                    g = groups[name]
                    for c in fixed:
                        assert same(r[c], f["checkpoints/" + c][row]), (row, c)
                        cells += 1
                    for c in columns[name]:
                        assert same(r[c], g[c][row]), (row, name, c, r[c], g[c][row])
                        cells += 1
            print("OK", k, len(groups), cells)
        """#

    @Test("inspect --json and --csv hold every column of the log, cell for cell")
    func inspectExports() throws {
        let scratch = try Scratch("inspect-export")
        let directory = scratch.runs + "/run"
        let trained = try scratch.geodim(["train", scratch.configPath, "--run-dir", directory, "bfd.exact=true"] + scratch.placement)
        #expect(trained.status == 0, "\(trained.stderr)")
        for kind in ["json", "csv"] {
            let export = try scratch.geodim(["inspect", directory, "--" + kind])
            #expect(export.status == 0 && export.stderr.isEmpty, "\(export.stderr)")
            let exported = scratch.path + "/export." + kind
            try export.stdout.write(toFile: exported, atomically: true, encoding: .utf8)
            let check = try runPython(script: compareScript, arguments: [directory + "/log.h5", kind, exported])
            #expect(check.stdout.hasPrefix("OK"), "\(kind): \(check.stdout)\(check.stderr)")
        }
        let both = try scratch.geodim(["inspect", directory, "--json", "--csv"])
        #expect(both.status == 64 && both.stderr.split(separator: "\n").count == 1, "\(both.stderr)")
    }

    @Test("sweep --summary --json: each point's status and last checkpoint, as the logs hold them")
    func sweepSummaryJSON() throws {
        let config = runnerConfig.replacingOccurrences(of: "  epochs: 4", with: "  epochs: 2") + "\nsweep:\n  seed: [0, 1, 2]\n"
        let scratch = try Scratch("sweep-summary-json", config: config)
        let one = try scratch.geodim(["sweep", scratch.configPath, "--index", "1"] + scratch.placement)
        #expect(one.status == 0, "\(one.stderr)")
        let summary = try scratch.geodim(["sweep", scratch.configPath, "--summary", "--json"] + scratch.placement)
        #expect(summary.status == 0, "\(summary.stderr)")
        let exported = scratch.path + "/summary.json"
        try summary.stdout.write(toFile: exported, atomically: true, encoding: .utf8)
        let check = try runPython(script: #"""
            import sys, json, h5py
            points = json.loads(open(sys.argv[1]).read())
            assert [p["index"] for p in points] == [0, 1, 2], points
            assert [p["status"] for p in points] == ["pending", "completed", "pending"], [p["status"] for p in points]
            assert "last_checkpoint" not in points[0] and points[1]["values"] == {"seed": 1}
            last = points[1]["last_checkpoint"]
            with h5py.File(points[1]["directory"] + "/log.h5", "r") as f:
                k = len(f["checkpoints/step"])
                assert last["epoch"] == f["checkpoints/epoch"][k - 1] and last["test_accuracy"] == f["checkpoints/test_accuracy"][k - 1]
                for name, g in f["checkpoints/bfd"].items():
                    assert last["bfd"][name]["rank"] == g["rank"][k - 1] and last["bfd"][name]["upper_bound"] == g["upper_bound"][k - 1]
            print("OK")
            """#, arguments: [exported])
        #expect(check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")
    }
}
