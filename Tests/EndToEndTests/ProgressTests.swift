import Foundation
import Testing
import TestSupport

/// The progress bar of a real run (forced on with GEODIM_PROGRESS=always, since tests have
/// no terminal): it names the step, the loss and each BFD phase; off by default.
@Suite("progress bar, end to end")
struct ProgressTests {
    @Test("the bar shows step and loss while training and each measurement phase at checkpoints")
    func barShowsPhases() throws {
        let scratch = try Scratch("progress")
        var environment = ProcessInfo.processInfo.environment
        environment["GEODIM_PROGRESS"] = "always"
        let run = try runProgram(
            try geodimExecutable(),
            ["train", scratch.configPath, "--run-dir", scratch.runs + "/run", "bfd.exact=true", "training.epochs=2",
             "checkpoints.every=1"] + scratch.placement,
            directory: packageRoot().path, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let frames = run.stderr.components(separatedBy: "\r").filter { $0.contains("| ep ") }
        #expect(frames.contains { $0.contains("step ") && $0.contains("/19 · loss ") }, "\(frames.prefix(5))")   // 600 / 32 → 19 steps
        for phase in ["BFD train 1/6", "BFD train exact 2/6", "BFD test 3/6", "BFD test exact 4/6", "BFD random 5/6", "BFD random exact 6/6"] {
            #expect(frames.contains { $0.contains(phase) }, "no frame with \(phase): \(frames.filter { $0.contains("BFD") }.prefix(8))")
        }
        // Not a terminal and not forced: no bar, stderr stays empty for a clean run.
        let quiet = try scratch.geodim(["train", scratch.configPath, "--run-dir", scratch.runs + "/quiet", "training.epochs=1"] + scratch.placement)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
    }
}
