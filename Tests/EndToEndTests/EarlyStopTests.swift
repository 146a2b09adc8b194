import Foundation
import Testing
import TestSupport

/// `training.stop_at_train_accuracy`: a run stops after the first epoch whose training
/// accuracy reaches the threshold, measures that epoch as its last checkpoint, and resumes
/// bit-exactly. The reference is the same run trained without the threshold and checkpointed
/// every epoch: its accuracies say where the stop belongs, and its parameters there must be
/// the stopped run's, bit for bit.
@Suite("early stop at a training accuracy", .serialized)
struct EarlyStopTests {
    /// Each checkpoint's epoch, training accuracy and a digest of its parameters, and the
    /// /meta stopped_early_epoch (−2 when absent), as JSON.
    private static let checkpointsScript = #"""
        import sys, json, hashlib, geodim_log, numpy as np
        r = geodim_log.read_run(sys.argv[1], spectra=False, inputs=False)
        digests = [hashlib.sha256(b"".join(np.ascontiguousarray(l.weight[k]).tobytes() + np.ascontiguousarray(l.bias[k]).tobytes()
                                            for l in r.params)).hexdigest() for k in range(len(r.checkpoints))]
        print(json.dumps({"epochs": [int(e) for e in r.checkpoints.epoch],
                          "accuracy": [float(a) for a in r.checkpoints.train_accuracy],
                          "digests": digests, "status": r.status,
                          "stopped": int(r.meta.get("stopped_early_epoch", -2))}))
        """#

    private struct Checkpoints: Decodable {
        let epochs: [Int]
        let accuracy: [Double]
        let digests: [String]
        let status: String
        let stopped: Int
    }

    private func read(_ directory: String) throws -> Checkpoints {
        let result = try runPython(script: Self.checkpointsScript, arguments: [directory + "/log.h5"])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(Checkpoints.self, from: Data(result.stdout.utf8))
    }

    @Test("stops after the first epoch at the threshold, with the reference's parameters; resumes exactly; a finished run is not resumed")
    func stopsWhereTheReferenceCrossesTheThreshold() throws {
        let scratch = try Scratch("early-stop")
        let common = scratch.placement + ["training.epochs=12", "bfd.enabled=false"]
        // The reference: every epoch a checkpoint, no threshold.
        let reference = scratch.runs + "/reference"
        var result = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", reference, "checkpoints.every=1"] + common)
        #expect(result.status == 0, "\(result.stderr)")
        let full = try read(reference)
        #expect(full.epochs == Array(0...12) && full.stopped == -2, "\(full.epochs) \(full.stopped)")
        // A threshold between two epochs' accuracies, crossed at an epoch that is no checkpoint.
        let threshold = 0.9
        let crossing = try #require(
            (1...12).first { full.accuracy[$0] >= threshold },
            "the reference never reaches \(threshold): \(full.accuracy)")
        try #require(crossing >= 2 && crossing < 12, "crossing at \(crossing): \(full.accuracy)")

        let stopped = scratch.runs + "/stopped"
        let early = common + ["checkpoints.every=null", "checkpoints.epochs=[0, 1, 12]", "training.stop_at_train_accuracy=\(threshold)"]
        result = try scratch.geodim(["train", scratch.configPath, "--run-dir", stopped] + early)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("stopped early after epoch \(crossing) of 12"), "\(result.stdout)")
        let logged = try read(stopped)
        #expect(logged.status == "completed" && logged.stopped == crossing)
        #expect(logged.epochs == [0, 1, crossing], "\(logged.epochs)")
        #expect(logged.accuracy.last == full.accuracy[crossing])
        #expect(logged.digests == [full.digests[0], full.digests[1], full.digests[crossing]],
                "the stopped run's parameters are the reference's at epochs 0, 1 and \(crossing)")

        // Stopped mid-way through the crossing epoch (19 batches an epoch), then resumed.
        let resumed = scratch.runs + "/resumed"
        let midEpoch = (crossing - 1) * 19 + 7
        result = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", resumed, "--stop-at-step", "\(midEpoch)"] + early)
        #expect(result.status == 0, "\(result.stderr)")
        result = try scratch.geodim(["resume", resumed])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("stopped early after epoch \(crossing) of 12"), "\(result.stdout)")
        try expectSameRun(stopped, resumed)

        // Finished: nothing to resume, and the message says why.
        result = try scratch.geodim(["resume", stopped])
        #expect(result.status == 64 && result.stderr.contains("stopped early after epoch \(crossing) of 12"),
                "\(result.status) \(result.stderr)")
        // Dropping the threshold trains on to the last epoch, checkpoint 12 included.
        result = try scratch.geodim(["resume", stopped, "training.stop_at_train_accuracy=null", "--force"])
        #expect(result.status == 0, "\(result.stderr)")
        let extended = try read(stopped)
        #expect(extended.epochs == [0, 1, crossing, 12] && extended.digests.last == full.digests[12],
                "\(extended.epochs)")
        #expect(extended.stopped == -1, "a resumed log resets stopped_early_epoch to -1")
    }

    @Test("the threshold is checked: outside (0, 1] is refused naming the key")
    func thresholdIsValidated() throws {
        let scratch = try Scratch("early-stop-bad")
        for value in ["0", "1.5", "-0.2", ".nan"] {
            let result = try scratch.geodim(
                ["train", scratch.configPath, "training.stop_at_train_accuracy=\(value)"] + scratch.placement)
            #expect(result.status != 0 && result.stderr.contains("training.stop_at_train_accuracy"),
                    "\(value): \(result.status) \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: scratch.runs), "no run directory for a refused config")
        }
    }
}
