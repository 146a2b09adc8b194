import Foundation
import Testing
import TestSupport

/// SIGINT, SIGTERM, SIGHUP, SIGQUIT and kill -9 against running trainings.
@Suite("interrupts and kill -9", .serialized)
struct InterruptTests {
    /// A run long enough to be interrupted mid-training (about 2 s of training after 1 s of
    /// loading): 6,000 images, a 784-128-128-10 network, 375 batches an epoch, 6 epochs,
    /// checkpoints every epoch.
    private let longer = runnerLonger

    @Test("SIGINT, SIGTERM and SIGHUP finish the step, save, mark the log interrupted, print the resume command, exit 130", arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalStopsCleanly(signal: Int32) throws {
        let scratch = try Scratch("sigint")
        let directory = scratch.runs + "/run"
        let program = try BackgroundProgram(
            try geodimExecutable(), ["train", scratch.configPath, "--run-dir", directory] + scratch.placement + longer,
            directory: packageRoot().path)
        #expect(program.waitForOutput("ep 1/6", timeout: 60), "no checkpoint line: \(program.stdout)")
        program.send(signal)
        let result = program.wait()
        #expect(result.status == 130, "exit \(result.status): \(result.stderr)")
        let resumeLine = result.stdout.split(separator: "\n").first { $0.hasPrefix("resume with: ") }
        let command = try #require(resumeLine.map { String($0.dropFirst("resume with: ".count)) }, "\(result.stdout)")
        #expect(command == (try geodimExecutable()) + " resume " + directory)
        #expect(result.stderr.contains("interrupt received") && result.stderr.contains("resume with: \(command)"), "\(result.stderr)")
        let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "?"
        #expect(result.stdout.contains("interrupted by \(name) at step"), "\(result.stdout)")

        // The log is closed cleanly: a plain h5py open works, the status and rows agree with the state.
        let check = try runPython(script: #"""
            import sys, h5py, struct, geodim_log
            h5py.File(sys.argv[1] + "/log.h5", "r").close()   # a plain open works: the log was closed
            run = geodim_log.read_run(sys.argv[1] + "/log.h5")
            state = open(sys.argv[1] + "/resume.state", "rb").read()
            step, epochs, batches, _, trows, crows = struct.unpack_from("<6q", state, 16)
            k, t = len(run.checkpoints), len(run.train.step)
            assert run.status == "interrupted", run.status
            assert (k, t) == (crows, trows), (k, t, crows, trows)
            assert run.train.step[-1] == step, (run.train.step[-1], step)   # log_every = 1: every step is logged
            assert run.meta["interrupted_by"] == sys.argv[2], run.meta["interrupted_by"]
            assert run.bfd["train", "logits"].rank is not None and run.params is not None
            # No partial row anywhere: every growing dataset holds exactly the committed rows.
            wrong = {p: n for p, n in run.stored_rows.items() if n != (t if p.startswith("train/") else k)}
            assert not wrong, wrong
            print("OK", step, epochs, batches)
            """#, arguments: [directory, name])
        #expect(check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")

        // The printed command continues the run to the same end as an uninterrupted one.
        let parts = command.split(separator: " ").map(String.init)
        let resumed = try runProgram(parts[0], Array(parts.dropFirst()), directory: packageRoot().path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let reference = try scratch.geodim(["train", scratch.configPath, "--run-dir", scratch.runs + "/straight"] + scratch.placement + longer)
        #expect(reference.status == 0)
        try expectSameRun(scratch.runs + "/straight", directory)
    }

    @Test("a second signal exits at once, leaving the log as the last checkpoint left it")
    func secondSignalExitsAtOnce() throws {
        let scratch = try Scratch("sigint2")
        let directory = scratch.runs + "/run"
        let program = try BackgroundProgram(
            try geodimExecutable(), ["train", scratch.configPath, "--run-dir", directory] + scratch.placement + longer,
            directory: packageRoot().path)
        #expect(program.waitForOutput("ep 1/6", timeout: 60), "no checkpoint line: \(program.stdout)")
        // Two different signals, so the kernel cannot merge them into one pending signal (a
        // second SIGINT sent before the first is delivered would be).
        program.send(SIGINT)
        program.send(SIGTERM)
        let result = program.wait()
        #expect(result.status == 130, "exit \(result.status): \(result.stderr)")
        #expect(!result.stdout.contains("resume with:"), "the second signal should not wait for the save")
        // Still `running` (never closed), yet readable up to its checkpoints, and resumable.
        #expect(try logStatus(directory + "/log.h5") == "running")
        let resumed = try scratch.geodim(["resume", directory])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try logStatus(directory + "/log.h5") == "completed")
    }

    @Test("SIGQUIT stops at once with 131 and one line, no backtrace; the last checkpoint resumes to a straight run's end")
    func quitStopsAtOnce() throws {
        let scratch = try Scratch("sigquit")
        let directory = scratch.runs + "/run"
        let program = try BackgroundProgram(
            try geodimExecutable(), ["train", scratch.configPath, "--run-dir", directory] + scratch.placement + longer,
            directory: packageRoot().path)
        #expect(program.waitForOutput("ep 1/6", timeout: 60), "no checkpoint line: \(program.stdout)")
        program.send(SIGQUIT)
        let result = program.wait()
        #expect(result.status == 131, "exit \(result.status): \(result.stderr)")
        // One line from geodim; a crash backtrace would be dozens of lines with frame numbers.
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("geodim: SIGQUIT"), "\(result.stderr)")
        #expect(!result.stdout.contains("resume with:"), "SIGQUIT must not wait for a save")
        #expect(try logStatus(directory + "/log.h5") == "running")
        let resumed = try scratch.geodim(["resume", directory])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let reference = try scratch.geodim(["train", scratch.configPath, "--run-dir", scratch.runs + "/straight"] + scratch.placement + longer)
        #expect(reference.status == 0)
        try expectSameRun(scratch.runs + "/straight", directory)
    }

    @Test("kill -9 at random moments, repeatedly: h5py reads every log up to its last checkpoint; resume finishes it exactly")
    func killNineLeavesReadableLogs() throws {
        let scratch = try Scratch("kill9")
        var generator = SystemRandomNumberGenerator()
        var killedWithLog: [String] = []
        for iteration in 0..<6 {
            let live = iteration % 2 == 1
            let directory = scratch.runs + "/k\(iteration)"
            let program = try BackgroundProgram(
                try geodimExecutable(),
                ["train", scratch.configPath, "--run-dir", directory, "logging.live=\(live)"] + scratch.placement + longer,
                directory: packageRoot().path)
            usleep(UInt32.random(in: 300_000...2_800_000, using: &generator))
            program.send(SIGKILL)
            let result = program.wait()
            guard result.status == 128 + SIGKILL else { continue }  // it finished first
            guard FileManager.default.fileExists(atPath: directory + "/log.h5") else {
                // Killed before the log existed: there is no half-made log either.
                #expect(!FileManager.default.fileExists(atPath: directory + "/resume.state"))
                continue
            }
            if live {
                // A killed SWMR writer leaves the file marked open; h5clear -s clears that.
                let clear = try runProgram("/usr/bin/env", ["h5clear", "-s", directory + "/log.h5"])
                #expect(clear.status == 0, "h5clear: \(clear.stderr)")
            }
            let summaryLines = result.stdout.split(separator: "\n").filter { $0.hasPrefix("ep ") }.count
            let check = try runPython(script: #"""
                import sys, h5py, numpy as np, geodim_log
                h5py.File(sys.argv[1], "r").close()   # a plain open: no SWMR, no retries
                run = geodim_log.read_run(sys.argv[1])   # every column, cut to the committed rows
                k, t = len(run.checkpoints), len(run.train.step)
                assert k >= int(sys.argv[2]), ("fewer checkpoints than were printed", k, sys.argv[2])
                for c in ["checkpoints/epoch", "checkpoints/test_accuracy", "checkpoints/bfd/test_centred/rank",
                          "checkpoints/neurons/train/dead", "params/layer2/bias"]:
                    assert c in run.stored_rows, c
                for c, n in run.stored_rows.items():
                    if c.startswith("train/"):
                        assert n >= t, (c, n, t)   # rows are written before `step` commits them
                    else:
                        assert n in (k, k + 1), (c, n, k)   # at most one partial checkpoint row
                assert len(run.bfd["test", "centred"].rank) == len(run.neurons["train"].dead) == len(run.params[2].bias) == k
                assert list(run.checkpoints.epoch) == list(range(k)), run.checkpoints.epoch
                assert np.all(np.isfinite(run.checkpoints.test_accuracy))
                assert np.all(np.diff(run.train.step) == 1) and np.all(np.isfinite(run.train.loss))
                print("OK", k, t, run.status)
                """#, arguments: [directory + "/log.h5", String(summaryLines)])
            #expect(check.stdout.hasPrefix("OK"), "iteration \(iteration) (live \(live)): \(check.stdout)\(check.stderr)")
            killedWithLog.append(directory)
        }
        // The last killed run that got as far as its first save, resumed, ends exactly where an
        // uninterrupted run does. (A run killed between creating its log and that save has
        // nothing to resume from; `resume` refuses it, which is right.)
        if let last = killedWithLog.last(where: { FileManager.default.fileExists(atPath: $0 + "/resume.state") }) {
            let resumed = try scratch.geodim(["resume", last])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let live = last.hasSuffix("1") || last.hasSuffix("3") || last.hasSuffix("5")
            let reference = try scratch.geodim(
                ["train", scratch.configPath, "--run-dir", scratch.runs + "/straight", "logging.live=\(live)"] + scratch.placement + longer)
            #expect(reference.status == 0)
            try expectSameRun(scratch.runs + "/straight", last)
        }
    }
}
