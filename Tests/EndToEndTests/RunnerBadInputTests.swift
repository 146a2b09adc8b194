import Foundation
import Testing
import TestSupport

/// Divergence, and bad input to train / resume / sweep / inspect: one clear line naming the
/// problem, a non-zero exit, nothing overwritten.
@Suite("divergence and bad input to the runner", .serialized)
struct RunnerBadInputTests {
    /// Expects exactly one stderr line containing every fragment, and `status`.
    private func expectOneLine(
        _ result: ProgramResult, status: Int32, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == status, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "expected one line:\n\(result.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "stderr lacks \"\(fragment)\": \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test("a NaN loss stops the run with a clear message, status diverged and a valid log")
    func divergenceIsReported() throws {
        let scratch = try Scratch("diverge")
        let directory = scratch.runs + "/run"
        let result = try scratch.geodim(["train", scratch.configPath, "--run-dir", directory, "optimizer.lr=1e6"] + scratch.placement)
        expectOneLine(result, status: 1, ["training diverged at step", "loss is", "lower optimizer.lr"])
        let check = try runPython(script: #"""
            import sys, numpy as np, geodim_log
            run = geodim_log.read_run(sys.argv[1])
            assert run.status == "diverged", run.status
            assert run.meta["status"] == "diverged"
            assert "diverged at step" in run.meta["error"]
            assert len(run.checkpoints) == 1 and np.all(np.isfinite(run.train.loss))
            assert run.stored_rows["train/loss"] == len(run.train.step)
            print("OK")
            """#, arguments: [directory + "/log.h5"])
        #expect(check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")
        // Resuming unchanged would diverge again: refused, with the way out.
        let resume = try scratch.geodim(["resume", directory])
        expectOneLine(resume, status: 64, ["diverged", "--force"])
    }

    @Test("an existing or unwritable run directory is refused and left untouched")
    func runDirectoryProblems() throws {
        let scratch = try Scratch("rundir")
        let existing = scratch.path + "/existing"
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: true)
        try "keep me".write(toFile: existing + "/notes.txt", atomically: true, encoding: .utf8)
        var result = try scratch.geodim(["train", scratch.configPath, "--run-dir", existing] + scratch.placement)
        expectOneLine(result, status: 1, [existing, "already exists"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: existing) == ["notes.txt"])
        #expect(try String(contentsOfFile: existing + "/notes.txt", encoding: .utf8) == "keep me")

        // A runs directory below a regular file cannot be created (even by root).
        let file = scratch.path + "/a-file"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        result = try scratch.geodim(["train", scratch.configPath, "logging.runs_directory=\(file)/runs", "data.directory=\(packageRoot().path)/data/mnist"])
        expectOneLine(result, status: 1, [file, "cannot create the run directory"])
    }

    @Test("resume refuses what is not a resumable run directory, naming the problem")
    func resumeRefusesBadDirectories() throws {
        let scratch = try Scratch("resume-bad")
        var result = try scratch.geodim(["resume", scratch.path + "/missing"])
        expectOneLine(result, status: 64, ["missing", "no such directory"])

        let empty = scratch.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        result = try scratch.geodim(["resume", empty])
        expectOneLine(result, status: 64, [empty, "no log.h5"])

        let notLog = scratch.path + "/notlog"
        try FileManager.default.createDirectory(atPath: notLog, withIntermediateDirectories: true)
        try "not hdf5".write(toFile: notLog + "/log.h5", atomically: true, encoding: .utf8)
        result = try scratch.geodim(["resume", notLog])
        expectOneLine(result, status: 1, [notLog + "/log.h5", "not a geodim run log"])
        #expect(try String(contentsOfFile: notLog + "/log.h5", encoding: .utf8) == "not hdf5")

        // An HDF5 file that is not a geodim log.
        let foreign = scratch.path + "/foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        _ = try runPython(script: "import sys, h5py; h5py.File(sys.argv[1], 'w').attrs['format'] = 'other'", arguments: [foreign + "/log.h5"])
        result = try scratch.geodim(["resume", foreign])
        expectOneLine(result, status: 1, [foreign + "/log.h5", "not a geodim run log"])

        // A real run whose log claims a newer format version: resume and inspect refuse it.
        let directory = scratch.runs + "/run"
        #expect(try scratch.geodim(["train", scratch.configPath, "--run-dir", directory, "--stop-at-step", "5"] + scratch.placement).status == 0)
        _ = try runPython(script: "import sys, h5py; h5py.File(sys.argv[1], 'r+').attrs['format_version'] = 99", arguments: [directory + "/log.h5"])
        let before = try Data(contentsOf: URL(fileURLWithPath: directory + "/log.h5"))
        result = try scratch.geodim(["resume", directory])
        expectOneLine(result, status: 1, ["format version 99 is newer"])
        result = try scratch.geodim(["inspect", directory + "/log.h5"])
        expectOneLine(result, status: 1, ["format version 99 is newer"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/log.h5")) == before, "the log was changed")

        // A damaged resume state is named, and nothing is written.
        _ = try runPython(script: "import sys, h5py; h5py.File(sys.argv[1], 'r+').attrs['format_version'] = 1", arguments: [directory + "/log.h5"])
        var state = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/resume.state")))
        state[state.count / 2] ^= 0xFF
        try Data(state).write(to: URL(fileURLWithPath: directory + "/resume.state"))
        result = try scratch.geodim(["resume", directory])
        expectOneLine(result, status: 1, ["resume.state", "checksum"])
    }

    @Test("bad sweep specifications and sweep configs are named")
    func badSweeps() throws {
        let cases: [(String, [String])] = [
            ("sweep:\n  seed: 3\n", ["sweep", "seed", "non-empty list"]),
            ("sweep:\n  optimizer.lrate: [0.1, 0.2]\n", ["optimizer.lrate", "unknown key", "optimizer.lr"]),
            ("sweep:\n  name: [a, b]\n", ["name cannot be swept"]),
            ("sweep: [1, 2]\n", ["expected a mapping"]),
            ("sweep:\n  model.hidden: [[8], [0]]\n", ["sweep point 1", "model.hidden", "model.hidden=[0]"]),
            ("sweep:\n  optimizer.lr: [0.1, fast]\n", ["sweep point 1", "optimizer.lr", "expected a number"]),
            ("sweep:\n  seed: [1, 2]\n  bad: : yaml\n", ["malformed YAML", "line"]),
        ]
        for (spec, fragments) in cases {
            let scratch = try Scratch("sweep-bad", config: runnerConfig + "\n" + spec)
            let result = try scratch.geodim(["sweep", scratch.configPath, "--list"] + scratch.placement)
            expectOneLine(result, status: 64, fragments)
            #expect(!FileManager.default.fileExists(atPath: scratch.runs), "a runs directory was created for \(spec)")
        }
        // A wrong-typed base value, and an out-of-range index.
        let scratch = try Scratch("sweep-bad", config: runnerConfig + "\nsweep:\n  seed: [1, 2]\n")
        var result = try scratch.geodim(["sweep", scratch.configPath, "training.epochs=many"] + scratch.placement)
        expectOneLine(result, status: 64, ["training.epochs", "expected an integer"])
        result = try scratch.geodim(["sweep", scratch.configPath, "--index", "2"] + scratch.placement)
        expectOneLine(result, status: 64, ["no point 2", "0...1"])
        result = try scratch.geodim(["sweep", scratch.configPath, "seed=4", "--list"] + scratch.placement)
        expectOneLine(result, status: 64, ["seed is swept"])
        // geodim train names a sweep config for what it is.
        result = try scratch.geodim(["train", scratch.configPath] + scratch.placement)
        expectOneLine(result, status: 64, ["describes a sweep", "geodim sweep"])
        #expect(!FileManager.default.fileExists(atPath: scratch.runs))
    }
}
