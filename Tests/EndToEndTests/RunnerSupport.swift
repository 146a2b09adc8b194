import Foundation
import Testing
import TestSupport

/// Helpers for the runner tests (resume, interrupts, kill -9, live logs, sweeps): a program
/// started in the background that can be signalled, and h5py checks (run with
/// ``runPython(script:arguments:)``, reading logs through scripts/geodim_log.py).

/// Whether matplotlib and h5py are installed (`bash scripts/setup.sh --plots`, which `make
/// test` runs): the plotting and report-script tests need them.
let matplotlibAvailable: Bool = {
    (try? runProgram("/usr/bin/env", ["python3", "-c", "import matplotlib, h5py"]))?.status == 0
}()

/// A small run: 600 training images, a 784-16-16-10 network, 4 epochs of 19 batches,
/// checkpoints every 2 epochs, BFD on 6 inputs of each kind. About a second.
let runnerConfig = """
    name: runner
    seed: 11
    model:
      hidden: [16, 16]
    data:
      protocol: standard
      train_size: 600
      test_size: 200
    training:
      epochs: 4
      batch_size: 32
      log_every: 3
    optimizer:
      name: sgd
      lr: 0.05
      momentum: 0.9
    checkpoints:
      every: 2
    bfd:
      outputs: [logits, centred]
      train_samples: 6
      test_samples: 6
      random_samples: 6
    """

/// Overrides of ``runnerConfig`` for a run that trains for about 2 s (after about 1 s of
/// loading): 6,000 images, 784-128-128-10, 375 batches an epoch, 6 epochs, a checkpoint and
/// a log row at every epoch and step.
let runnerLonger = [
    "data.train_size=6000", "model.hidden=[128, 128]", "training.batch_size=16", "optimizer.lr=0.02",
    "training.epochs=6", "checkpoints.every=1", "training.log_every=1",
]

/// A scratch directory with `config.yaml` holding `config`; runs go under `<scratch>/runs`.
struct Scratch {
    let path: String
    var configPath: String { path + "/config.yaml" }
    var runs: String { path + "/runs" }

    init(_ label: String, config: String = runnerConfig) throws {
        path = try makeTemporaryDirectory(label)
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// `geodim <arguments>` run to completion in the package root.
    func geodim(_ arguments: [String]) throws -> ProgramResult {
        try runProgram(try geodimExecutable(), arguments, directory: packageRoot().path)
    }

    /// The overrides every run of these tests uses.
    var placement: [String] {
        ["logging.runs_directory=\(runs)", "data.directory=\(packageRoot().path)/data/mnist"]
    }
}

/// A program running in the background, whose output is collected as it comes.
final class BackgroundProgram: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private let done = DispatchGroup()

    init(_ executable: String, _ arguments: [String], directory: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
            done.enter()
            DispatchQueue.global().async {
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    self.lock.lock()
                    if isOut { self.out.append(chunk) } else { self.err.append(chunk) }
                    self.lock.unlock()
                }
                self.done.leave()
            }
        }
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

    /// Sends `signal` to the program.
    func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits until stdout contains `text` (true), or `timeout` seconds pass or the program
    /// ends (false).
    func waitForOutput(_ text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stdout.contains(text) { return true }
            if !process.isRunning { return stdout.contains(text) }
            usleep(20_000)
        }
        return false
    }

    /// How the program ended: its exit status (128 + n when killed by signal n) and output.
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Waits for the program to end and returns its exit status (128 + n when killed by n).
    func wait() -> Result {
        process.waitUntilExit()
        done.wait()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Result(status: status, stdout: stdout, stderr: stderr)
    }
}

/// Compares two logs dataset by dataset (values, shapes and dtypes), ignoring times and the
/// things that name paths; prints IDENTICAL n or DIFFER [...].
let compareLogsScript = #"""
    import sys, h5py, numpy as np, geodim_log
    a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")   # plain opens: both closed cleanly
    geodim_log.check_format(a); geodim_log.check_format(b)
    paths = []
    a.visititems(lambda n, o: paths.append(n) if isinstance(o, h5py.Dataset) else None)
    other = []
    b.visititems(lambda n, o: other.append(n) if isinstance(o, h5py.Dataset) else None)
    if sorted(paths) != sorted(other):
        print("DIFFER: dataset sets", sorted(set(paths) ^ set(other))); sys.exit(0)
    skip = ("wall_time_s", "seconds", "config_yaml", "overrides", "meta/override")   # the overrides and their index
    bad = [p for p in paths if not p.endswith(skip) and (a[p].shape != b[p].shape or a[p].dtype != b[p].dtype
           or not np.array_equal(a[p][()], b[p][()], equal_nan=a[p].dtype.kind == "f"))]
    print("DIFFER:", bad) if bad else print("IDENTICAL", len(paths))
    """#

/// Prints the parameter and moment bytes of a resume.state (after its header and config) as a
/// SHA-256, and the step fields; see docs/runner.md for the layout.
let stateDigestScript = #"""
    import sys, struct, hashlib
    data = open(sys.argv[1], "rb").read()
    assert data[:8] == b"GEODIMRS", "magic"
    version, scalar = struct.unpack_from("<II", data, 8)
    step, epochs, batches, optstep, trows, crows = struct.unpack_from("<6q", data, 16)
    config_bytes, p, m1, m2 = struct.unpack_from("<4q", data, 104)
    assert hashlib.sha256(data[:-32]).digest() == data[-32:], "checksum"
    body = data[136 + config_bytes:-32]
    assert len(body) == (p + m1 + m2) * scalar, "sizes"
    print(f"step={step} epochs={epochs} batches={batches} optimizer_step={optstep} train_rows={trows} checkpoint_rows={crows} P={p} m1={m1} m2={m2} digest={hashlib.sha256(body).hexdigest()}")
    """#

/// The digest line of a run directory's resume.state.
func stateDigest(_ directory: String) throws -> String {
    let result = try runPython(script: stateDigestScript, arguments: [directory + "/resume.state"])
    guard result.status == 0 else { throw TestSupportError("state digest failed: \(result.stderr)") }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Expects two run directories to hold identical logs and identical final training states.
func expectSameRun(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let compare = try runPython(script: compareLogsScript, arguments: [a + "/log.h5", b + "/log.h5"])
    #expect(compare.stdout.hasPrefix("IDENTICAL"), "\(compare.stdout)\(compare.stderr)", sourceLocation: sourceLocation)
    #expect(try stateDigest(a) == stateDigest(b), "resume states differ", sourceLocation: sourceLocation)
}

/// The root `status` attribute of a log, as geodim_log reads it (opened as a SWMR reader if a
/// plain open is refused).
func logStatus(_ log: String) throws -> String {
    let result = try runPython(script: #"""
        import sys, geodim_log
        print(geodim_log.read_run(sys.argv[1], spectra=False, params=False, inputs=False).status)
        """#, arguments: [log])
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
