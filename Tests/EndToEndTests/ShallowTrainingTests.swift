import Foundation
import Testing
import TestSupport

/// The mse loss and `training.freeze` against the independent numpy trainer over whole
/// trajectories (100 steps on synthetic data, batch 32 of 100 points: three full batches and
/// one of 4 each epoch), and the synthetic data and regions in the log against numpy.
///
/// Tolerances: float64 1e-11 relative (as the MNIST twin: measured ~2e-16); float32 1e-5
/// relative for SGD, 0.25·η absolute for Adam (ReferenceTrainerTests explains both).
private let syntheticConfig = """
    name: reference-synthetic
    seed: 4
    model:
      hidden: [16, 8]
    data:
      source: synthetic
      train_size: 100
      test_size: 50
    synthetic:
      target: sine
      noise_std: 0.1
    training:
      epochs: 25
      batch_size: 32
      loss: mse
    optimizer:
      name: sgd
      lr: 0.05
    checkpoints:
      every: 25
    bfd:
      enabled: false
    """

private struct ShallowCase: CustomStringConvertible {
    let name: String
    let overrides: [String]
    let float32Tolerance: Double
    var isAdam: Bool { overrides.contains("optimizer.name=adam") }
    var description: String { name }
}

private let shallowCases: [ShallowCase] = [
    // Plain SGD runs the fused step (weights updated inside the backward GEMMs).
    ShallowCase(name: "sgd (fused), freeze [0]", overrides: ["training.freeze=[0]"], float32Tolerance: 1e-5),
    ShallowCase(name: "sgd momentum + L2, freeze [2]", overrides: [
        "optimizer.momentum=0.9", "optimizer.weight_decay=0.01", "training.freeze=[2]",
    ], float32Tolerance: 1e-5),
    ShallowCase(name: "adam, freeze [0, 1]", overrides: [
        "optimizer.name=adam", "optimizer.lr=0.003", "training.freeze=[0, 1]",
    ], float32Tolerance: 0.25 * 0.003),
    ShallowCase(name: "adam, nothing frozen", overrides: ["optimizer.name=adam", "optimizer.lr=0.003"],
                float32Tolerance: 0.25 * 0.003),
]

private func trainSynthetic(_ overrides: [String], label: String, config: String = syntheticConfig) throws -> String {
    let scratch = try makeTemporaryDirectory(label)
    let configPath = scratch + "/config.yaml"
    try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    let runDirectory = scratch + "/run"
    let trained = try runProgram(
        try geodimExecutable(), ["train", configPath, "--run-dir", runDirectory, "--dump-batches"] + overrides,
        directory: packageRoot().path)
    guard trained.status == 0 else { throw TestSupportError("geodim train failed: \(trained.stderr)") }
    return runDirectory
}

private func check(_ runDirectory: String, extra: [String] = []) throws -> [String: Any] {
    let result = try runProgram(
        "/usr/bin/env", ["python3", "scripts/reference_trainer.py", "check", runDirectory] + extra,
        directory: packageRoot().path)
    guard result.status == 0,
          let report = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    else { throw TestSupportError("reference_trainer.py failed (\(result.status)): \(result.stderr)") }
    return report
}

@Suite("mse and frozen layers against the numpy trainer, synthetic data in the log", .serialized)
struct ShallowTrainingTests {
    @Test("100 steps of half-MSE training with frozen layers, float32 and float64", arguments: shallowCases)
    fileprivate func trajectoryAgrees(_ shallowCase: ShallowCase) throws {
        for precision in ["float32", "float64"] {
            let run = try trainSynthetic(shallowCase.overrides + ["training.precision=\(precision)"], label: "shallow-ref")
            let report = try check(run)
            #expect(report["steps"] as? Int == 100, "\(report)")
            #expect(report["loss"] as? String == "mse")
            #expect(report["frozen_bitwise_unchanged"] as? Bool == true, "\(shallowCase): a frozen layer moved")
            let layers = report["layers"] as? [[String: Any]] ?? []
            if precision == "float32" && shallowCase.isAdam {
                let absolute = layers.map {
                    ($0["relative_difference"] as? Double ?? .infinity) * ($0["max_abs"] as? Double ?? .infinity)
                }.max() ?? .infinity
                #expect(!layers.isEmpty && absolute <= shallowCase.float32Tolerance, "\(shallowCase) float32: \(report)")
            } else {
                let difference = report["relative_difference"] as? Double ?? .infinity
                let tolerance = precision == "float64" ? 1e-11 : shallowCase.float32Tolerance
                #expect(difference <= tolerance, "\(shallowCase) \(precision): \(difference) > \(tolerance); \(report)")
            }
        }
    }

    @Test("the twin can fail: replaying without the partial batches differs")
    func differentProtocolIsDetected() throws {
        let run = try trainSynthetic(["training.precision=float64", "training.freeze=[0]"], label: "shallow-drop")
        let report = try check(run, extra: ["--drop-last"])
        #expect(report["steps"] as? Int == 75)
        #expect((report["relative_difference"] as? Double ?? 0) > 1e-3, "\(report)")
    }

    @Test("mse on MNIST trains against one-hot labels, as the twin does")
    func mnistMSEAgrees() throws {
        let config = """
            name: reference-mnist-mse
            seed: 3
            model:
              hidden: [32]
            data:
              directory: \(packageRoot().path)/data/mnist
              train_size: 300
              test_size: 50
            training:
              epochs: 2
              batch_size: 64
              loss: mse
              precision: float64
            optimizer:
              name: sgd
              lr: 0.5
              momentum: 0.5
            checkpoints:
              every: 2
            bfd:
              enabled: false
            """
        let run = try trainSynthetic([], label: "shallow-mnist-mse", config: config)
        let report = try check(run)
        #expect(report["steps"] as? Int == 10)
        #expect((report["relative_difference"] as? Double ?? .infinity) <= 1e-11, "\(report)")
    }

