import Foundation
import Testing
import TestSupport

/// Whether matplotlib is installed (`bash scripts/setup.sh --plots`); the plotting test needs it.
private let matplotlibAvailable: Bool = {
    (try? runProgram("/usr/bin/env", ["python3", "-c", "import matplotlib, h5py"]))?.status == 0
}()

/// scripts/plot_run.py draws figures from a real log and a real sweep.
@Suite("plot_run.py", .serialized, .enabled(if: matplotlibAvailable, "needs matplotlib: bash scripts/setup.sh --plots"))
struct PlotTests {
    private func isPNG(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), data.count > 10_000 else { return false }
        return Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    }

    @Test("one run, several runs, and a sweep")
    func plotsRunsAndSweeps() throws {
        let sweep = runnerConfig + "\nsweep:\n  model.hidden: [[2], [8]]\n  seed: [1, 2]\n"
        let scratch = try Scratch("plot", config: sweep)
        let run = try scratch.geodim(["sweep", scratch.configPath] + scratch.placement)
        #expect(run.status == 0, "\(run.stderr)")
        let list = try scratch.geodim(["sweep", scratch.configPath, "--list"] + scratch.placement)
        let sweepDirectory = try #require(list.stdout.split(separator: "\n").first?.components(separatedBy: ", in ").last)
        let script = packageRoot().path + "/scripts/plot_run.py"
        let cases: [([String], String)] = [
            ([sweepDirectory + "/point-000/log.h5"], "one.png"),
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
        let bad = try runProgram("/usr/bin/env", ["python3", script, scratch.configPath, "-o", scratch.path + "/x.png"])
        #expect(bad.status != 0)
    }
}
