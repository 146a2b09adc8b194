import Foundation
import Testing
import TestSupport

/// `data.dataset`: a Fashion-MNIST run trains and its log says so; Fashion-MNIST given as
/// MNIST is named for what it is; any IDX images with a declared class count train a network
/// of that many outputs, which `geodim bfd` can measure again from the log.
@Suite("data sets beyond MNIST, end to end", .serialized)
struct DatasetEndToEndTests {
    static let fashion = "/usr/share/datasets/fashion-mnist"
    static var fashionInstalled: Bool { FileManager.default.fileExists(atPath: fashion + "/train-images-idx3-ubyte.gz") }

    @Test("a Fashion-MNIST run trains, and its log records the data set and the files' checksums",
          .enabled(if: fashionInstalled, "Debian's dataset-fashion-mnist is not installed (scripts/setup.sh installs it)"))
    func fashionMNISTRun() throws {
        let scratch = try Scratch("fashion")
        let directory = scratch.runs + "/run"
        let run = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", directory, "logging.runs_directory=\(scratch.runs)",
             "data.dataset=fashion_mnist", "data.directory=\(Self.fashion)", "training.epochs=2"])
        #expect(run.status == 0, "\(run.stderr)")
        let check = try runPython(script: #"""
            import sys, gzip, hashlib, geodim_log
            run = geodim_log.read_run(sys.argv[1], spectra=False, params=False)
            m = run.meta
            assert m["dataset"] == "fashion_mnist" and m["dataset_checksums"] == "verified", (m["dataset"], m["dataset_checksums"])
            for f in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]:
                digest = hashlib.sha256(gzip.open(sys.argv[2] + "/" + f + ".gz").read()).hexdigest()
                assert m["mnist_sha256_" + f] == digest, (f, m["mnist_sha256_" + f], digest)
            assert "fashion_mnist" in run.config_yaml
            acc = run.checkpoints.test_accuracy
            assert acc[-1] > 0.5, acc    # 600 images, 2 epochs: well above chance (0.1)
            print("OK", acc[-1])
            """#, arguments: [directory + "/log.h5", Self.fashion])
        #expect(check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")
    }

    @Test("Fashion-MNIST given as MNIST, and MNIST as Fashion-MNIST, are named as such in one line",
          .enabled(if: fashionInstalled, "Debian's dataset-fashion-mnist is not installed"))
    func wrongKnownDataSet() throws {
        let scratch = try Scratch("fashion-as-mnist")
        let asMNIST = try scratch.geodim(["train", scratch.configPath, "logging.runs_directory=\(scratch.runs)", "data.directory=\(Self.fashion)"])
        #expect(asMNIST.status == 1 && asMNIST.stderr.split(separator: "\n").count == 1, "\(asMNIST.stderr)")
        #expect(asMNIST.stderr.contains("this is the Fashion-MNIST file, not the MNIST one") && asMNIST.stderr.contains("data.dataset: fashion_mnist"))
        let asFashion = try scratch.geodim(["train", scratch.configPath, "data.dataset=fashion_mnist"] + scratch.placement)
        #expect(asFashion.status == 1 && asFashion.stderr.contains("this is the MNIST file, not the Fashion-MNIST one"), "\(asFashion.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.runs))
    }

    @Test("any IDX images with data.classes: 8×8 images, 3 classes train a 64-…-3 network; geodim bfd reads them back")
    func genericIDXRun() throws {
        let scratch = try Scratch("idx")
        let data = scratch.path + "/idx"
        // Three classes of 8×8 images: a bright row, column or diagonal, with noise.
        let made = try runPython(script: #"""
            import sys, os, numpy as np
            out = sys.argv[1]; os.makedirs(out)
            rng = np.random.default_rng(7)
            def make(n):
                labels = rng.integers(0, 3, n).astype(np.uint8)
                images = rng.integers(0, 60, (n, 8, 8)).astype(np.uint8)
                for i, c in enumerate(labels):
                    k = rng.integers(0, 8)
                    if c == 0: images[i, k, :] = 250
                    elif c == 1: images[i, :, k] = 250
                    else: np.fill_diagonal(images[i], 250)
                return images, labels
            def write(name, array):
                header = bytes([0, 0, 8, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
                open(os.path.join(out, name), "wb").write(header + array.tobytes())
            for prefix, n in (("train", 400), ("t10k", 100)):
                images, labels = make(n)
                write(prefix + "-images-idx3-ubyte", images)
                write(prefix + "-labels-idx1-ubyte", labels)
            print("OK")
            """#, arguments: [data])
        #expect(made.stdout.hasPrefix("OK"), "\(made.stderr)")
        let directory = scratch.runs + "/run"
        let run = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", directory, "logging.runs_directory=\(scratch.runs)", "data.dataset=idx",
             "data.classes=3", "data.directory=\(data)", "data.train_size=400", "data.test_size=100", "training.epochs=8"])
        #expect(run.status == 0, "\(run.stderr)")
        let check = try runPython(script: #"""
            import sys, geodim_log
            run = geodim_log.read_run(sys.argv[1], spectra=False)
            m = run.meta
            assert list(m["layer_sizes"]) == [64, 16, 16, 3], m["layer_sizes"]
            assert m["dataset"] == "idx" and m["dataset_checksums"] == "not checked (idx)"
            t = run.bfd["test", "logits"]
            assert t.row_cap == 6 * 3, t.row_cap       # 6 test inputs x 3 outputs
            assert run.checkpoints.test_accuracy[-1] > 0.9, run.checkpoints.test_accuracy
            print("OK", int(t.rank[-1]))
            """#, arguments: [directory + "/log.h5"])
        #expect(check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")
        let logged = Int(check.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        let offline = try scratch.geodim(["bfd", directory + "/log.h5", "--inputs", "test", "--output", "logits", "--method", "jacobian"])
        #expect(offline.status == 0, "\(offline.stderr)")
        let row = offline.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("logits") }
        let offlineRank = row.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) }
        #expect(offlineRank != nil && offlineRank == logged, "geodim bfd: \(offline.stdout)")

        let missing = try scratch.geodim(["train", scratch.configPath, "data.dataset=idx", "data.directory=\(data)"] + scratch.placement)
        #expect(missing.status == 64 && missing.stderr.contains("data.classes") && missing.stderr.split(separator: "\n").count == 1,
                "\(missing.stderr)")
    }
}
