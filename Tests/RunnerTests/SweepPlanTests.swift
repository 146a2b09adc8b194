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
}
