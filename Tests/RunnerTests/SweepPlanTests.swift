import Foundation
import Testing

import Config
import Runner

/// Expanding a sweep config into its points (no training).
@Suite("sweep expansion")
struct SweepPlanTests {
    private let base = """
        name: grid
        model:
          hidden: [8]
        training:
          epochs: 3
        optimizer:
          name: sgd
          lr: 0.1
        checkpoints:
          every: 1
        """

    private func plan(_ sweep: String, overrides: [String] = []) throws -> SweepPlan {
        try SweepPlan.parse(yaml: base + "\n" + sweep, source: "grid.yaml", overrides: overrides)
    }

    @Test func gridIsTheProductWithTheFirstKeySlowest() throws {
        let plan = try plan("sweep:\n  model.hidden: [[5, 5], [30, 30, 30]]\n  seed: [0, 1, 2]\n")
        #expect(plan.points.count == 6)
        #expect(plan.keys == ["model.hidden", "seed"])
        #expect(plan.points.map(\.label) == [
            "model.hidden=[5, 5] seed=0", "model.hidden=[5, 5] seed=1", "model.hidden=[5, 5] seed=2",
            "model.hidden=[30, 30, 30] seed=0", "model.hidden=[30, 30, 30] seed=1", "model.hidden=[30, 30, 30] seed=2",
        ])
        #expect(plan.points[4].config.model.hidden == [30, 30, 30] && plan.points[4].config.seed == 1)
        #expect(plan.points[4].overrides == ["model.hidden=[30, 30, 30]", "seed=1"])
        #expect(plan.base.model.hidden == [8] && plan.base.seed == 0)
        #expect(plan.points.map { ($0.directory as NSString).lastPathComponent } == (0..<6).map { "point-00\($0)" })
        #expect(plan.directory.hasPrefix("runs/grid/sweep-") && plan.identity.count == 8)
    }

    @Test func sectionsAndNoisyValuesCanBeSwept() throws {
        let plan = try plan("sweep:\n  checkpoints: [{every: 1}, {epochs: [0, 3]}]\n  optimizer.lr: [1.0e-3, 0.1]\n")
        #expect(plan.points.count == 4)
        #expect(plan.points[2].config.resolvedCheckpointEpochs == [0, 3])
        #expect(plan.points[1].config.optimizer.lr == 0.1)
        #expect(plan.points[2].label == "checkpoints={epochs: [0, 3]} optimizer.lr=1.0e-3")
    }

    @Test func theIdentityDependsOnTheConfigButNotOnThreads() throws {
        let sweep = "sweep:\n  seed: [0, 1]\n"
        let first = try plan(sweep)
        #expect(try plan(sweep).identity == first.identity)
        #expect(try plan(sweep, overrides: ["threads=4"]).identity == first.identity)
        #expect(try plan(sweep, overrides: ["optimizer.lr=0.2"]).identity != first.identity)
        #expect(try plan("sweep:\n  seed: [0, 2]\n").identity != first.identity)
        #expect(try plan(sweep, overrides: ["threads=4"]).points[1].config.threads == 4)
    }

    @Test func indexFileListsThePoints() throws {
        let plan = try plan("sweep:\n  seed: [3, 4]\n  bfd.outputs: [[logits], [logits, centred]]\n")
        let object = try JSONSerialization.jsonObject(with: try plan.indexJSON()) as? [String: Any]
        let points = object?["points"] as? [[String: Any]] ?? []
        #expect(object?["format"] as? String == "geodim-sweep" && object?["identity"] as? String == plan.identity)
        #expect(points.count == 4 && points[3]["directory"] as? String == "point-003")
        let values = points[3]["values"] as? [String: Any]
        #expect(values?["seed"] as? Int == 4 && values?["bfd.outputs"] as? [String] == ["logits", "centred"])
    }

    @Test func badGridsAreNamed() throws {
        func problem(_ sweep: String, overrides: [String] = []) -> String {
            do {
                _ = try plan(sweep, overrides: overrides)
                return "no error"
            } catch {
                return String(describing: error)
            }
        }
        #expect(problem("") .contains("no top-level `sweep`"))
        #expect(problem("sweep: {}\n").contains("expected a mapping"))
        #expect(problem("sweep:\n  seed: []\n").contains("non-empty list"))
        #expect(problem("sweep:\n  sed: [1]\n").contains("did you mean seed?"))
        #expect(problem("sweep:\n  logging.runs_directory: [a, b]\n").contains("cannot be swept"))
        #expect(problem("sweep:\n  checkpoints: [{every: 1}]\n  checkpoints.every: [2]\n").contains("swept twice"))
        #expect(problem("sweep:\n  seed: [1]\n", overrides: ["seed=2"]).contains("seed is swept"))
        let error = problem("sweep:\n  training.batch_size: [4, -1]\n")
        #expect(error.contains("grid.yaml (sweep point 1): training.batch_size: must be >= 1, found -1; set by override \"training.batch_size=-1\""), "\(error)")
    }

    // MARK: - Axes from the command line (--set key=v1,v2)

    @Test("--set axes make the same grid, points and sweep directory as the same lists under sweep:")
    func commandLineAxesEqualTheConfigsGrid() throws {
        let written = try plan("sweep:\n  model.hidden: [[10, 10], [30]]\n  seed: [0, 1, 2]\n")
        let given = try SweepPlan.parse(
            yaml: base, source: "grid.yaml", overrides: [], axes: ["model.hidden=[10,10],[30]", "seed=0,1,2"])
        #expect(given.keys == written.keys && given.values == written.values)
        #expect(given.points.map(\.label) == written.points.map(\.label))
        #expect(given.points.map(\.config) == written.points.map(\.config))
        #expect(given.identity == written.identity && given.directory == written.directory)
    }

    @Test("--set replaces a swept key's list (shrinking the grid) or adds a key last")
    func commandLineAxesShrinkOrExtend() throws {
        let sweep = "sweep:\n  model.hidden: [[5], [10], [20]]\n  seed: [0, 1]\n"
        let shrunk = try SweepPlan.parse(yaml: base + "\n" + sweep, source: "grid.yaml", overrides: [], axes: ["model.hidden=[10]"])
        #expect(shrunk.keys == ["model.hidden", "seed"] && shrunk.points.map(\.label) == ["model.hidden=[10] seed=0", "model.hidden=[10] seed=1"])
        let extended = try SweepPlan.parse(yaml: base + "\n" + sweep, source: "grid.yaml", overrides: [], axes: ["optimizer.lr=0.01,0.1"])
        #expect(extended.keys == ["model.hidden", "seed", "optimizer.lr"] && extended.points.count == 12)
        #expect(extended.points[1].config.optimizer.lr == 0.1 && extended.points[1].config.seed == 0)
        // A different grid is a different sweep directory.
        #expect(Set([shrunk.identity, extended.identity, try plan(sweep).identity]).count == 3)
    }

    @Test("--set values split at the commas outside brackets and quotes")
    func axisValuesSplitAtTopLevelCommas() throws {
        let plan = try SweepPlan.parse(
            yaml: base, source: "grid.yaml", overrides: [],
            axes: ["checkpoints={every: 1},{epochs: [0, 3]}", "model.hidden=[4, 4], [8]"])
        #expect(plan.values == [["{every: 1}", "{epochs: [0, 3]}"], ["[4, 4]", "[8]"]])
        #expect(plan.points[1].config.model.hidden == [8] && plan.points[3].config.checkpoints.epochs == [0, 3])
    }

    @Test("bad --set axes are named", arguments: [
        ("seed", "expected dotted.key=value1"), ("=1,2", "expected dotted.key=value1"), ("sed=1,2", "did you mean seed"),
        ("seed=", "found an empty one"), ("seed=1,,2", "found an empty one"), ("name=a,b", "cannot be swept"),
        ("seed=[1", "not valid YAML"),
    ])
    func badAxesAreNamed(axis: String, fragment: String) throws {
        do {
            _ = try SweepPlan.parse(yaml: base, source: "grid.yaml", overrides: [], axes: [axis])
            Issue.record("--set \(axis) was accepted")
        } catch {
            #expect(String(describing: error).contains(fragment), "\(error)")
        }
    }

    @Test("an axis given twice, or one also overridden, is refused")
    func axisClashes() throws {
        #expect(throws: SweepError.self) { try SweepPlan.parse(yaml: self.base, source: "g.yaml", overrides: [], axes: ["seed=1", "seed=2"]) }
        #expect(throws: SweepError.self) { try SweepPlan.parse(yaml: self.base, source: "g.yaml", overrides: ["seed=4"], axes: ["seed=1,2"]) }
        #expect(throws: SweepError.self) { try SweepPlan.parse(yaml: self.base, source: "g.yaml", overrides: [], axes: []) }
    }
}
