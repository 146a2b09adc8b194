import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The resource preflight of issue 15, run through the built binary: sizes that overflow,
/// networks too large for the machine and log chunks beyond HDF5's limit are refused with one
/// line (exit 64) before any run directory exists; the startup table shows the estimate; a run
/// above 80% of the memory warns and carries on; `geodim bfd` and `geodim resume` are checked
/// too; and the estimate bounds the peak resident memory of real runs.
///
/// The runs that would allocate hundreds of GB on a build without the preflight run under
/// `ulimit -v`, so that such a build fails them quickly instead of exhausting the machine.
@Suite("geodim refuses what cannot fit before writing anything")
struct PreflightTests {
    private static let limitVariable = "GEODIM_MEMORY_LIMIT_BYTES"

    /// `geodim train <scratch config> <overrides>` with `environment` added, under a 16 GiB
    /// address-space limit, in the package root.
    private func train(
        _ scratch: Scratch, _ overrides: [String], environment: [String: String] = [:]
    ) throws -> ProgramResult {
        let command = (["ulimit -v 4194304; exec \"$0\" \"$@\"", try geodimExecutable(), "train", scratch.configPath]
            + scratch.placement + overrides)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        return try runProgram("/bin/sh", ["-c"] + command, directory: packageRoot().path, environment: merged)
    }

    /// The contract of a refusal: `status`, one stderr line holding every fragment, no runs directory.
    private func expectRefusal(
        _ result: ProgramResult, _ scratch: Scratch, status: Int32 = 64, mentions fragments: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == status, "exit status \(result.status), stderr: \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line on stderr, got:\n\(result.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "stderr lacks \"\(fragment)\": \(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.runs), "a runs directory was created", sourceLocation: sourceLocation)
    }

    /// Before: a trap on arithmetic overflow, exit 132, with a backtrace.
    @Test func anOverflowingWidthIsOneConfigErrorLine() throws {
        let scratch = try Scratch("preflight-overflow")
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        let result = try train(scratch, ["model.hidden=[9223372036854775807]"])
        expectRefusal(result, scratch, mentions: [
            "model.hidden: [9223372036854775807]", "overflow a 64-bit integer", "set by override", "(hint: ",
        ])
    }

    /// Before: the startup table, a run directory, then an abort on a 318 GB allocation (exit 134).
    @Test func aNetworkTooLargeForTheMachineIsRefusedBeforeAnyRunDirectory() throws {
        let scratch = try Scratch("preflight-huge")
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        let result = try train(
            scratch, ["model.hidden=[100000000]", "logging.save_params=false"],
            environment: [Self.limitVariable: String(16 << 30)])
        expectRefusal(result, scratch, mentions: [
            "not enough memory", "TiB", "16.0 GiB is available (GEODIM_MEMORY_LIMIT_BYTES)", "lower model.hidden",
            "--ignore-memory-check",
        ])
        #expect(result.stdout.isEmpty, "the startup table was printed: \(result.stdout)")
    }

    /// Before: minutes without output, then killed for lack of memory.
    @Test func aThreeMillionWideNetworkIsRefusedAtOnce() throws {
        let scratch = try Scratch("preflight-wide")
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        let start = Date()
        let result = try train(
            scratch, ["model.hidden=[3000000]", "logging.save_params=false"],
            environment: [Self.limitVariable: String(16 << 30)])
        expectRefusal(result, scratch, mentions: ["not enough memory", "GiB", "lower model.hidden"])
        #expect(Date().timeIntervalSince(start) < 30)
    }

    /// Before: exit 1 with HDF5's raw "H5Pset_chunk: number of elements in chunk must be < 4GB",
    /// and an orphan run directory (config.yaml, overrides.txt). Now refused from the config,
    /// even where the memory would suffice.
    @Test func parameterChunksBeyondHDF5sLimitAreRefusedWithoutAnOrphanRunDirectory() throws {
        let scratch = try Scratch("preflight-chunk")
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        let result = try train(scratch, ["model.hidden=[100000000]"], environment: [Self.limitVariable: String(1 << 50)])
        expectRefusal(result, scratch, mentions: [
            "logging.save_params: true", "layer 0", "4 GiB", "logging.save_params=false",
        ])
        #expect(!result.stderr.contains("H5Pset_chunk"))
    }

