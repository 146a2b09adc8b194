import Foundation
import Testing
import TestSupport
import Config
import Runner

/// The key table is the one source of every key: the docs, the resolved YAML, the defaults a
/// minimal config gets, and the resume check all agree with it.
@Suite("config key table")
struct ConfigKeyTableTests {
    @Test("docs/config-keys.md is the table's Markdown and lists every key with its default")
    func docsListEveryKey() throws {
        let path = packageRoot().appendingPathComponent("docs/config-keys.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == ExperimentConfig.keysMarkdown, "regenerate with: .build/release/geodim keys --markdown > docs/config-keys.md")
        // Independently of the generator: every leaf of a resolved minimal config appears as a
        // row with the value it resolves to when absent (its default), for keys with one.
        let minimal = try ExperimentConfig.parse(yaml: ConfigFixture.minimal, source: "m.yaml")
        let given = Set(["name", "model.hidden", "training.epochs", "optimizer.name", "optimizer.lr", "checkpoints.every"])
        for (key, value) in minimal.resolvedValues where !given.contains(key) {
            let row = text.split(separator: "\n").first { $0.hasPrefix("| `\(key)` |") }
            #expect(row != nil, "docs/config-keys.md has no row for \(key)")
            #expect(row?.contains("(\(value))") == true, "\(key): row \(row ?? "") does not show the default \(value)")
        }
        for key in ExperimentConfig.allKeys {
            #expect(text.contains("`\(key)`") || text.contains("**\(key)**"), "docs/config-keys.md misses \(key)")
        }
    }

    @Test("every leaf is written by the resolved YAML and read back, in table order")
    func resolvedYAMLCoversTheTable() throws {
        let config = try ExperimentConfig.parse(yaml: ConfigFixture.full, source: "full.yaml")
        let written = config.resolvedValues.map(\.key)
        // The full fixture uses checkpoints.epochs, so checkpoints.every is the one leaf left out.
        #expect(written == ExperimentConfig.leafKeys.filter { $0 != "checkpoints.every" })
        #expect(try ExperimentConfig.parse(yaml: config.resolvedYAML(), source: "r.yaml") == config)
    }

    @Test("the keys a resume keeps are the table's")
    func fixedKeysComeFromTheTable() throws {
        let fixed = ExperimentConfig.fixedOnResumeKeys
        #expect(fixed.count == 45)
        #expect(fixed.isSubset(of: Set(ExperimentConfig.leafKeys)))
        #expect(fixed.contains("training.batch_size") && !fixed.contains("optimizer.lr"))
        #expect(fixed.isSuperset(of: ["data.dataset", "data.classes"]))
        // The synthetic data, the loss and the frozen layers fix what is trained on and how.
        #expect(fixed.isSuperset(of: ["data.source", "synthetic.noise_std", "synthetic.knots_x", "training.loss", "training.freeze"]))
        #expect(!fixed.contains("bfd.kink_tolerance"))  // they decide the data and the output width
        #expect(fixed.isSuperset(of: ["bfd.exact", "bfd.exact_primes", "bfd.exact_prime_bits", "bfd.exact_matrix"]))  // they shape the log
        #expect(!fixed.contains("bfd.gram_side"))  // logged per checkpoint; the rank does not depend on it
        // η and its schedule, like optimizer.lr, may change on a resume (with --force); the optimizer may not.
        #expect(fixed.contains("optimizer.name"))
        #expect(fixed.isDisjoint(with: [
            "optimizer.path_epsilon", "optimizer.schedule", "optimizer.warmup_steps", "optimizer.decay_epochs",
            "optimizer.decay_factor", "optimizer.lr_min",
        ]))
    }
}
