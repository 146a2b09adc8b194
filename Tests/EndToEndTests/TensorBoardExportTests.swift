import Foundation
import Testing
import TestSupport

/// `geodim export LOG --tensorboard DIR`, read back by TensorBoard's own event reader and
/// compared, scalar for scalar, with the log as h5py reads it.
@Suite("tensorboard export", .serialized)
struct TensorBoardExportTests {
    /// Reads the events in argv[2] with EventAccumulator and compares them with the log at
    /// argv[1]; also checks every record's framing and masked CRC-32C independently.
    private let compareScript = #"""
        import sys, os, glob, struct, h5py, numpy as np
        from tensorboard.backend.event_processing import event_accumulator as ea
        log, directory = sys.argv[1], sys.argv[2]

        def crc32c(data):
            crc = 0xFFFFFFFF
            for byte in data:
                crc ^= byte
                for _ in range(8):
                    crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
            return crc ^ 0xFFFFFFFF
        def masked(data):
            c = crc32c(data)
            return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF
        assert crc32c(b"123456789") == 0xE3069283
        files = glob.glob(os.path.join(directory, "*tfevents*"))
        assert len(files) == 1, files
        raw, at, records = open(files[0], "rb").read(), 0, 0
        while at < len(raw):
            header = raw[at:at + 8]
            (length,) = struct.unpack("<Q", header)
            assert struct.unpack("<I", raw[at + 8:at + 12])[0] == masked(header)
            data = raw[at + 12:at + 12 + length]
            assert struct.unpack("<I", raw[at + 12 + length:at + 16 + length])[0] == masked(data)
            at += 16 + length
            records += 1
        assert at == len(raw)

        expected = {}   # tag -> (steps, values)
        with h5py.File(log, "r") as f:
            k, t = len(f["checkpoints/step"]), len(f["train/step"])
            steps = f["checkpoints/step"][:k]
            for c in ["epoch", "wall_time_s", "train_loss", "train_accuracy", "test_loss", "test_accuracy"]:
                expected["checkpoints/" + c] = (steps, f["checkpoints/" + c][:k])
            for name, g in f["checkpoints/bfd"].items():
                for c, d in g.items():
                    if isinstance(d, h5py.Dataset) and d.ndim == 1 and d.dtype.kind in "iuf" and d.attrs.get("CLASS") != b"DIMENSION_SCALE":
                        expected[f"bfd/{name}/{c}"] = (steps, d[:k])
            for source, g in f["checkpoints/neurons"].items():
                for c in ["dead", "always_active"]:
                    for layer in range(g[c].shape[1]):
                        expected[f"neurons/{source}/{c}/layer{layer + 1}"] = (steps, g[c][:k, layer])
                expected[f"neurons/{source}/patterns"] = (steps, g["patterns"][:k])
            for c in ["loss", "lr"]:
                expected["train/" + c] = (f["train/step"][:t], f["train/" + c][:t])
            assert "rank_exact" in f["checkpoints/bfd/test_logits"] and k >= 2 and t >= 10, (k, t)

        acc = ea.EventAccumulator(directory, size_guidance={ea.SCALARS: 0})
        acc.Reload()
        tags = set(acc.Tags()["scalars"])
        assert tags == set(expected), (sorted(tags ^ set(expected)))
        compared = 0
        for tag, (steps, values) in expected.items():
            events = acc.Scalars(tag)
            assert [e.step for e in events] == [int(s) for s in steps], (tag, [e.step for e in events], steps)
            for e, v in zip(events, values):
                want = np.float32(v)
                assert (np.isnan(want) and np.isnan(e.value)) or np.float32(e.value) == want, (tag, e.step, e.value, v)
                compared += 1
        print("OK", records, len(tags), compared)
        """#

    @Test("every checkpoint and /train scalar, read back by TensorBoard's EventAccumulator, equals the log's")
    func exportReadBack() throws {
        let scratch = try Scratch("tensorboard-export")
        let directory = scratch.runs + "/run"
        let trained = try scratch.geodim(["train", scratch.configPath, "--run-dir", directory, "bfd.exact=true"] + scratch.placement)
        #expect(trained.status == 0, "\(trained.stderr)")
        let events = scratch.path + "/tb"
        for _ in 0..<2 {  // exporting again replaces the file rather than adding a second one
            let export = try scratch.geodim(["export", directory, "--tensorboard", events])
            #expect(export.status == 0 && export.stdout.contains("scalars"), "\(export.stderr)")
        }
        let check = try runPython(script: compareScript, arguments: [directory + "/log.h5", events])
        #expect(check.status == 0 && check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")
        print("tensorboard export: \(check.stdout)")
        let missing = try scratch.geodim(["export", scratch.path + "/nothing.h5", "--tensorboard", events])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("geodim: error:"), "\(missing.stderr)")
    }
}