    /// The startup table's memory row; the peak it shows, parsed back in bytes.
    private func estimatedPeak(_ stdout: String, sourceLocation: SourceLocation = #_sourceLocation) -> Double? {
        guard let row = stdout.split(separator: "\n").first(where: { $0.hasPrefix("memory") }),
              let range = row.range(of: "peak ≈ ")
        else {
            Issue.record("no memory row in the startup table:\n\(stdout)", sourceLocation: sourceLocation)
            return nil
        }
        let fields = row[range.upperBound...].split(separator: " ")
        guard fields.count >= 2, let value = Double(fields[0]) else { return nil }
        let unit: Double = switch fields[1] {
        case "KiB": 0x1p10
        case "MiB": 0x1p20
        case "GiB": 0x1p30
        default: 0x1p40
        }
        return value * unit
    }

    /// The table shows the estimate (the training peak and the largest BFD method's); at 90%
    /// of the memory the run warns once on stderr and completes.
    @Test func aRunAbove80PercentWarnsOnceAndCarriesOn() throws {
        let scratch = try Scratch("preflight-warn")
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        let first = try scratch.geodim(["train", scratch.configPath, "training.epochs=0"] + scratch.placement)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("training "), "\(first.stdout)")
        #expect(first.stdout.contains("; BFD +"), "\(first.stdout)")
        #expect(!first.stderr.contains("warning"), "\(first.stderr)")
        let peak = try #require(estimatedPeak(first.stdout))

        let warned = try train(scratch, ["training.epochs=0"], environment: [Self.limitVariable: String(Int(peak / 0.9))])
        #expect(warned.status == 0, "\(warned.stderr)")
        let warnings = warned.stderr.split(separator: "\n").filter { $0.hasPrefix("geodim: warning: ") }
        #expect(warnings.count == 1, "\(warned.stderr)")
        #expect(warned.stderr.contains("the estimated peak memory"), "\(warned.stderr)")
        #expect(warned.stderr.contains("90%") || warned.stderr.contains("89%") || warned.stderr.contains("91%"), "\(warned.stderr)")
        #expect(warned.stdout.contains("done in"), "\(warned.stdout)")
    }

    /// Above the memory: refused without a run directory; `--ignore-memory-check` runs it anyway
    /// after one warning.
    @Test func aRunAboveTheMemoryIsRefusedUnlessAskedToRunAnyway() throws {
        let scratch = try Scratch("preflight-refuse")
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        let limit = [Self.limitVariable: String(64 << 20)]
        let refused = try train(scratch, ["training.epochs=0"], environment: limit)
        expectRefusal(refused, scratch, mentions: ["not enough memory", "64 MiB is available", "--ignore-memory-check"])

        let forced = try train(scratch, ["training.epochs=0", "--ignore-memory-check"], environment: limit)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("running anyway (--ignore-memory-check)"), "\(forced.stderr)")
        #expect(forced.stdout.contains("done in"), "\(forced.stdout)")
    }

    /// `geodim bfd` checks its measurement, and `geodim resume` checks before it touches the log.
    @Test func bfdAndResumeArePreflighted() throws {
        let scratch = try Scratch("preflight-offline")
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        let directory = scratch.path + "/run"
        let stopped = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", directory, "--stop-at-step", "20"] + scratch.placement)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        let log = directory + "/log.h5"
        let before = try Data(contentsOf: URL(fileURLWithPath: log))
        let limit = [Self.limitVariable: String(64 << 20)]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in limit { environment[key] = value }
        let executable = try geodimExecutable()

        let resumed = try runProgram(executable, ["resume", directory], directory: packageRoot().path, environment: environment)
        #expect(resumed.status == 64, "\(resumed.stderr)")
        #expect(resumed.stderr.split(separator: "\n").count == 1, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("not enough memory"), "\(resumed.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before, "the refused resume changed the log")
        #expect(try logStatus(log) == "interrupted")

        let measured = try runProgram(
            executable, ["bfd", log, "--checkpoint", "0", "--inputs", "test", "--method", "jacobian"],
            directory: packageRoot().path, environment: environment)
        #expect(measured.status == 64, "\(measured.stderr)")
        #expect(measured.stderr.split(separator: "\n").count == 1, "\(measured.stderr)")
        #expect(measured.stderr.contains("not enough memory") && measured.stderr.contains("--count"), "\(measured.stderr)")
        let forced = try runProgram(
            executable, ["bfd", log, "--checkpoint", "0", "--inputs", "test", "--method", "jacobian", "--ignore-memory-check"],
            directory: packageRoot().path, environment: environment)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("running anyway"), "\(forced.stderr)")

        let finished = try scratch.geodim(["resume", directory])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stdout.split(separator: "\n").contains { $0.hasPrefix("memory") }, "\(finished.stdout)")
    }

    /// The estimate against the peak resident set of real runs (the kernel's ru_maxrss of the
    /// child, an independent measurement): an upper bound (5% slack for the allocator) and no
    /// more than 1.6 times the peak, for the explicit J, K on either side, and the exact
    /// engine's K and J.
    @Test(arguments: [
        ["bfd.method=jacobian", "bfd.test_samples=150"],
        ["bfd.method=gram", "bfd.gram_side=rows", "bfd.test_samples=400"],
        ["bfd.method=gram", "bfd.gram_side=parameters", "bfd.test_samples=400"],
        ["bfd.method=gram", "bfd.exact=true", "bfd.test_samples=300"],
        ["bfd.method=gram", "bfd.exact=true", "bfd.exact_matrix=jacobian", "bfd.test_samples=300"],
    ])
    func theEstimateBoundsThePeakResidentMemory(overrides: [String]) throws {
        let scratch = try Scratch("preflight-rss")
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        let arguments = ["train", scratch.configPath, "training.epochs=0", "data.test_size=400", "bfd.inputs=[test]",
                         "bfd.outputs=[logits]", "bfd.spectrum=false"] + scratch.placement + overrides
        let run = try runMeasuringPeak(try geodimExecutable(), arguments)
        #expect(run.status == 0, "\(run.stderr)")
        let estimate = try #require(estimatedPeak(run.stdout))
        let peak = Double(run.peakBytes)
        #expect(peak <= 1.05 * estimate, "peak \(peak / 0x1p20) MiB above the estimate \(estimate / 0x1p20) MiB")
        #expect(estimate <= 1.6 * peak, "estimate \(estimate / 0x1p20) MiB against a peak of \(peak / 0x1p20) MiB")
    }
}

