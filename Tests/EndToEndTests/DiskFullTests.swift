import Foundation
import Testing
import TestSupport

/// A full disk never loses data (issue 15): at each moment a run writes — before its log
/// exists, at a checkpoint's flush, at the resume-state write — a full disk gives one clear
/// line and exit status 1, never a crash; the log stays readable by a plain h5py open up to
/// its last complete checkpoint, with the status that was printed; and once there is room,
/// `geodim resume` continues the run to an end bitwise equal to a straight run's.
///
/// The disk is a small tmpfs (``SmallDisk``); the run fills it once a given checkpoint line is
/// printed, so the next checkpoint meets a full disk.
@Suite("a full disk never loses data", .serialized)
struct DiskFullTests {
    /// 6,000 images, 784-128-128-10, 375 batches an epoch, 6 epochs, checkpoints at epochs 0,
    /// 1 and 6: after the epoch-1 line there are 5 epochs (seconds) of training, writing
    /// nothing, before the last checkpoint; log rows every 100 steps, so /train needs no new
    /// chunk after its first.
    private static let config = """
        name: diskfull
        seed: 5
        model:
          hidden: [128, 128]
        data:
          protocol: standard
          train_size: 6000
          test_size: 500
        training:
          epochs: 6
          batch_size: 16
          log_every: 100
        optimizer:
          name: sgd
          lr: 0.02
          momentum: 0.9
        checkpoints:
          epochs: [0, 1, 6]
        bfd:
          outputs: [logits, centred]
          train_samples: 6
          test_samples: 6
          random_samples: 6
        """

