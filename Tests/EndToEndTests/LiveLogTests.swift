import Foundation
import Testing
import TestSupport

/// `logging.live: true`: h5py follows a run while it trains (HDF5 SWMR).
@Suite("live logs (SWMR)", .serialized)
struct LiveLogTests {
    /// Follows a live log with h5py (`swmr=True`): waits for it to appear, then refreshes the
    /// growing datasets until it has seen /train and /checkpoints grow, and prints what it read.
    static let follower = #"""
        import sys, os, time, json, h5py, numpy as np
        path, deadline = sys.argv[1], time.time() + 60
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.05)
        f = None
        while f is None and time.time() < deadline:
            try:
                f = h5py.File(path, "r", libver="latest", swmr=True)
            except OSError:
                time.sleep(0.05)   # the writer may not have started SWMR yet
        step, loss, ck = f["train/step"], f["train/loss"], f["checkpoints/step"]
        seen_train, seen_ck = [], []
        while time.time() < deadline:
            for d in (step, loss, ck):
                d.refresh()
            n = min(len(step), len(loss))  # rows are committed by `step`, written last
            if not seen_train or n != seen_train[-1]:
                seen_train.append(n)
            if not seen_ck or len(ck) != seen_ck[-1]:
                seen_ck.append(len(ck))
            if len(seen_train) >= 3 and len(seen_ck) >= 3:
                break
            time.sleep(0.05)
        n = min(len(step), len(loss))
        print(json.dumps({"train_counts": seen_train, "checkpoint_counts": seen_ck, "status": f.attrs["status"],
                          "steps": step[:n].tolist(), "losses": loss[:n].tolist()}))
        """#

    @Test("h5py with swmr=True reads a log while geodim writes it, and what it reads is final")
    func followerSeesTheRunGrow() throws {
        let scratch = try Scratch("live")
        let directory = scratch.runs + "/live"
        let overrides = runnerLonger.map { $0 == "training.epochs=6" ? "training.epochs=10" : $0 }
        let writer = try BackgroundProgram(
            try geodimExecutable(),
            ["train", scratch.configPath, "--run-dir", directory, "logging.live=true"] + scratch.placement + overrides,
            directory: packageRoot().path)
        let follower = try runPython(script: Self.follower, arguments: [directory + "/log.h5"])
        let result = writer.wait()
        #expect(result.status == 0, "writer: \(result.stderr)")
        #expect(follower.status == 0, "follower: \(follower.stderr)")
        let observed = try #require(
            try JSONSerialization.jsonObject(with: Data(follower.stdout.utf8)) as? [String: Any], "\(follower.stdout)")
        let trainCounts = observed["train_counts"] as? [Int] ?? []
        let checkpointCounts = observed["checkpoint_counts"] as? [Int] ?? []
        // Growth seen from outside means the reader followed the writer while it ran.
        #expect(trainCounts.count >= 3 && trainCounts == trainCounts.sorted(), "train rows seen: \(trainCounts)")
        #expect(checkpointCounts.count >= 3 && checkpointCounts == checkpointCounts.sorted(), "checkpoints seen: \(checkpointCounts)")
        #expect(observed["status"] as? String == "running")
        #expect((trainCounts.last ?? 0) < 3750, "the follower should have finished before training did")

        // Every row the follower read is in the final log, with the same value.
        let steps = observed["steps"] as? [Int] ?? []
        let losses = observed["losses"] as? [Double] ?? []
        let final = try runPython(script: #"""
            import sys, json, geodim_log
            run = geodim_log.read_run(sys.argv[1], spectra=False, params=False, inputs=False)
            print(json.dumps({"status": run.status, "steps": run.train.step.tolist(), "losses": run.train.loss.tolist(),
                              "checkpoints": len(run.checkpoints), "live": bool(run.meta["status"] == run.status)}))
            """#, arguments: [directory + "/log.h5"])
        let log = try #require(try JSONSerialization.jsonObject(with: Data(final.stdout.utf8)) as? [String: Any], "\(final.stderr)")
        #expect(log["status"] as? String == "completed" && log["checkpoints"] as? Int == 11)
        let finalSteps = log["steps"] as? [Int] ?? []
        let finalLosses = log["losses"] as? [Double] ?? []
        #expect(!steps.isEmpty && finalSteps.count == 3750)
        #expect(Array(finalSteps.prefix(steps.count)) == steps && Array(finalLosses.prefix(losses.count)) == losses)
    }
}
