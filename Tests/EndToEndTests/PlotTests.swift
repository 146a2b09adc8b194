import Foundation
import Testing
import TestSupport

/// scripts/plot_run.py draws figures from a real log and a real sweep.
@Suite("plot_run.py", .serialized, .enabled(if: matplotlibAvailable, "needs matplotlib: bash scripts/setup.sh --plots"))
struct PlotTests {
    private func isPNG(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), data.count > 10_000 else { return false }
        return Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    }

    /// Checks the figures' data and labels against the logs as h5py reads them: argv[1] the
    /// sweep directory, argv[2] a scratch directory, argv[3] the config's name.
    private let figureCheck = #"""
        import sys, json, h5py, numpy as np
        import plot_run, geodim_log
        sweep_dir = sys.argv[1]
        sweep = geodim_log.read_sweep(sweep_dir)
        point = sweep.points[-1]
        path = point.log_path
        log = geodim_log.read_run(path, params=False, inputs=False)
        checked = 0
        with h5py.File(path, "r") as f:
            k = len(f["checkpoints/step"])
            g = f["checkpoints/bfd/test_centred"]
            data = plot_run.evidence_data(log, "test", "centred", tolerances=[1e-12, 1e-6, 1e-2])
            assert len(data["relative_spectra"]) == k
            for row in range(k):
                s = g["spectrum"][row]; s = s[~np.isnan(s)]
                assert np.array_equal(data["relative_spectra"][row], s / s[0]), row
                assert [int((s / s[0] > t).sum()) for t in (1e-12, 1e-6, 1e-2)] == list(data["rank_at_tolerance"][row])
                assert data["rank"][row] == g["rank"][row] and data["floor"][row] == g["floor"][row]
                assert np.array_equal(data["dead"][row], f["checkpoints/neurons/test/dead"][row])
                checked += 1
            fig = plot_run.plot_evidence(log, "centred", sys.argv[2] + "/evidence-check.png")
            titles = [ax.get_title() for ax in fig.axes]
            for words in ("singular spectrum", "rank against tolerance", "gap ratio", "dead neurons"):
                assert any(words in t for t in titles), (words, titles)
            spectrum_axis = next(ax for ax in fig.axes if "singular spectrum" in ax.get_title())
            drawn = [l for l in spectrum_axis.get_lines() if len(l.get_ydata()) > 1 and l.get_label().startswith("epoch")]
            assert len(drawn) == k
            for row, line in enumerate(drawn):
                s = g["spectrum"][row]; s = s[~np.isnan(s)]
                assert np.allclose(line.get_ydata(), np.maximum(s / s[0], 1e-18), rtol=0, atol=0), row
            dead_axis = next(ax for ax in fig.axes if "dead neurons" in ax.get_title())
            layers = f["checkpoints/neurons/test/dead"].shape[1]
            assert len(dead_axis.get_lines()) == layers * len(f["checkpoints/neurons"]), len(dead_axis.get_lines())
            suptitle = fig._suptitle.get_text()
            for piece in (sys.argv[3], "sgd", "lr 0.05", f["meta"].attrs["architecture"]):
                assert piece in suptitle, (piece, suptitle)

        # The overlay: one colour per run in every BFD panel.
        logs = [geodim_log.read_run(p.log_path, spectra=False, params=False, inputs=False) for p in sweep.points]
        fig = plot_run.plot_runs(logs, ["logits"], sys.argv[2] + "/overlay-check.png")
        colours = {tuple(l.get_color()) if not isinstance(l.get_color(), str) else l.get_color()
                   for l in fig.axes[0].get_lines() if l.get_color() != "grey"}
        assert len(colours) == len(logs), colours
        assert len(fig.axes[0].get_legend().get_texts()) <= len(logs) + 3

        # The sweep with --key seed: a line per model.hidden, each point its own log's last rank and clear flag.
        key, hue_keys, output, x_order, numbers, lines, accuracy = plot_run.sweep_data(sweep, "seed", "logits")
        assert hue_keys == ["model.hidden"] and key == "seed", hue_keys
        assert len(lines) == 2 * 3, len(lines)
        for line in lines:
            for position, mean, clear in zip(line["x"], line["mean"], line["clear"]):
                seed = x_order[position][1]
                match = [p for p in sweep.points if p.values["seed"] == seed and f"model.hidden={json.dumps(p.values['model.hidden'])}" == line["hue"]]
                assert len(match) == 1
                with h5py.File(match[0].log_path, "r") as f:
                    g = f[f"checkpoints/bfd/{line['source']}_logits"]
                    k = len(f["checkpoints/step"])
                    assert mean == g["rank"][k - 1] and clear == bool(g["clear"][k - 1]), (line, seed)
                    checked += 1
        fig = plot_run.plot_sweep(sweep, "seed", "logits", sys.argv[2] + "/sweep-check.png")
        labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert "clear gap" in labels and "no clear gap" in labels, labels
        print("OK", checked)
        """#

    @Test("one run, several runs, and a sweep")
    func plotsRunsAndSweeps() throws {
        let sweep = runnerConfig.replacingOccurrences(of: "bfd:\n", with: "bfd:\n  spectrum: true\n") + "\nsweep:\n  model.hidden: [[2], [8]]\n  seed: [1, 2]\n"
        let scratch = try Scratch("plot", config: sweep)
        let run = try scratch.geodim(["sweep", scratch.configPath] + scratch.placement)
        #expect(run.status == 0, "\(run.stderr)")
        let list = try scratch.geodim(["sweep", scratch.configPath, "--list"] + scratch.placement)
        let sweepDirectory = try #require(list.stdout.split(separator: "\n").first?.components(separatedBy: ", in ").last)
        let script = packageRoot().path + "/scripts/plot_run.py"
        let cases: [([String], String)] = [
            ([sweepDirectory + "/point-000/log.h5"], "one.png"),
            ([sweepDirectory + "/point-003", "--evidence", scratch.path + "/evidence.png"], "one-more.png"),
            ([sweepDirectory, "--key", "seed", "--hue", "model.hidden"], "hue.png"),
            ([sweepDirectory + "/point-000", sweepDirectory + "/point-003"], "two.png"),
            ([sweepDirectory], "sweep.png"),
            ([sweepDirectory + "/sweep.json", "--key", "seed", "--bfd-output", "logits"], "seed.png"),
        ]
        for (inputs, name) in cases {
            let out = scratch.path + "/" + name
            let result = try runProgram("/usr/bin/env", ["python3", script] + inputs + ["-o", out])
            #expect(result.status == 0, "\(inputs): \(result.stderr)")
            #expect(isPNG(out), "\(name) is not a PNG")
        }
        #expect(isPNG(scratch.path + "/evidence.png"), "evidence.png is not a PNG")
        let check = try runPython(script: figureCheck, arguments: [sweepDirectory, scratch.path, "runner"])
        #expect(check.status == 0 && check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")
        let bad = try runProgram("/usr/bin/env", ["python3", script, scratch.configPath, "-o", scratch.path + "/x.png"])
        #expect(bad.status != 0)
    }
}