    /// Plain h5py open (no SWMR fallback): the root status, the committed checkpoint rows and
    /// their epochs, and every dataset read whole (`unreadable: []` when all read).
    private static let readScript = #"""
        import sys, h5py
        with h5py.File(sys.argv[1], "r") as f:
            n = len(f["checkpoints/step"])
            bad = []
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    try:
                        obj[()]
                    except Exception as error:
                        bad.append(f"{name}: {error}")
            f.visititems(visit)
            epochs = [int(e) for e in f["checkpoints/epoch"][:n]]
            print(f.attrs["status"], n, epochs, "unreadable:", bad)
        """#

    private func geodim(_ disk: SmallDisk, _ arguments: [String]) throws -> ProgramResult {
        let (program, all) = disk.command(try geodimExecutable(), arguments)
        return try runProgram(program, all, directory: packageRoot().path)
    }

    /// The status printed in the `stopped: …; log: PATH (status S…)` line.
    private func printedStatus(_ stdout: String) -> String? {
        guard let line = stdout.split(separator: "\n").last(where: { $0.hasPrefix("stopped: ") }),
              let range = line.range(of: "(status ", options: .backwards)
        else { return nil }
        return String(line[range.upperBound...].prefix { $0.isLetter })
    }

    @Test("before the log exists: one line, exit 1, no crash, nothing left behind; the same command works once there is room")
    func beforeTheLogExists() throws {
        guard let disk = try SmallDisk.make("before", megabytes: 8) else { return }
        defer { disk.remove() }
        let scratch = try Scratch("diskfull-before")
        let directory = disk.path + "/run"
        let arguments = ["train", scratch.configPath, "--run-dir", directory, "data.directory=\(packageRoot().path)/data/mnist"]
        // 0: not even config.yaml fits; 4 KiB: config.yaml fits, HDF5 cannot write its
        // superblock; 8 and 32 KiB: the log's layout and inputs do not fit.
        for free in [0, 4096, 8192, 32768] {
            try disk.fill(leaving: free)
            let result = try geodim(disk, arguments)
            #expect(result.status == 1, "\(free) B free (\(disk.kind)): exit \(result.status): \(result.stderr.prefix(600))")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("geodim: error: no space left on \(directory) ("),
                    "\(free) B free: \(result.stderr.prefix(600))")
            #expect(result.stderr.contains("run the same command again"), "\(result.stderr.prefix(600))")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            #expect(!FileManager.default.fileExists(atPath: directory),
                    "\(free) B free: the run directory holds \(left) (no log.h5.partial, nothing, should be left)")
            try disk.freeSpace()
            if FileManager.default.fileExists(atPath: directory) { try FileManager.default.removeItem(atPath: directory) }
        }
        let again = try geodim(disk, arguments)
        #expect(again.status == 0, "the same command with room: \(again.stderr)")
    }

    @Test("at a checkpoint flush: one line, the log readable up to its last checkpoint, status as printed; resume ends bitwise equal")
    func atACheckpointFlush() throws {
        try fullDiskAtLastCheckpoint(
            label: "flush", extra: [], expectedMessage: "log.h5: write checkpoint 3 (epoch 6)", committedRows: 2)
    }

    @Test("at the resume-state write: one line, the log readable with the checkpoint it committed; resume ends bitwise equal")
    func atTheResumeStateWrite() throws {
        // Without parameters and spectra a checkpoint row allocates no new chunk: it fits in
        // the room the log keeps reserved, and the full disk is met by resume.state.
        try fullDiskAtLastCheckpoint(
            label: "state", extra: ["logging.save_params=false", "bfd.spectrum=false"],
            expectedMessage: "resume.state: save the resume state", committedRows: 3)
    }

    /// Trains on a small disk, fills it once the epoch-1 checkpoint line is printed, and checks
    /// the failure at the epoch-6 checkpoint, the log it leaves (`committedRows` checkpoint
    /// rows), and the resume once there is room against a straight run.
    private func fullDiskAtLastCheckpoint(label: String, extra: [String], expectedMessage: String, committedRows: Int) throws {
        guard let disk = try SmallDisk.make(label, megabytes: 24) else { return }
        defer { disk.remove() }
        let scratch = try Scratch("diskfull-\(label)", config: Self.config)
        let directory = disk.path + "/run"
        let arguments = ["train", scratch.configPath, "--run-dir", directory, "data.directory=\(packageRoot().path)/data/mnist"] + extra
        let (program, all) = disk.command(try geodimExecutable(), arguments)
        let run = try BackgroundProgram(program, all, directory: packageRoot().path)
        let reached = run.waitForOutput("ep 1/6", timeout: 120)
        if reached { try disk.fill() }
        let result = run.wait()
        try #require(reached, "no epoch-1 checkpoint line: \(result.stdout)\(result.stderr)")

        #expect(result.status == 1, "\(disk.kind): exit \(result.status): \(result.stderr.prefix(800))")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("geodim: error: no space left on \(directory) ("), "\(result.stderr.prefix(800))")
        #expect(result.stderr.contains(expectedMessage), "\(result.stderr.prefix(800))")
        #expect(result.stderr.contains("geodim resume \(directory)"), "the hint names the resume command: \(result.stderr)")
        #expect(!result.stdout.contains("ep 6/6"), "the last checkpoint should have met the full disk: \(result.stdout)")
        let printed = printedStatus(result.stdout)
        #expect(printed == "failed", "\(result.stdout)")

        // Still on the full disk: a plain h5py open reads every dataset, up to the last
        // complete checkpoint, with the status that was printed.
        let read = try runPython(script: Self.readScript, arguments: [directory + "/log.h5"])
        let epochs = committedRows == 3 ? "[0, 1, 6]" : "[0, 1]"
        #expect(read.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                == "\(printed ?? "?") \(committedRows) \(epochs) unreadable: []", "\(read.stdout)\(read.stderr)")
        #expect(try stateDigest(directory).contains("checkpoint_rows=2"), "the state accounts for the epoch-1 checkpoint")

        try disk.freeSpace()
        let resumed = try geodim(disk, ["resume", directory])
        #expect(resumed.status == 0, "resume once there is room: \(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming at step 375: epoch 1 done"), "\(resumed.stdout)")
        let reference = scratch.runs + "/straight"
        let straight = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", reference, "data.directory=\(packageRoot().path)/data/mnist"] + extra)
        #expect(straight.status == 0, "\(straight.stderr)")
        try expectSameRun(reference, directory)
    }
}