/// Runs `executable` to completion with its output in files and returns its exit status,
/// output and peak resident set size: that of geodim alone, as measured by a small python parent
/// (RUSAGE_CHILDREN of its only child, ru_maxrss in kB on Linux).
func runMeasuringPeak(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String, peakBytes: Int) {
    let folder = try makeTemporaryDirectory("rss")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let outPath = folder + "/out", errPath = folder + "/err"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    // Linux records the spawning process's resident high-water mark in a vfork'd child at
    // execve, so a child spawned straight from this (large, parallel) test process reports the
    // test process's peak, not its own. A small python in between spawns geodim and reads the
    // peak of its only child (RUSAGE_CHILDREN, which excludes python itself).
    let peakPath = folder + "/peak"
    let measure = "import resource, subprocess, sys\n"
        + "code = subprocess.call(sys.argv[2:])\n"
        + "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
        + "sys.exit(code if code >= 0 else 128 - code)\n"
    let launcher = "/usr/bin/env"
    var argv: [UnsafeMutablePointer<CChar>?] = ([launcher, "python3", "-c", measure, peakPath, executable] + arguments).map { strdup($0) } + [nil]
    var envp: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, launcher, &actions, nil, &argv, &envp)
    guard spawned == 0 else { throw TestSupportError("posix_spawn \(executable) failed: \(spawned)") }
    var status: Int32 = 0
    var usage = rusage()
    guard wait4(pid, &status, 0, &usage) == pid else { throw TestSupportError("wait4 failed: \(errno)") }
    let exit = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    let peak = (try? String(contentsOfFile: peakPath, encoding: .utf8)).flatMap { Int($0) } ?? Int.max / 2048
    return (exit, out, err, peak * 1024)
}
