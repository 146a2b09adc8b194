import Foundation
import Testing
import TestSupport

/// End-to-end: the built `geodim` binary trains on the bundled MNIST, and an external reader
/// (h5py + numpy, a separate implementation) checks the log and recomputes a BFD from it.

private let tinyConfig = """
    name: tiny
    seed: 7
    model:
      hidden: [16, 16]
    data:
      protocol: standard
      train_size: 3000
      test_size: 1000
    training:
      epochs: 4
      batch_size: 32
      log_every: 5
    optimizer:
      name: sgd
      lr: 0.1
    checkpoints:
      every: 2
    bfd:
      outputs: [logits, softmax, centred]
      train_samples: 12
      test_samples: 12
      random_samples: 12
    """

/// Runs `geodim train` on `config` in a fresh runs directory; returns that directory and the result.
func train(config: String, overrides: [String] = [], label: String) throws -> (runs: String, result: ProgramResult) {
    let root = packageRoot().path
    let scratch = try makeTemporaryDirectory(label)
    let configPath = scratch + "/config.yaml"
    try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    let runs = scratch + "/runs"
    let result = try runProgram(
        try geodimExecutable(),
        ["train", configPath, "logging.runs_directory=\(runs)", "data.directory=\(root)/data/mnist"] + overrides,
        directory: root)
    return (runs, result)
}

/// The single run directory under `runs/<name>/`.
func onlyRunDirectory(_ runs: String, name: String) throws -> String {
    let parent = runs + "/" + name
    let entries = try FileManager.default.contentsOfDirectory(atPath: parent)
    guard entries.count == 1, let only = entries.first else {
        throw TestSupportError("expected one run directory in \(parent), found \(entries)")
    }
    return parent + "/" + only
}

/// `scripts/recompute_bfd.py` on one logged entry: its JSON object (numpy's ranks and σ₁, and the
/// values geodim logged under `logged`). Throws if the script fails or prints no JSON object.
func recomputeBFD(_ log: String, checkpoint: String, source: String, output: String) throws -> [String: Any] {
    let run = try runProgram(
        "/usr/bin/env", ["python3", "scripts/recompute_bfd.py", log, "--checkpoint", checkpoint, "--source", source,
                         "--output", output],
        directory: packageRoot().path)
    guard run.status == 0,
          let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
    else {
        throw TestSupportError("recompute_bfd.py \(source)/\(output) failed (\(run.status)): \(run.stderr)")
    }
    return object
}

@Suite("geodim train, end to end", .serialized)
struct TrainingRunTests {
    @Test("a tiny run writes a complete log that h5py reads, and learns")
    func tinyRunWritesAReadableLog() throws {
        let (runs, result) = try train(config: tinyConfig, label: "tiny")
        #expect(result.status == 0, "geodim failed: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").filter { $0.hasPrefix("ep ") }
        #expect(lines.count == 3, "expected summary lines at epochs 0, 2, 4:\n\(result.stdout)")
        #expect(lines.allSatisfy { $0.contains("logits tr") && $0.contains("te") && $0.contains("rnd") })
        let directory = try onlyRunDirectory(runs, name: "tiny")
        for file in ["config.yaml", "log.h5", "train.log", "overrides.txt"] {
            #expect(FileManager.default.fileExists(atPath: directory + "/" + file), "missing \(file)")
        }
        let check = try runPython(script: Self.logChecks, arguments: [directory + "/log.h5"])
        #expect(check.status == 0, "h5py checks failed:\n\(check.stdout)\n\(check.stderr)")
        #expect(check.stdout.contains("ALL CHECKS PASSED"), "\(check.stdout)")
    }

