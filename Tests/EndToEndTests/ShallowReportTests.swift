import Foundation
import Testing
import TestSupport

private let reportToolsAvailable: Bool = {
    (try? runProgram("/usr/bin/env", ["python3", "-c", "import matplotlib, h5py, scipy"]))?.status == 0
}()

/// The smoke test of `make shallow`: `scripts/shallow_report.py --quick` runs both experiments
/// at reduced size (18 runs, seconds on two cores), checks the bound in every run and fits the
/// spline slope; and plot_run.py draws a 1-D run's function.
@Suite("shallow_report.py --quick and plot_run.py on 1-D logs", .serialized,
       .enabled(if: reportToolsAvailable, "needs matplotlib and scipy: bash scripts/setup.sh --plots"))
struct ShallowReportTests {
    @Test("both experiments run; the bound holds in every checkpoint; the network approaches the spline")
    func quickReport() throws {
        let output = try makeTemporaryDirectory("shallow-report")
        let run = try runProgram(
            "/usr/bin/env", ["python3", "scripts/shallow_report.py", "--quick", "--output", output],
            directory: packageRoot().path)
        #expect(run.status == 0, "shallow_report.py failed: \(run.stderr)")
        for name in ["regions", "heiss"] {
            let data = FileManager.default.contents(atPath: "\(output)/report/\(name).png") ?? Data()
            #expect(Array(data.prefix(4)) == [0x89, 0x50, 0x4E, 0x47] && data.count > 10_000, "\(name).png")
        }
        let report = try String(contentsOfFile: output + "/report/shallow.md", encoding: .utf8)
        #expect(report.contains("## Verdicts") && report.contains("Wall time"))
        let stateData = try #require(FileManager.default.contents(atPath: output + "/report/shallow-state.json"))
        let state = try #require(try JSONSerialization.jsonObject(with: stateData) as? [String: Any])
        let regions = try #require(state["regions"] as? [String: Any])
        let heiss = try #require(state["heiss"] as? [String: Any])
        // 2 optimisers × 2 sizes × 3 seeds, 5 checkpoints each.
        #expect(regions["runs"] as? Int == 12 && regions["checks"] as? Int == 60, "\(regions)")
        #expect(regions["violations"] as? Int == 0, "rank > 2 × regions: \(regions)")
        #expect(regions["exact_vs_float64_disagreements"] as? Int == 0, "\(regions)")
        // Trained to the ridge minimiser, and closer to the spline at every tenfold width.
        #expect((heiss["max_optimisation_error"] as? Double ?? 1) < 1e-6, "\(heiss)")
        let slope = heiss["slope"] as? Double ?? 0
        #expect(slope < -0.3 && slope > -1.0, "log-log slope \(slope)")
        let median = try #require(heiss["median_sup"] as? [String: Double])
        #expect((median["10"] ?? 0) > (median["100"] ?? 1) && (median["100"] ?? 0) > (median["1000"] ?? 1), "\(median)")

        // plot_run.py on one of these 1-D logs: the figure, and the function it draws is the
        // trained network (its half MSE on the logged test grid is the logged test loss).
        let log = output + "/runs/regions/adam-n50-s0/log.h5"
        let png = output + "/function.png"
        let plot = try runProgram(
            "/usr/bin/env", ["python3", "scripts/plot_run.py", log, "-o", png], directory: packageRoot().path)
        #expect(plot.status == 0, "plot_run.py: \(plot.stderr)")
        let image = FileManager.default.contents(atPath: png) ?? Data()
        #expect(Array(image.prefix(4)) == [0x89, 0x50, 0x4E, 0x47] && image.count > 20_000)
        let check = try runPython(script: """
            import sys, importlib.util, h5py, numpy as np
            spec = importlib.util.spec_from_file_location("plot_run", sys.argv[2] + "/scripts/plot_run.py")
            plot_run = importlib.util.module_from_spec(spec); spec.loader.exec_module(plot_run)
            d = plot_run.function_data(sys.argv[1])
            f = h5py.File(sys.argv[1], "r")
            half_mse = 0.5 * np.mean((np.interp(d["test_x"], d["grid"], d["last"]) - d["test_y"]) ** 2)
            logged = f["checkpoints/test_loss"][-1]
            w = f["params/layer0/weight"][-1][:, 0]; b = f["params/layer0/bias"][-1]
            kinks = (-b / w)[(w != 0)]
            inside = np.sort(kinks[(kinks >= -1) & (kinks <= 1)])
            print(abs(half_mse - logged) / logged < 0.02, np.allclose(np.sort(d["kinks"]), inside),
                  d["spline"] is not None, half_mse, logged)
            """, arguments: [log, packageRoot().path])
        #expect(check.stdout.hasPrefix("True True True"), "\(check.stdout)\(check.stderr)")
    }
}
