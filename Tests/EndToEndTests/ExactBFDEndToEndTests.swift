import Foundation
import Testing
import TestSupport

/// End-to-end: `geodim train` with `bfd.exact: true` logs the exact BFD beside every numerical
/// entry; h5py reads it back; `geodim bfd --exact` recomputes it offline from the log alone.

private let exactConfig = """
    name: exact
    seed: 3
    model:
      hidden: [30, 30, 30]
    data:
      protocol: standard
      train_size: 2000
      test_size: 500
    training:
      epochs: 2
      batch_size: 32
      log_every: 5
    optimizer:
      name: sgd
      lr: 0.1
    checkpoints:
      every: 2
    bfd:
      outputs: [logits, softmax]
      train_samples: 30
      test_samples: 12
      random_samples: 20
      method: jacobian
      exact: true
    """

@Suite struct ExactBFDEndToEndTests {
    /// The paper's 784-30-30-30-10 at initialisation and after training, m ≤ P (K = JJᵀ): the
    /// logged exact ranks equal the float64 SVD ranks
    /// wherever their gap is clear, certified ones equal the bound, and h5py reads every column.
    @Test func trainLogsTheExactBFDAndBfdRecomputesIt() throws {
        let (runs, result) = try train(config: exactConfig, label: "exact")
        #expect(result.status == 0, "geodim failed: \(result.stderr)")
        #expect(result.stdout.contains("!]"), "the summary line shows certified exact ranks: \(result.stdout)")
        let directory = try onlyRunDirectory(runs, name: "exact")
        let log = directory + "/log.h5"
        let check = try runPython(script: #"""
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], "r")
            def ok(c, m):
                if not c: print("FAIL:", m); sys.exit(1)
            for name in ["train_logits", "train_softmax", "test_logits", "random_softmax"]:
                g = f["checkpoints/bfd/" + name]
                exact, rank, clear = g["rank_exact"][:], g["rank"][:], g["clear"][:]
                certified, bound = g["exact_certified"][:], g["upper_bound"][:]
                primes, ranks = g["exact_primes"][:], g["exact_ranks"][:]
                ok(len(exact) == len(f["checkpoints/step"]) == 2, f"{name}: {len(exact)} rows")
                ok(g.attrs["exact_matrix"] == "gram_rows", g.attrs["exact_matrix"])
                ok(g.attrs["exact_encoding"] == ("binary_floats" if name.startswith("random") else "pixel_bytes"), name)
                if name.endswith("softmax"): ok(g.attrs["exact_computed_as"] == "centred", name)
                for k in range(2):
                    ok(exact[k] <= bound[k], f"{name}[{k}]: exact {exact[k]} above bound {bound[k]}")
                    if clear[k]: ok(exact[k] == rank[k], f"{name}[{k}]: exact {exact[k]} vs clear numerical {rank[k]}")
                    if certified[k]:
                        ok(exact[k] == bound[k] and g["exact_failure_bound"][k] == 0, f"{name}[{k}] certified")
                    used = primes[k][primes[k] > 0]
                    ok(len(used) >= 1 and exact[k] == ranks[k][:len(used)].max(), f"{name}[{k}]: primes {primes[k]} ranks {ranks[k]}")
                    ok(all(2**22 <= p < 2**23 for p in used), f"{name}: primes {used}")
                    ok(0 < g["pattern_margin"][k] <= 1, f"{name}: margin {g['pattern_margin'][k]}")
            print("rank_exact", int(f["checkpoints/bfd/train_logits/rank_exact"][-1]))
            print("ALL CHECKS PASSED")
            """#, arguments: [log])
        #expect(check.status == 0 && check.stdout.contains("ALL CHECKS PASSED"), "\(check.stdout)\n\(check.stderr)")
        let logged = check.stdout.split(separator: "\n").first { $0.hasPrefix("rank_exact") }?.split(separator: " ").last
        let offline = try runProgram(
            try geodimExecutable(), ["bfd", directory, "--inputs", "train", "--output", "logits", "--exact", "--exact-seed", "3"],
            directory: packageRoot().path)
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(logged != nil && offline.stdout.contains("exact: \(logged!)"), "offline: \(offline.stdout), logged \(String(describing: logged))")
        let exactOnly = try runProgram(
            try geodimExecutable(),
            ["bfd", directory, "--inputs", "train", "--output", "logits", "--exact-only", "--exact-seed", "3"],
            directory: packageRoot().path)
        #expect(exactOnly.status == 0 && exactOnly.stdout.contains("logits:  exact: \(logged ?? "?")"), "\(exactOnly.stdout)")
        let inspect = try runProgram(try geodimExecutable(), ["inspect", log], directory: packageRoot().path)
        #expect(inspect.status == 0 && inspect.stdout.contains("exact"), "\(inspect.stdout)")
    }

    /// m > P (J itself): a 784-4-10 network on 400 training images, where the parameter side
    /// binds; the exact rank matches the float64 SVD's when that is clear.
    @Test func parameterSideUsesJItself() throws {
        let (runs, result) = try train(
            config: exactConfig,
            overrides: ["model.hidden=[4]", "bfd.train_samples=400", "bfd.inputs=[train]", "bfd.outputs=[logits]",
                        "bfd.method=gram", "training.epochs=1", "checkpoints.every=1"],
            label: "exact-p-side")
        #expect(result.status == 0, "geodim failed: \(result.stderr)")
        let log = try onlyRunDirectory(runs, name: "exact") + "/log.h5"
        let check = try runPython(script: #"""
            import sys, h5py
            g = h5py.File(sys.argv[1], "r")["checkpoints/bfd/train_logits"]
            assert g.attrs["exact_matrix"] == "jacobian", g.attrs["exact_matrix"]
            for k in range(len(g["rank"])):
                assert g["rank_exact"][k] <= g["upper_bound"][k] <= 3190 - 4, (g["rank_exact"][k], g["upper_bound"][k])
                if g["clear"][k]: assert g["rank_exact"][k] == g["rank"][k], (g["rank_exact"][k], g["rank"][k])
            print("ALL CHECKS PASSED", list(g["rank_exact"][:]), list(g["upper_bound"][:]), list(g["exact_certified"][:]))
            """#, arguments: [log])
        #expect(check.status == 0 && check.stdout.contains("ALL CHECKS PASSED"), "\(check.stdout)\n\(check.stderr)")
    }
}
