import Foundation
import Testing
import TestSupport

/// `geodim resume`: training k steps, stopping and resuming gives bitwise the same parameters,
/// optimizer state and log as training in one go.
@Suite("geodim resume is bit-exact", .serialized)
struct ResumeTests {
    /// Trains `extra` in one go into `<runs>/<name>`; expects success.
    private func straight(_ scratch: Scratch, _ name: String, _ extra: [String] = []) throws -> String {
        let directory = scratch.runs + "/" + name
        let result = try scratch.geodim(["train", scratch.configPath, "--run-dir", directory] + scratch.placement + extra)
        #expect(result.status == 0, "straight run failed: \(result.stderr)")
        return directory
    }

    @Test("stop mid-epoch, at an epoch boundary and at a checkpoint, resume each time: same run")
    func stopsAnywhereResumeExactly() throws {
        let scratch = try Scratch("resume")
        let reference = try straight(scratch, "straight")
        let directory = scratch.runs + "/stopped"
        // 19 batches per epoch: 25 is mid-epoch 2, 38 ends epoch 2 (a checkpoint epoch), 57
        // ends epoch 3 (no checkpoint).
        var result = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", directory, "--stop-at-step", "25"] + scratch.placement)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("stopped as asked at step 25 (epoch 1 done + 6/19 batches)"), "\(result.stdout)")
        #expect(try logStatus(directory + "/log.h5") == "interrupted")
        for stop in ["38", "57"] {
            result = try scratch.geodim(["resume", directory, "--stop-at-step", stop])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("stopped as asked at step \(stop)"), "\(result.stdout)")
        }
        result = try scratch.geodim(["resume", directory])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("resuming at step 57: epoch 3 done"), "\(result.stdout)")
        #expect(try logStatus(directory + "/log.h5") == "completed")
        try expectSameRun(reference, directory)

        // The log records each resume.
        let history = try runPython(script: #"""
            import sys, geodim_log
            m = geodim_log.read_run(sys.argv[1], spectra=False, params=False, inputs=False).meta
            # Provenance: machine, libraries and threads, data, code, command, times, status.
            for k in ["host", "cpu_model", "cpu_count", "blas", "blas_threads", "lapack_version", "lapack_threads",
                      "hdf5_version", "git_commit", "git_dirty", "command_line", "start_time", "end_time",
                      "mnist_sha256_train-images-idx3-ubyte", "working_directory"]:
                assert k in m, k
            assert m["status"] == "completed" and "--stop-at-step 25" in m["command_line"]
            assert m["lapack_version"][0].isdigit() and int(m["cpu_count"]) >= 1
            print(int(m["resume_count"]), [h.split(" | ")[1] for h in m["resume_history"]])
            """#, arguments: [directory + "/log.h5"])
        #expect(history.stdout.contains("3 ['from step 25', 'from step 38', 'from step 57']"), "\(history.stdout)\(history.stderr)")
        // A completed run has nothing left to resume.
        result = try scratch.geodim(["resume", directory])
        #expect(result.status == 64 && result.stderr.contains("already completed all 4 epochs"), "\(result.stderr)")
    }

    @Test("Adam in float64: moments and step count survive a stop")
    func adamFloat64Resumes() throws {
        let scratch = try Scratch("resume-adam")
        let extra = ["optimizer.name=adam", "optimizer.lr=0.003", "optimizer.momentum=0", "training.precision=float64"]
        let reference = try straight(scratch, "straight", extra)
        let directory = scratch.runs + "/stopped"
        let first = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", directory, "--stop-at-step", "30"] + scratch.placement + extra)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try stateDigest(directory).contains("step=30 epochs=1 batches=11 optimizer_step=30"))
        let second = try scratch.geodim(["resume", directory])
        #expect(second.status == 0, "\(second.stderr)")
        try expectSameRun(reference, directory)
    }

    /// The schedule is a function of the step alone, so a resumed run continues it exactly;
    /// Path-SGD's momentum buffer is its only state (κ is recomputed every step). Stopped
    /// mid-epoch (step 25) and at an epoch end (38), then finished.
    @Test("scheduled runs resume exactly: Path-SGD with momentum, cosine and warm-up; SGD momentum, step decay and warm-up",
          arguments: [
              ["optimizer.name=path_sgd", "optimizer.schedule=cosine", "optimizer.warmup_steps=10", "optimizer.lr_min=0.001"],
              ["optimizer.schedule=step", "optimizer.decay_epochs=1", "optimizer.decay_factor=0.5", "optimizer.warmup_steps=4"],
          ])
    func scheduledRunsResume(extra: [String]) throws {
        let scratch = try Scratch("resume-schedule")
        let reference = try straight(scratch, "straight", extra)
        let directory = scratch.runs + "/stopped"
        let first = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", directory, "--stop-at-step", "25"] + scratch.placement + extra)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try scratch.geodim(["resume", directory, "--stop-at-step", "38"])
        #expect(second.status == 0, "\(second.stderr)")
        let third = try scratch.geodim(["resume", directory])
        #expect(third.status == 0, "\(third.stderr)")
        try expectSameRun(reference, directory)
        // /train/lr against the schedule's closed form (19 steps an epoch, 4 epochs, lr 0.05).
        let rates = try runPython(script: #"""
            import sys, math, numpy as np, geodim_log
            run = geodim_log.read_run(sys.argv[1], spectra=False, params=False, inputs=False)
            k = run.train.step.astype(np.int64) - 1  # updates taken before each logged step
            cosine = sys.argv[2] == "cosine"
            W = 10 if cosine else 4
            warm = np.where(k < W, (k + 1) / W, 1.0)
            if cosine:
                T = 4 * 19 - W
                t = np.clip(k - W, 0, T)
                expected = warm * (0.001 + (0.05 - 0.001) * (1 + np.cos(np.pi * t / T)) / 2)
            else:
                expected = 0.05 * warm * 0.5 ** (k // 19)
            print(len(k), float(np.max(np.abs(run.train.lr - expected) / expected)), len(set(run.train.lr)) > 3)
            """#, arguments: [directory + "/log.h5", extra.contains("optimizer.schedule=cosine") ? "cosine" : "step"])
        let fields = rates.stdout.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(fields.count == 3 && fields[0] == "25" && fields[2] == "True", "\(rates.stdout)\(rates.stderr)")
        #expect((Double(fields.count == 3 ? fields[1] : "") ?? 1) < 1e-15, "lr vs the schedule: \(rates.stdout)")
    }

    @Test("a changed config is refused naming the keys; --force continues; fixed keys never change")
    func changedConfigIsRefusedUnlessForced() throws {
        let scratch = try Scratch("resume-config")
        let reference = try straight(scratch, "straight", ["training.epochs=6"])
        let directory = try straight(scratch, "short")
        let before = try Data(contentsOf: URL(fileURLWithPath: directory + "/log.h5"))

        var result = try scratch.geodim(["resume", directory, "training.epochs=6", "optimizer.lr=0.07"])
        #expect(result.status == 64)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("training.epochs (4 -> 6)") && result.stderr.contains("optimizer.lr (0.05 -> 0.07)"), "\(result.stderr)")
        #expect(result.stderr.contains("--force"))

        result = try scratch.geodim(["resume", directory, "model.hidden=[8]", "--force"])
        #expect(result.status == 64 && result.stderr.contains("model.hidden") && result.stderr.contains("cannot be changed"), "\(result.stderr)")
        // Refusals leave the log as it was.
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/log.h5")) == before)

        // Training a finished run longer equals training longer in the first place.
        result = try scratch.geodim(["resume", directory, "training.epochs=6", "--force"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("changed (--force): training.epochs (4 -> 6)"), "\(result.stdout)")
        try expectSameRun(reference, directory)
        let config = try String(contentsOfFile: directory + "/config.yaml", encoding: .utf8)
        #expect(config.contains("epochs: 6"), "config.yaml records the new value")
    }
}
