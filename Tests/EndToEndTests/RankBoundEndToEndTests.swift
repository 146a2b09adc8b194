import Foundation
import Testing
import TestSupport

/// No rank a log holds can exceed the bound logged beside it: every rule's column
/// (`rank`, `rank_numpy`, `rank_gap`, `rank_relative`, `rank_exact`) of every BFD group, at every
/// checkpoint, is at most `upper_bound`. With 50 inputs the row cap binds (450 for centred
/// and softmax), and τ = 1e-10 sits below the Gram floor, which is where `rank_relative`
/// used to count rounding noise (469–475 of a possible 450).
@Suite("logged ranks respect their bounds", .serialized)
struct RankBoundEndToEndTests {
    @Test("gram, jacobian and gram_inertia with the gap and relative rules, every output variant", arguments: [
        ["bfd.method=gram", "bfd.rank_rule=gap"],
        ["bfd.method=jacobian", "bfd.rank_rule=relative"],
        ["bfd.method=gram_inertia", "bfd.rank_rule=relative", "bfd.exact=true"],
    ])
    func noRankAboveItsBound(method: [String]) throws {
        let scratch = try Scratch("rank-bound")
        let directory = scratch.runs + "/run"
        let run = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", directory, "training.epochs=2", "bfd.outputs=[logits, softmax, centred]",
             "bfd.train_samples=50", "bfd.test_samples=50", "bfd.random_samples=50", "bfd.relative_tolerance=1e-10"]
                + method + scratch.placement)
        #expect(run.status == 0, "\(run.stderr)")
        let check = try runPython(script: #"""
            import sys, h5py, numpy as np
            groups, cells = 0, 0
            with h5py.File(sys.argv[1], "r") as f:
                k = len(f["checkpoints/step"])
                for name, group in f["checkpoints/bfd"].items():
                    bound = group["upper_bound"][:k]
                    groups += 1
                    for column in ("rank", "rank_numpy", "rank_gap", "rank_relative", "rank_exact"):
                        if column not in group:
                            continue
                        values = group[column][:k]
                        computed = values >= 0   # -1: not computed
                        cells += int(computed.sum())
                        assert np.all(values[computed] <= bound[computed]), (name, column, values.tolist(), bound.tolist())
            assert groups == 9, groups
            print("OK", groups, cells)
            """#, arguments: [directory + "/log.h5"])
        #expect(check.stdout.hasPrefix("OK"), "\(check.stdout)\(check.stderr)")
    }
}
