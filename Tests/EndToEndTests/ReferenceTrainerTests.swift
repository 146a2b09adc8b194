import Foundation
import Testing
import TestSupport

/// The trainer against an independent one, over whole trajectories: geodim trains 1,000
/// MNIST images (batch 64: 15 full batches and a partial one of 40 each epoch) for 3 epochs,
/// exporting its initial parameters (the log's first checkpoint) and its exact sample order
/// (`--dump-batches`). `scripts/reference_trainer.py check`, a numpy trainer written from the
/// mathematics, replays the 48 steps from the same start and compares its parameters with the
/// ones geodim logged at the end.
///
/// Tolerance, as max |θ_geodim − θ_ref| / max |θ_ref| per layer and kind (weights, biases):
/// - float64: 1e-11 (measured ≤ 2e-14: a few hundred ulps after 48 steps);
/// - float32, SGD with and without momentum: 1e-5 (measured ≤ 6e-7, ≈ 5 ulps of float32);
/// - float32, Path-SGD: 1e-5, as SGD (its κ is computed in float32 here, in float64 by the
///   reference; the schedules' rates are computed in float64 by both);
/// - float32, Adam: a quarter of one Adam step, max |θ_geodim − θ_ref| ≤ 0.25·η (η = 1e-3), in
///   absolute terms. Adam moves every parameter by about η per step whatever its gradient's
///   size (m̂/(√v̂ + ε)), so a gradient entry near zero whose float32 rounding differs between
///   two GEMM kernels can change that entry's steps by a fraction of η: the rounding of the
///   sums, not a different rule, and its size depends on the BLAS kernel, not on the scale of
///   θ. Measured: ≤ 2.6e-6 (0.003 η) with OpenBLAS's Intel kernels; 6.8e-5 (0.07 η, 5.4e-4
///   relative) with its kernels on an AMD EPYC, which a relative bound of 2e-4 refused. The
///   same Adam + L2 run replayed with its partial batches dropped differs by 0.013 (13 η).
/// Replaying with the partial batches dropped (a different protocol) differs by ≈ 0.2: the
/// check can fail.
private let referenceConfig = """
    name: reference
    seed: 3
    model:
      hidden: [32, 16]
    data:
      protocol: standard
      train_size: 1000
      test_size: 100
    training:
      epochs: 3
      batch_size: 64
    optimizer:
      name: sgd
      lr: 0.1
    checkpoints:
      every: 3
    bfd:
      enabled: false
    """

private struct Case: CustomStringConvertible {
    let name: String
    let overrides: [String]
    /// For SGD: the relative tolerance; for Adam: the absolute one (a fraction of η).
    let float32Tolerance: Double
    var isAdam: Bool { overrides.contains("optimizer.name=adam") }
    var description: String { name }
}

private let cases: [Case] = [
    Case(name: "sgd", overrides: [], float32Tolerance: 1e-5),
    Case(name: "sgd momentum", overrides: ["optimizer.momentum=0.9", "optimizer.lr=0.05"], float32Tolerance: 1e-5),
    Case(name: "sgd nesterov + weight decay", overrides: [
        "optimizer.momentum=0.9", "optimizer.nesterov=true", "optimizer.weight_decay=0.01", "optimizer.lr=0.05",
    ], float32Tolerance: 1e-5),
    Case(name: "adam", overrides: ["optimizer.name=adam", "optimizer.lr=0.001"], float32Tolerance: 0.25 * 0.001),
    Case(name: "adam L2", overrides: ["optimizer.name=adam", "optimizer.lr=0.001", "optimizer.weight_decay=0.01"],
         float32Tolerance: 0.25 * 0.001),
    Case(name: "adamw (decoupled)", overrides: [
        "optimizer.name=adam", "optimizer.lr=0.001", "optimizer.weight_decay=0.1", "optimizer.decoupled_weight_decay=true",
    ], float32Tolerance: 0.25 * 0.001),
    // Path-SGD's reference computes κ in float64 by its own dynamic programming over the DAG.
    Case(name: "path_sgd", overrides: ["optimizer.name=path_sgd", "optimizer.lr=0.1"], float32Tolerance: 1e-5),
    Case(name: "path_sgd nesterov, cosine with warm-up", overrides: [
        "optimizer.name=path_sgd", "optimizer.lr=0.05", "optimizer.momentum=0.9", "optimizer.nesterov=true",
        "optimizer.schedule=cosine", "optimizer.warmup_steps=5", "optimizer.lr_min=0.001",
    ], float32Tolerance: 1e-5),
    Case(name: "sgd momentum, step decay", overrides: [
        "optimizer.momentum=0.9", "optimizer.lr=0.05", "optimizer.schedule=step", "optimizer.decay_epochs=1",
        "optimizer.decay_factor=0.5",
    ], float32Tolerance: 1e-5),
]