    /// Checks groups, datasets, shapes, attributes and values against the config above, from
    /// first principles (P from the architecture, caps from n and d, steps from sizes).
    static let logChecks = #"""
    import sys, h5py, numpy as np, geodim_log
    run = geodim_log.read_run(sys.argv[1])
    f = h5py.File(sys.argv[1], "r")   # only for the HDF5 structure: dimension scales
    def ok(cond, what):
        if not cond:
            print("FAILED:", what); sys.exit(1)
    ok(run.root["format"] == "geodim-run", "format")
    ok(run.format_version == 2 and run.root["format_version"] == 2, "format_version")
    ok(run.status == "completed", "status " + run.status)
    meta = run.meta
    cfg = run.config_yaml
    ok("hidden: [16, 16]" in cfg and "name: tiny" in cfg, "config stored")
    sizes = [784, 16, 16, 10]
    P = sum(sizes[i + 1] * (sizes[i] + 1) for i in range(3))
    ok(meta["parameter_count"] == P, "P")
    ok(meta["layer_sizes"] == sizes, "layer sizes")
    ok(meta["hidden_neurons"] == 32, "hidden")
    for k in ["host", "cpu_model", "blas", "start_time", "end_time", "mnist_sha256_train-images-idx3-ubyte"]:
        ok(k in meta, "meta attr " + k)
    ok(meta["mnist_sha256_train-labels-idx1-ubyte"] == "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", "label checksum")
    d = run.data
    ok(d.train_indices.shape == (3000,) and d.test_indices.shape == (1000,), "split sizes")
    ti, te = d.train_indices, d.test_indices
    ok(ti.max() < 60000 and te.min() >= 60000 and len(set(ti)) == 3000, "standard protocol indices")
    ok(d.random_inputs.shape == (12, 784), "random inputs shape")
    ok(abs(d.random_inputs.mean() - 0.5) < 0.05, "random mean")
    ok(list(d.bfd_train_indices) == list(ti[:12]), "bfd train = first 12 training inputs")
    steps_per_epoch = (3000 + 31) // 32
    tr = run.train
    ok(tr.step.shape == (4 * steps_per_epoch // 5,), "train rows " + str(tr.step.shape))
    ok(np.all(np.diff(tr.step) == 5), "log_every")
    ok(f["train/loss"].dims[0][0].name == "/train/step", "train dimension scale")
    ok(np.all(np.isfinite(tr.loss)), "finite losses")
    c = run.checkpoints
    ok(list(c.epoch) == [0, 2, 4], "checkpoint epochs")
    ok(list(c.step) == [0, 2 * steps_per_epoch, 4 * steps_per_epoch], "checkpoint steps")
    ok(c.test_accuracy[-1] >= 0.85, "test accuracy after 4 epochs on 3000 images: " + str(c.test_accuracy[-1]))
    ok(c.test_accuracy[0] < 0.3, "untrained accuracy near chance")
    # A completed log holds exactly its committed rows, in every growing dataset.
    wrong = {p: n for p, n in run.stored_rows.items() if n != (len(tr.step) if p.startswith("train/") else 3)}
    ok(not wrong, "rows on disk " + str(wrong))
    names = sorted(g.name for g in run.bfd.values())
    ok(names == sorted(s + "_" + o for s in ["train", "test", "random"] for o in ["logits", "softmax", "centred"]), "series " + str(names))
    ok(all(run.bfd[g.source, g.output] is g and g.name == g.source + "_" + g.output for g in run.bfd.values()), "series keys")
    for g in run.bfd.values():
        name, n = g.name, g.n
        cap = n * 10 if g.output == "logits" else n * 9
        ok(g.row_cap == cap and g.attrs["rows"] == n * 10, name + " caps")
        ok(g.attrs["symmetry_bound"] == P - 32, name + " symmetry bound")
        r, ub = g.rank, g.upper_bound
        ok(r.shape == (3,) and np.all(r <= ub) and np.all(ub <= cap), name + " rank <= bound <= cap")
        ok(g.spectrum.shape == (3, min(n * 10, P)), name + " spectrum shape")
        ok(f["checkpoints/bfd/" + name + "/rank"].dims[0][0].name == "/checkpoints/step", name + " dimension scale")
        ok(np.all(np.diff(g.singular_values(0)) <= 0), name + " spectrum descending")
    # At initialisation, 12 inputs on this net give the full row cap (n*d << P).
    ok(int(run.bfd["train", "logits"].rank[0]) == 120 and int(run.bfd["train", "centred"].rank[0]) == 108, "init ranks")
    nr = run.neurons["train"]
    ok(nr.dead.shape == (3, 2) and nr.patterns.shape == (3,), "neuron stats shapes")
    ok(np.all(nr.patterns <= 12) and np.all(nr.patterns >= 1), "patterns <= n")
    p = run.params
    ok(len(p) == 3 and p[0].weight.shape == (3, 16, 784) and p[2].bias.shape == (3, 10), "param shapes")
    ok(p[0].weight.dtype == np.float32, "float32 params")
    b0 = p[0].bias[0]
    ok(np.all(b0 == 0), "zero initial biases")
    lim = np.sqrt(6 / (784 + 16))
    ok(np.abs(p[0].weight[0]).max() <= lim, "glorot bound")
    # Recompute the final test accuracy from the stored parameters and the recorded indices.
    import gzip
    def idx(path):
        data = gzip.open(path).read()
        dims = data[3]
        shape = [int.from_bytes(data[4+4*i:8+4*i], "big") for i in range(dims)]
        return np.frombuffer(data, np.uint8, offset=4+4*dims).reshape(shape)
    pool = np.concatenate([idx("data/mnist/train-images-idx3-ubyte.gz").reshape(-1, 784), idx("data/mnist/t10k-images-idx3-ubyte.gz").reshape(-1, 784)])
    labels = np.concatenate([idx("data/mnist/train-labels-idx1-ubyte.gz"), idx("data/mnist/t10k-labels-idx1-ubyte.gz")])
    x = pool[te].astype(np.float64) / 255
    ok(np.array_equal(labels[te], d.test_labels), "test labels match indices")
    weights, biases = run.parameters(-1)
    for l in range(3):
        x = x @ weights[l].T.astype(np.float64) + biases[l]
        if l < 2: x = np.maximum(x, 0)
    acc = (x.argmax(1) == labels[te]).mean()
    ok(abs(acc - c.test_accuracy[-1]) <= 0.002, f"recomputed accuracy {acc} vs logged {c.test_accuracy[-1]}")
    print("ALL CHECKS PASSED")
    """#

    @Test("a BFD recomputed from the log alone by numpy equals the logged one")
    func bfdRecomputedIndependently() throws {
        let (runs, result) = try train(config: tinyConfig, overrides: ["bfd.train_samples=30", "bfd.random_samples=20"], label: "recompute")
        #expect(result.status == 0, "geodim failed: \(result.stderr)")
        let log = try onlyRunDirectory(runs, name: "tiny") + "/log.h5"
        for (source, output, checkpoint) in [("train", "logits", "-1"), ("train", "centred", "-1"), ("random", "logits", "0"),
                                             ("test", "centred", "0")] {
            let object = try recomputeBFD(log, checkpoint: checkpoint, source: source, output: output)
            let numpyRank = object["rank_numpy"] as? Int
            let logged = (object["logged"] as? [String: Any])?["rank"] as? Int
            #expect(numpyRank != nil && numpyRank == logged, "\(source)/\(output): numpy \(String(describing: numpyRank)) vs logged \(String(describing: logged))")
        }
    }

    @Test("random-label extras and input noise are applied, logged, and measured on the noisy inputs")
    func randomLabelExtrasAndInputNoise() throws {
        let (runs, result) = try train(
            config: tinyConfig,
            overrides: ["data.random_label_extras=500", "data.input_noise_std=0.3", "bfd.train_samples=20", "bfd.method=jacobian",
                        "training.epochs=2", "checkpoints.every=2"],
            label: "variants")
        #expect(result.status == 0, "geodim failed: \(result.stderr)")
        let log = try onlyRunDirectory(runs, name: "tiny") + "/log.h5"
        // An independent reading of the log and of the MNIST files (numpy, not geodim).
        let check = try runPython(script: #"""
            import gzip, sys, numpy as np, geodim_log
            def idx(name):
                with gzip.open(f"data/mnist/{name}.gz") as f: data = f.read()
                dims = data[3]; shape = [int.from_bytes(data[4+4*i:8+4*i], "big") for i in range(dims)]
                return np.frombuffer(data, np.uint8, offset=4+4*dims).reshape(shape)
            images = np.concatenate([idx("train-images-idx3-ubyte"), idx("t10k-images-idx3-ubyte")]).reshape(-1, 784) / 255.0
            labels = np.concatenate([idx("train-labels-idx1-ubyte"), idx("t10k-labels-idx1-ubyte")])
            data = geodim_log.read_run(sys.argv[1]).data
            train, tl = data.train_indices, data.train_labels
            test = data.test_indices
            def ok(c, m):
                if not c: print("FAIL:", m); sys.exit(1)
            ok(len(train) == 3500 and len(tl) == 3500, f"train set of {len(train)}, want 3000 + 500 extras")
            ok(len(set(train)) == 3500 and not set(train) & set(test), "extras overlap the train or test images")
            ok(np.array_equal(tl[:3000], labels[train[:3000]]), "original labels changed")
            agree = np.mean(tl[3000:] == labels[train[3000:]])
            ok(agree < 0.25 and len(set(tl[3000:])) == 10, f"extras' labels agree with the digits {agree:.2f} of the time")
            ok(np.array_equal(data.bfd_train_indices, train[:20]), "BFD train inputs are not the first originals")
            stored = data.bfd_train_inputs
            noise = stored - images[train[:20]]
            ok(stored.shape == (20, 784), f"stored inputs {stored.shape}")
            ok(abs(noise.std() - 0.3) < 0.02 and abs(noise.mean()) < 0.02, f"noise mean {noise.mean():.3f} std {noise.std():.3f}")
            print("ALL CHECKS PASSED")
            """#, arguments: [log])
        #expect(check.stdout.contains("ALL CHECKS PASSED"), "\(check.stdout)\(check.stderr)")

        // The BFD of the noisy inputs, recomputed from the log by numpy and by geodim bfd.
        let object = try recomputeBFD(log, checkpoint: "-1", source: "train", output: "logits")
        let numpyRank = object["rank_numpy"] as? Int
        let logged = (object["logged"] as? [String: Any])?["rank"] as? Int
        #expect(numpyRank != nil && numpyRank == logged, "numpy \(String(describing: numpyRank)) vs logged \(String(describing: logged))")
        // The largest singular value pins down the inputs: clean images would give another one.
        let sigma = object["sigma_1"] as? Double ?? 0
        let loggedSigma = (object["logged"] as? [String: Any])?["sigma_1"] as? Double ?? -1
        #expect(abs(sigma - loggedSigma) <= 1e-6 * sigma, "numpy σ₁ \(sigma) vs logged \(loggedSigma)")
        let offline = try runProgram(
            try geodimExecutable(), ["bfd", log, "--inputs", "train", "--output", "logits", "--method", "jacobian"],
            directory: packageRoot().path)
        let row = offline.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("logits") }
        let offlineRank = row.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) }
        #expect(offlineRank != nil && offlineRank == logged, "geodim bfd: \(offline.stdout)\(offline.stderr)")
    }

    @Test("the logged CFFD of a small network reaches P - hidden through doubling Gaussian batches")
    func cffdIsLoggedAndReachesTheParameterBound() throws {
        // 784-4-10: P - hidden = 3,186. One input's 10 Jacobian rows reach at most 4 directions
        // of the first layer's block (one per hidden neuron, e_j ⊗ [x, 1]) and the second layer
        // has 50 parameters, so a batch of n gives at most 4·n + 50, far below n·d: the estimate
        // needs about 800 Gaussian inputs (8,000 rows and more) before it reaches the bound.
        let (runs, result) = try train(
            config: tinyConfig,
            overrides: ["model.hidden=[4]", "bfd.cffd=true", "bfd.cffd_max_rows=40000", "training.epochs=1",
                        "checkpoints.every=1", "bfd.train_samples=5", "bfd.test_samples=5", "bfd.random_samples=5"],
            label: "cffd")
        #expect(result.status == 0, "geodim failed: \(result.stderr)")
        let log = try onlyRunDirectory(runs, name: "tiny") + "/log.h5"
        let check = try runPython(script: #"""
            import sys, numpy as np, geodim_log
            run = geodim_log.read_run(sys.argv[1], spectra=False, params=False)
            bound = run.meta["parameter_count"] - run.meta["hidden_neurons"]
            c = run.cffd
            for k in range(len(run.checkpoints.epoch)):
                sizes = [int(s) for s in c.sizes[k] if s > 0]
                ranks = [int(r) for r in c.ranks[k] if r >= 0]
                assert len(sizes) == len(ranks) >= 2, (sizes, ranks)
                assert all(b == 2 * a for a, b in zip(sizes, sizes[1:])), sizes
                assert all(r <= min(10 * n, 4 * n + 50, bound) for n, r in zip(sizes, ranks)), (sizes, ranks)
                assert ranks == sorted(ranks), ranks
                assert c.converged[k] and c.estimate[k] == bound == ranks[-1], (c.estimate[k], bound, ranks)
                assert ranks[-2] < bound, "it should stop at the first size that reaches the bound"
            print("ALL CHECKS PASSED", bound)
            """#, arguments: [log])
        #expect(check.stdout.contains("ALL CHECKS PASSED 3186"), "\(check.stdout)\(check.stderr)")
    }

    @Test("the same config and seed give identical logged values")
    func runsAreDeterministic() throws {
        let overrides = ["training.epochs=2", "checkpoints.every=1", "data.train_size=1000", "data.test_size=200"]
        let first = try train(config: tinyConfig, overrides: overrides, label: "det1")
        let second = try train(config: tinyConfig, overrides: overrides, label: "det2")
        #expect(first.result.status == 0 && second.result.status == 0)
        let a = try onlyRunDirectory(first.runs, name: "tiny") + "/log.h5"
        let b = try onlyRunDirectory(second.runs, name: "tiny") + "/log.h5"
        // Every dataset, its shape and dtype (times differ, and so does the runs directory named
        // in the config and overrides): the comparison the resume tests use.
        let compare = try runPython(script: compareLogsScript, arguments: [a, b])
        #expect(compare.stdout.hasPrefix("IDENTICAL"), "\(compare.stdout)\(compare.stderr)")
    }

    @Test("geodim inspect prints the config summary and a checkpoint table")
    func inspectPrintsTheTable() throws {
        let (runs, result) = try train(config: tinyConfig, overrides: ["training.epochs=1", "checkpoints.every=1"], label: "inspect")
        #expect(result.status == 0, "geodim failed: \(result.stderr)")
        let directory = try onlyRunDirectory(runs, name: "tiny")
        let inspect = try runProgram(try geodimExecutable(), ["inspect", directory + "/log.h5"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("784-16-16-10") && inspect.stdout.contains("completed"))
        let rows = inspect.stdout.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).first?.isNumber == true }
        #expect(rows.count == 2, "two checkpoint rows expected:\n\(inspect.stdout)")
        #expect(inspect.stdout.contains("train_logits") && inspect.stdout.contains("/120"))
    }
}