    @Test("/data/synthetic holds the seeded inputs and targets; regions and kinks match numpy")
    func syntheticLogAndRegions() throws {
        let run = try trainSynthetic(
            ["model.hidden=[12]", "bfd.enabled=true", "bfd.inputs=[train]", "bfd.train_samples=null",
             "bfd.outputs=[logits]", "bfd.exact=true", "synthetic.target=piecewise_linear", "training.precision=float64"],
            label: "shallow-regions")
        let result = try runPython(script: """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1] + "/log.h5", "r")
            s = f["data/synthetic"]
            x = s["train_x"][:, 0].astype(float); y = s["train_y"][:].astype(float)
            tx = s["test_x"][:, 0]
            # The target: linear interpolation of the default knots; noise std 0.1 around it.
            clean = np.interp(x, [-1, -0.5, 0, 0.5, 1], [0, 1, -0.5, 0.5, 0])
            r = y - clean
            ok = [abs(r.std() - 0.1) < 0.03, abs(r.mean()) < 0.04, x.min() >= -1, x.max() <= 1,
                  np.allclose(tx, np.linspace(-1, 1, 50).astype(np.float32)),
                  np.allclose(s["test_y"][:], np.interp(tx.astype(float), [-1, -0.5, 0, 0.5, 1], [0, 1, -0.5, 0.5, 0]), atol=1e-6)]
            reg = f["checkpoints/regions"]
            for k in range(len(f["checkpoints/step"])):
                w = f["params/layer0/weight"][k][:, 0]; b = f["params/layer0/bias"][k]
                kinks = np.where(w != 0, -b / np.where(w != 0, w, 1), np.nan)
                ok.append(np.allclose(reg["kinks"][k], kinks, rtol=1e-12, equal_nan=True))
                # regions seen: distinct first-layer patterns over the sorted points (shallow net)
                patterns = {tuple(row) for row in (np.outer(x, w) + b > 0)}
                ok.append(int(reg["regions_seen"][k]) == len(patterns))
                inside = kinks[(kinks >= x.min()) & (kinks <= x.max())]
                ok.append(int(reg["kinks_in_range"][k]) == len(inside))
                e = f["checkpoints/bfd/train_logits/rank_exact"][k]
                ok.append(e <= 2 * reg["regions_seen"][k])
            print(all(ok), ok)
            """, arguments: [run])
        #expect(result.stdout.hasPrefix("True"), "\(result.stdout)\(result.stderr)")
    }
}

@Suite("synthetic runs: offline BFD, resume", .serialized)
struct ShallowRunToolsTests {
    private let overrides = [
        "model.hidden=[20]", "training.freeze=[0]", "training.precision=float64", "bfd.enabled=true",
        "bfd.inputs=[train, test]", "bfd.train_samples=null", "bfd.test_samples=30", "bfd.outputs=[logits]",
        "checkpoints.every=5", "optimizer.momentum=0.9",
    ]

    @Test("geodim bfd recomputes the logged rank from /data/synthetic")
    func offlineBFD() throws {
        let run = try trainSynthetic(overrides, label: "shallow-offline")
        for source in ["train", "test"] {
            let offline = try runProgram(
                try geodimExecutable(), ["bfd", run, "--inputs", source, "--output", "logits"], directory: packageRoot().path)
            #expect(offline.status == 0, "\(offline.stderr)")
            let row = offline.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("logits") }
            let rank = row.flatMap { Int($0.split(separator: " ")[1]) }
            let logged = try runPython(script: """
                import sys, h5py
                print(int(h5py.File(sys.argv[1] + "/log.h5", "r")[f"checkpoints/bfd/{sys.argv[2]}_logits/rank"][-1]))
                """, arguments: [run, source])
            #expect(rank != nil && rank == Int(logged.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),
                    "\(source): offline \(String(describing: rank)), logged \(logged.stdout)")
        }
    }

    @Test("a stopped and resumed run with frozen layers ends bit-identical, regions and trained ranks included")
    func resumeIsBitExact() throws {
        let straight = try trainSynthetic(overrides, label: "shallow-straight")
        let stopped = try trainSynthetic(overrides + ["--stop-at-step", "37"], label: "shallow-stopped")
        let resumed = try runProgram(try geodimExecutable(), ["resume", stopped], directory: packageRoot().path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let compare = try runPython(script: """
            import sys, h5py, numpy as np
            a, b = (h5py.File(p + "/log.h5", "r") for p in sys.argv[1:3])
            names = ["params/layer0/weight", "params/layer1/weight", "params/layer1/bias", "checkpoints/regions/kinks",
                     "checkpoints/regions/regions_seen", "checkpoints/bfd_trained/train_rank",
                     "checkpoints/bfd_trained/test_rank", "checkpoints/bfd/train_logits/rank", "checkpoints/train_loss"]
            same = [np.array_equal(a[n][...], b[n][...], equal_nan=a[n].dtype.kind == "f") for n in names]
            frozen = np.array_equal(a["params/layer0/weight"][0], a["params/layer0/weight"][-1])
            print(all(same) and frozen and len(a["checkpoints/step"]) == 6, same, frozen,
                  list(a["checkpoints/bfd_trained"].attrs["trained_layers"]))
            """, arguments: [straight, stopped])
        #expect(compare.stdout.hasPrefix("True"), "\(compare.stdout)\(compare.stderr)")
        #expect(compare.stdout.contains("[np.int64(1)]") || compare.stdout.contains("[1]"), "\(compare.stdout)")
    }
}