/// Trains ``referenceConfig`` with `overrides` and `--dump-batches` (plus `arguments`) in a
/// fresh scratch run directory; that directory.
private func trainReferenceRun(_ overrides: [String], label: String, arguments: [String] = []) throws -> String {
    let scratch = try makeTemporaryDirectory(label)
    let configPath = scratch + "/config.yaml"
    try referenceConfig.write(toFile: configPath, atomically: true, encoding: .utf8)
    let root = packageRoot().path
    let runDirectory = scratch + "/run"
    let trained = try runProgram(
        try geodimExecutable(),
        ["train", configPath, "data.directory=\(root)/data/mnist", "--run-dir", runDirectory, "--dump-batches"]
            + overrides + arguments,
        directory: root)
    guard trained.status == 0 else { throw TestSupportError("geodim train failed: \(trained.stderr)") }
    return runDirectory
}

/// Trains `overrides` on ``referenceConfig`` with `--dump-batches` and runs the reference
/// check on it; the parsed JSON report.
private func referenceCheck(_ overrides: [String], label: String, extra: [String] = []) throws -> [String: Any] {
    let root = packageRoot().path
    let runDirectory = try trainReferenceRun(overrides, label: label)
    let check = try runProgram(
        "/usr/bin/env", ["python3", "scripts/reference_trainer.py", "check", runDirectory] + extra, directory: root)
    guard check.status == 0,
          let report = try? JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]
    else {
        throw TestSupportError("reference_trainer.py failed (\(check.status)): \(check.stderr)")
    }
    return report
}

@Suite("the trainer agrees with an independent numpy trainer over whole trajectories", .serialized)
struct ReferenceTrainerTests {
    @Test("48 steps with partial batches, every optimizer, float32 and float64", arguments: cases)
    fileprivate func trajectoryAgrees(_ optimizerCase: Case) throws {
        for precision in ["float32", "float64"] {
            let report = try referenceCheck(
                optimizerCase.overrides + ["training.precision=\(precision)"], label: "reference-\(precision)")
            let difference = report["relative_difference"] as? Double ?? .infinity
            #expect(report["steps"] as? Int == 48, "\(report)")
            if precision == "float32" && optimizerCase.isAdam {
                // Absolute: max over layers of relative difference × max |θ_ref|.
                let layers = report["layers"] as? [[String: Any]] ?? []
                let absolute = layers.map { ($0["relative_difference"] as? Double ?? .infinity) * ($0["max_abs"] as? Double ?? .infinity) }
                    .max() ?? .infinity
                #expect(!layers.isEmpty && absolute <= optimizerCase.float32Tolerance,
                        "\(optimizerCase) float32: max |Δθ| \(absolute) > \(optimizerCase.float32Tolerance) (0.25 η); \(report)")
            } else {
                let tolerance = precision == "float64" ? 1e-11 : optimizerCase.float32Tolerance
                #expect(difference <= tolerance, "\(optimizerCase) \(precision): relative difference \(difference) > \(tolerance); \(report)")
            }
            if optimizerCase.overrides.contains(where: { $0.hasPrefix("optimizer.schedule") }) {
                // /train/lr holds the scheduled rate of each step, as the reference computes it.
                let lrDifference = report["lr_max_relative_difference"] as? Double ?? .infinity
                #expect(lrDifference <= 1e-15, "\(optimizerCase): logged lr differs from the schedule by \(lrDifference)")
            }
        }
    }

    @Test("the check tells a different protocol apart: dropping the partial batches")
    func differentProtocolIsDetected() throws {
        let report = try referenceCheck(["training.precision=float64"], label: "reference-drop", extra: ["--drop-last"])
        let difference = report["relative_difference"] as? Double ?? 0
        #expect(report["steps"] as? Int == 45)
        #expect(difference > 1e-3, "dropping 3 of 48 steps changed the parameters by only \(difference)")
    }

    @Test("the dump is the permutation geodim trains with: one row per epoch, each a permutation")
    func dumpIsPerEpochPermutations() throws {
        // Stopped after 20 steps (in epoch 2): the file holds the two epochs started.
        let run = try trainReferenceRun([], label: "reference-dump", arguments: ["--stop-at-step", "20"])
        let check = try runPython(script: """
            import sys, numpy as np
            a = np.load(sys.argv[1])
            print(a.dtype, a.shape, all(np.array_equal(np.sort(r), np.arange(a.shape[1])) for r in a),
                  not np.array_equal(a[0], a[1]))
            """, arguments: [run + "/batch_order.npy"])
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "int64 (2, 1000) True True",
                "\(check.stdout)\(check.stderr)")
    }
}
