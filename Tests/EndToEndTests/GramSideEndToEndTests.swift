import Foundation
import Testing
import TestSupport

/// End-to-end: `bfd.gram_side` and `bfd.exact_matrix` reach the log. Each BFD group's
/// per-checkpoint `gram_side` says which Gram product gave the rank, `exact_matrix` which matrix
/// the exact engine reduced; forcing the other side changes neither rank.

/// 784-4-10 (P = 3,190) on 120 training images (m = 1,200 > P̃ = 4·120 + 10·5 = 530, so the
/// parameter side is the smaller) and 3 test images (m = 30 ≤ P̃ = 4·3 + 10·3 = 42: the row side).
private let sideConfig = """
    name: sides
    seed: 5
    model:
      hidden: [4]
    data:
      protocol: standard
      train_size: 1000
      test_size: 200
    training:
      epochs: 1
      batch_size: 50
      log_every: 5
    optimizer:
      name: sgd
      lr: 0.1
    checkpoints:
      every: 1
    bfd:
      inputs: [train, test]
      outputs: [logits]
      train_samples: 120
      test_samples: 3
      method: gram
    """

@Suite struct GramSideEndToEndTests {
    @Test func theLogRecordsTheSideUsedAndForcingTheOtherKeepsTheRank() throws {
        let (autoRuns, automatic) = try train(
            config: sideConfig, overrides: ["bfd.exact=true", "bfd.exact_matrix=jacobian"], label: "sides-auto")
        #expect(automatic.status == 0, "geodim failed: \(automatic.stderr)")
        let (rowRuns, rows) = try train(
            config: sideConfig, overrides: ["bfd.gram_side=rows", "bfd.method=gram_inertia"], label: "sides-rows")
        #expect(rows.status == 0, "geodim failed: \(rows.stderr)")
        let autoLog = try onlyRunDirectory(autoRuns, name: "sides") + "/log.h5"
        let rowLog = try onlyRunDirectory(rowRuns, name: "sides") + "/log.h5"
        let check = try runPython(script: #"""
            import sys, h5py
            a, r = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
            def ok(c, m):
                if not c: print("FAIL:", m); sys.exit(1)
            for f in (a, r):
                ok("codes" in f["checkpoints/bfd/train_logits/gram_side"].attrs, "gram_side has its codes")
            ta, tr = a["checkpoints/bfd/train_logits"], r["checkpoints/bfd/train_logits"]
            ea, er = a["checkpoints/bfd/test_logits"], r["checkpoints/bfd/test_logits"]
            ok(len(ta["gram_side"]) == len(a["checkpoints/step"]) == 2, "two checkpoints")
            ok(list(ta["gram_side"][:]) == [1, 1], f"auto, m > P~: parameters, got {list(ta['gram_side'][:])}")
            ok(list(ea["gram_side"][:]) == [0, 0], f"auto, m <= P~: rows, got {list(ea['gram_side'][:])}")
            ok(list(tr["gram_side"][:]) == [0, 0], f"forced rows, got {list(tr['gram_side'][:])}")
            ok(list(er["gram_side"][:]) == [0, 0], f"forced rows, got {list(er['gram_side'][:])}")
            for g, h in ((ta, tr), (ea, er)):
                ok(list(g["rank"][:]) == list(h["rank"][:]), f"ranks {list(g['rank'][:])} vs {list(h['rank'][:])}")
                ok(all(g["clear"][:]) and all(h["clear"][:]), "clear ranks")
            ok(all(ta["rank"][:] < 1200), f"below the row cap: {list(ta['rank'][:])}")
            for g in (ta, ea):
                ok(g.attrs["exact_matrix"] == "jacobian", g.attrs["exact_matrix"])
                ok(list(g["rank_exact"][:]) == list(g["rank"][:]), f"exact {list(g['rank_exact'][:])} vs {list(g['rank'][:])}")
            print("ALL CHECKS PASSED", list(ta["rank"][:]), list(ea["rank"][:]))
            """#, arguments: [autoLog, rowLog])
        #expect(check.status == 0 && check.stdout.contains("ALL CHECKS PASSED"), "\(check.stdout)\n\(check.stderr)")

        let inspect = try runProgram(try geodimExecutable(), ["inspect", autoLog], directory: packageRoot().path)
        #expect(inspect.status == 0 && inspect.stdout.contains("gram side: train_logits parameters, test_logits rows"),
                "\(inspect.stdout)")
        let offline = try runProgram(
            try geodimExecutable(), ["bfd", autoLog, "--inputs", "train", "--output", "logits", "--gram-side", "rows"],
            directory: packageRoot().path)
        #expect(offline.status == 0, "\(offline.stderr)")
        let line = offline.stdout.split(separator: "\n").first { $0.hasPrefix("  logits") || $0.hasPrefix("logits") }
        #expect(line?.hasSuffix(" rows") == true, "\(offline.stdout)")
    }
}
