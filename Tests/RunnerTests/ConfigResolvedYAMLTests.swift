import Testing

import Config
import Runner

@Suite("Resolved config YAML")
struct ConfigResolvedYAMLTests {
    @Test(arguments: [ConfigFixture.full, ConfigFixture.minimal])
    func resolvedYAMLReadsBackToAnEqualConfig(yaml: String) throws {
        let config = try ExperimentConfig.parse(yaml: yaml, source: "r.yaml")
        let resolved = try config.resolvedYAML()
        let reread = try ExperimentConfig.parse(yaml: resolved, source: "config.yaml")
        #expect(reread == config)
        #expect(try reread.resolvedYAML() == resolved)
    }

    @Test func resolvedYAMLListsEveryKeyInSchemaOrder() throws {
        let config = try ExperimentConfig.parse(yaml: ConfigFixture.minimal, source: "r.yaml")
        let resolved = try config.resolvedYAML()
        #expect(resolved == """
            # geodim experiment config, resolved: every key, defaults filled in
            name: quick
            seed: 0
            threads: auto
            model:
              hidden: [30, 30, 30]
              init: glorot_uniform
              kink_range: 2.0
            data:
              source: mnist
              dataset: mnist
              directory: data/mnist
              classes: null
              protocol: standard
              train_size: null
              test_size: null
              random_label_extras: 0
              input_noise_std: 0.0
            synthetic:
              input_dim: 1
              inputs: uniform
              low: -1.0
              high: 1.0
              target: piecewise_linear
              knots_x: [-1.0, -0.5, 0.0, 0.5, 1.0]
              knots_y: [0.0, 1.0, -0.5, 0.5, 0.0]
              amplitude: 1.0
              frequency: 1.0
              phase: 0.0
              coefficients: [0.0, 0.0, 1.0]
              noise_std: 0.0
            training:
              epochs: 10
              batch_size: 256
              precision: float32
              loss: cross_entropy
              freeze: []
              log_every: 1
              eval_batch_size: 1000
              stop_at_train_accuracy: null
            optimizer:
              name: sgd
              lr: 0.1
              momentum: 0.0
              nesterov: false
              weight_decay: 0.0
              decoupled_weight_decay: false
              beta1: 0.9
              beta2: 0.999
              epsilon: 1.0e-07
              path_epsilon: 1.0e-12
              schedule: constant
              warmup_steps: 0
              decay_epochs: 100
              decay_factor: 0.1
              lr_min: 0.0
            checkpoints:
              every: 5
            bfd:
              enabled: true
              inputs: [train, test, random]
              outputs: [logits]
              train_samples: 100
              test_samples: 100
              random_samples: 100
              random_mean: 0.5
              random_std: 1.0
              method: gram
              gram_side: auto
              rank_rule: gap
              relative_tolerance: 1.0e-10
              spectrum: true
              cffd: false
              cffd_max_rows: 12000
              exact: false
              exact_primes: 2
              exact_prime_bits: 23
              exact_matrix: auto
              kink_tolerance: 0.01
            logging:
              runs_directory: runs
              live: false
              save_params: true

            """)
    }

    @Test func awkwardStringsAndNumbersRoundTrip() throws {
        let config = try ExperimentConfig.parse(
            yaml: ConfigFixture.minimal, source: "r.yaml",
            overrides: [
                "name=007", "data.directory='my data: \"mnist\" #1'", "logging.runs_directory=true",
                "optimizer.lr=0.1234567890123", "bfd.random_mean=-1e300", "seed=18446744073709551615",
            ])
        #expect(config.name == "007")
        #expect(config.data.directory == "my data: \"mnist\" #1")
        #expect(config.logging.runsDirectory == "true")
        let reread = try ExperimentConfig.parse(yaml: try config.resolvedYAML(), source: "c.yaml")
        #expect(reread == config)
    }

    @Test func resolvedYAMLRefusesAnInvalidConfig() throws {
        var config = try ExperimentConfig.parse(yaml: ConfigFixture.minimal, source: "m.yaml")
        config.model.hidden = [0]
        #expect(throws: ConfigError.self) { try config.resolvedYAML() }
        config.model.hidden = [3]
        #expect(throws: Never.self) { try config.resolvedYAML() }
    }

    @Test func differencesListChangedKeysInSchemaOrder() throws {
        let base = try ExperimentConfig.parse(yaml: ConfigFixture.minimal, source: "a.yaml")
        #expect(base.differences(from: base).isEmpty)
        let changed = try ExperimentConfig.parse(
            yaml: ConfigFixture.minimal, source: "b.yaml",
            overrides: [
                "optimizer.lr=0.05", "seed=2", "model.hidden=[30, 30]", "bfd.train_samples=null",
                "checkpoints.every=null", "checkpoints.epochs=[0, 5, 10]",
            ])
        #expect(base.differences(from: changed) == [
            "seed", "model.hidden", "optimizer.lr", "checkpoints.epochs", "checkpoints.every",
            "bfd.train_samples",
        ])
        #expect(changed.differences(from: base) == base.differences(from: changed))
    }
}
