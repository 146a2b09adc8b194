import Foundation
import Testing

import Config
import Runner

@Suite("Config errors")
struct ConfigErrorTests {
    /// The minimal config with one line replaced by another (`from` must occur once).
    private func minimal(replacing from: String, with to: String) -> String {
        let text = ConfigFixture.minimal
        precondition(text.components(separatedBy: from).count == 2, "fixture line \(from)")
        return text.replacingOccurrences(of: from, with: to)
    }

    // MARK: - Malformed YAML

    @Test func malformedYAMLNamesTheLine() throws {
        let yaml = "name: quick\nmodel:\n  hidden: [30, 30\ntraining:\n  epochs: 3\n"
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.kind == .malformedYAML)
        #expect(error.location?.hasPrefix("line ") == true)
        #expect(error.description.hasPrefix("test.yaml: line "))
        #expect(!error.description.contains("\n"))

        let tabs = try #require(ConfigFixture.error("name: quick\nmodel:\n\thidden: [3]\n"))
        #expect(tabs.kind == .malformedYAML)
        #expect(tabs.location == "line 3, column 1")
    }

    @Test func topLevelMustBeAMapping() throws {
        let error = try #require(ConfigFixture.error("- a\n- b\n"))
        #expect(error.kind == .wrongType)
        #expect(error.location == "top level")
    }

    // MARK: - Unknown and duplicate keys

    @Test func misspeltKeySuggestsTheNearestAtItsLevel() throws {
        let yaml = minimal(replacing: "  lr: 0.1", with: "  lr_rate: 0.1")
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.kind == .unknownKey)
        #expect(error.key == "optimizer.lr_rate")
        #expect(error.suggestion == "optimizer.lr")
        #expect(error.description == """
            test.yaml: optimizer.lr_rate: unknown key (hint: did you mean optimizer.lr?)
            """)
    }

    @Test(arguments: [
        ("modle", "model"), ("trainig", "training"), ("optimiser", "optimizer"),
        ("checkpoint", "checkpoints"), ("sead", "seed"),
    ])
    func misspeltSectionSuggestsTheSection(typo: String, meant: String) throws {
        let yaml = ConfigFixture.minimal + "\(typo):\n  x: 1\n"
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.kind == .unknownKey)
        #expect(error.key == typo)
        #expect(error.suggestion == meant)
    }

    @Test(arguments: [
        ("training.batchsize", "training.batch_size"), ("training.bacth_size", "training.batch_size"),
        ("model.hiden", "model.hidden"), ("model.widths", "model.hidden"),
        ("optimizer.learning_rate", "optimizer.lr"), ("bfd.train_sample", "bfd.train_samples"),
        ("bfd.rank-rule", "bfd.rank_rule"), ("data.Protocol", "data.protocol"),
        ("optimiser.lr", "optimizer.lr"), ("lr", "optimizer.lr"), ("hidden", "model.hidden"),
    ])
    func misspeltOverrideKeySuggests(key: String, meant: String) throws {
        let error = try #require(ConfigFixture.error(ConfigFixture.minimal, overrides: ["\(key)=1"]))
        #expect(error.kind == .unknownKey)
        #expect(error.key == key)
        #expect(error.suggestion == meant)
    }

    @Test func misplacedKeyIsFoundInItsSection() throws {
        let error = try #require(ConfigFixture.error(ConfigFixture.minimal + "momentum: 0.9\n"))
        #expect(error.key == "momentum")
        #expect(error.suggestion == "optimizer.momentum")
    }

    @Test func ambiguousMisplacedKeyListsEveryCandidate() throws {
        let error = try #require(ConfigFixture.error(ConfigFixture.minimal + "epochs: 3\n"))
        #expect(error.hint == "did you mean training.epochs or checkpoints.epochs?")
    }

    @Test func unknownKeyWithNothingCloseListsTheValidKeys() throws {
        let yaml = ConfigFixture.minimal + "logging:\n  colour: true\n"
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.key == "logging.colour")
        #expect(error.suggestion == nil)
        #expect(error.hint == "valid keys under logging: runs_directory, live, save_params")
    }

    @Test func unknownKeyIsReportedBeforeTypeErrors() throws {
        let yaml = minimal(replacing: "  epochs: 10", with: "  epochs: ten\n  epoch: 3")
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.key == "training.epoch")
        #expect(error.suggestion == "training.epochs")
    }

    @Test func duplicateKeyIsAnError() throws {
        let error = try #require(ConfigFixture.error(ConfigFixture.minimal + "seed: 1\nseed: 2\n"))
        #expect(error.kind == .duplicateKey)
        #expect(error.key == "seed")
    }

    // MARK: - Types

    @Test func wrongTypeNamesKeyExpectedTypeAndValue() throws {
        let yaml = minimal(replacing: "  epochs: 10", with: "  epochs: 10\n  batch_size: big")
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.kind == .wrongType)
        #expect(error.description == """
            test.yaml: training.batch_size: expected an integer, found "big"
            """)
    }

    @Test(arguments: [
        ("optimizer.lr=\"0.1\"", "optimizer.lr", "expected a number, found \"0.1\""),
        ("training.epochs=1.5", "training.epochs", "expected an integer, found 1.5"),
        ("bfd.enabled=yes", "bfd.enabled", "expected true or false, found \"yes\""),
        ("model.hidden=30", "model.hidden", "expected a list of integers, found 30"),
        ("model.hidden=[30, x]", "model.hidden", "expected a list of integers, found [30, \"x\"]"),
        ("seed=-1", "seed", "expected an integer >= 0, found -1"),
        ("training.batch_size=null", "training.batch_size", "expected an integer, found null"),
        ("data.train_size=all", "data.train_size", "expected an integer or null, found \"all\""),
        ("bfd.inputs=train", "bfd.inputs", "expected a list of train, test, random, found \"train\""),
        ("model=[1]", "model", "expected a mapping of keys, found [1]"),
        ("name=null", "name", "expected a string, found null"),
    ])
    func wrongTypes(override: String, key: String, problem: String) throws {
        let error = try #require(ConfigFixture.error(ConfigFixture.minimal, overrides: [override]))
        #expect(error.kind == .wrongType)
        #expect(error.key == key)
        #expect(error.problem == problem)
    }

    @Test func unknownChoiceListsTheAllowedValuesAndSuggests() throws {
        let yaml = minimal(replacing: "  name: sgd", with: "  name: sgdd")
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.kind == .invalidValue)
        #expect(error.description == """
            test.yaml: optimizer.name: expected one of sgd, adam, path_sgd, found "sgdd" \
            (hint: did you mean sgd?)
            """)
        let output = try #require(
            ConfigFixture.error(ConfigFixture.minimal, overrides: ["bfd.outputs=[logits, centered]"]))
        #expect(output.key == "bfd.outputs")
        #expect(output.problem.contains("found \"centered\" at item 2"))
        #expect(output.hint == "did you mean centred?")
    }

    // MARK: - Missing keys

    @Test func missingHiddenListExplainsIt() throws {
        let yaml = minimal(replacing: "  hidden: [30, 30, 30]", with: "  init: he_normal")
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.kind == .missingKey)
        #expect(error.description == """
            test.yaml: model.hidden: required key is missing \
            (hint: a non-empty list of hidden-layer widths, e.g. [30, 30, 30])
            """)
        let empty = try #require(ConfigFixture.error(ConfigFixture.minimal, overrides: ["model.hidden=[]"]))
        #expect(empty.kind == .invalidValue)
        #expect(empty.key == "model.hidden")
    }

    @Test(arguments: ["name", "training.epochs", "optimizer.name", "optimizer.lr"])
    func missingRequiredKey(key: String) throws {
        let leaf = key.split(separator: ".").last.map(String.init) ?? key
        let line = (key.contains(".") ? "  " : "") + leaf + ":"
        let yaml = ConfigFixture.minimal.split(separator: "\n")
            .filter { !$0.hasPrefix(line) }
            .joined(separator: "\n")
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.kind == .missingKey)
        #expect(error.key == key)
    }

    // MARK: - Ranges and consistency

    @Test(arguments: [
        ("optimizer.lr=-0.1", "optimizer.lr", "must be a finite number > 0, found -0.1"),
        ("optimizer.lr=0", "optimizer.lr", "must be a finite number > 0, found 0"),
        ("optimizer.lr=.inf", "optimizer.lr", "must be a finite number > 0, found .inf"),
        ("model.hidden=[30, 0, 30]", "model.hidden", "widths must be >= 1, found 0 at item 2"),
        ("training.batch_size=0", "training.batch_size", "must be >= 1, found 0"),
        ("training.epochs=-1", "training.epochs", "must be >= 0, found -1"),
        ("threads=65", "threads", "must be in 1...64, found 65"),
        ("name=my run", "name", "must be one or more of A-Z a-z 0-9 . _ -, found \"my run\""),
        ("name=..", "name", "must not be .."),
        ("optimizer.momentum=1", "optimizer.momentum", "must be in [0, 1), found 1"),
        ("optimizer.weight_decay=-1e-4", "optimizer.weight_decay",
         "must be a finite number >= 0, found -0.0001"),
        ("optimizer.nesterov=true", "optimizer.nesterov",
         "requires optimizer.momentum > 0, found momentum 0"),
        ("optimizer.decoupled_weight_decay=true", "optimizer.decoupled_weight_decay",
         "is used by adam only, found true with optimizer.name sgd"),
        ("optimizer.beta2=1.0", "optimizer.beta2", "must be in [0, 1), found 1"),
        ("optimizer.epsilon=0", "optimizer.epsilon", "must be a finite number > 0, found 0"),
        ("optimizer.path_epsilon=0", "optimizer.path_epsilon", "must be a finite number > 0, found 0"),
        ("optimizer.warmup_steps=-1", "optimizer.warmup_steps", "must be >= 0, found -1"),
        ("optimizer.decay_epochs=0", "optimizer.decay_epochs", "must be >= 1, found 0"),
        ("optimizer.decay_factor=0", "optimizer.decay_factor", "must be in (0, 1], found 0"),
        ("optimizer.lr_min=-1", "optimizer.lr_min", "must be a finite number >= 0, found -1"),
        ("checkpoints.every=0", "checkpoints.every", "must be >= 1, found 0"),
        ("bfd.inputs=[train, test, train]", "bfd.inputs", "lists train twice"),
        ("bfd.outputs=[]", "bfd.outputs", "must list at least one of logits, softmax, centred"),
        ("bfd.train_samples=0", "bfd.train_samples", "must be >= 1, found 0"),
        ("bfd.random_std=0", "bfd.random_std", "must be a finite number > 0, found 0"),
        ("bfd.relative_tolerance=1", "bfd.relative_tolerance", "must be in (0, 1), found 1"),
        ("data.test_size=20000", "data.test_size",
         "must be <= 10000 (the standard test file), found 20000"),
        ("bfd.test_samples=200", "bfd.test_samples", "must be <= the test-set size 100, found 200"),
        ("data.random_label_extras=-1", "data.random_label_extras", "must be >= 0, found -1"),
        ("data.random_label_extras=1", "data.random_label_extras",
         "must be <= 0, the MNIST images used by neither the training nor the test set, found 1"),
        ("data.input_noise_std=-0.1", "data.input_noise_std", "must be a finite number >= 0, found -0.1"),
        ("data.input_noise_std=.nan", "data.input_noise_std", "must be a finite number >= 0, found .nan"),
    ])
    func outOfRange(override: String, key: String, problem: String) throws {
        // A small test set makes the bfd.test_samples case fail; it is harmless for the others.
        let overrides = override.hasPrefix("bfd.test_samples") ? ["data.test_size=100", override] : [override]
        let error = try #require(ConfigFixture.error(ConfigFixture.minimal, overrides: overrides))
        #expect(error.kind == .invalidValue)
        #expect(error.key == key)
        #expect(error.problem == problem)
    }

    /// Checks between keys of the optimizer section that the table's own ranges cannot make.
    @Test(arguments: [
        (["optimizer.name=path_sgd", "optimizer.weight_decay=0.01"], "optimizer.weight_decay",
         "is not used by path_sgd, found 0.01"),
        (["optimizer.name=path_sgd", "optimizer.decoupled_weight_decay=true"], "optimizer.decoupled_weight_decay",
         "is used by adam only, found true with optimizer.name path_sgd"),
        (["optimizer.schedule=cosine", "optimizer.lr_min=0.2"], "optimizer.lr_min",
         "must be <= optimizer.lr (0.1) for the cosine schedule, found 0.2"),
    ])
    func optimizerKeysMustAgree(overrides: [String], key: String, problem: String) throws {
        let error = try #require(ConfigFixture.error(ConfigFixture.minimal, overrides: overrides))
        #expect(error.kind == .invalidValue)
        #expect(error.key == key)
        #expect(error.problem == problem)
        // Path-SGD with momentum and Nesterov, and a step schedule with a floor above lr, are fine.
        #expect(ConfigFixture.error(ConfigFixture.minimal, overrides: [
            "optimizer.name=path_sgd", "optimizer.momentum=0.9", "optimizer.nesterov=true",
            "optimizer.schedule=step", "optimizer.lr_min=0.2",
        ]) == nil)
    }

    @Test func negativeLearningRateInTheFile() throws {
        let yaml = minimal(replacing: "  lr: 0.1", with: "  lr: -0.1")
        let error = try #require(ConfigFixture.error(yaml))
        #expect(error.override == nil)
        #expect(error.description == """
            test.yaml: optimizer.lr: must be a finite number > 0, found -0.1 \
            (hint: the learning rate, e.g. 0.1)
            """)
    }

    @Test func checkpointEpochsMustIncreaseAndStayWithinTraining() throws {
        let flat = try #require(ConfigFixture.error(
            ConfigFixture.minimal, overrides: ["checkpoints={epochs: [0, 5, 5, 10]}"]))
        #expect(flat.key == "checkpoints.epochs")
        #expect(flat.problem == "must be strictly increasing, found 5 after 5 at item 3")

        let falling = try #require(ConfigFixture.error(
            ConfigFixture.minimal, overrides: ["checkpoints={epochs: [0, 8, 4]}"]))
        #expect(falling.problem == "must be strictly increasing, found 4 after 8 at item 3")

        let beyond = try #require(ConfigFixture.error(
            ConfigFixture.minimal, overrides: ["checkpoints={epochs: [0, 40]}"]))
        #expect(beyond.key == "checkpoints.epochs")
        #expect(beyond.problem == "epochs must be in 0...10 (training.epochs), found 40 at item 2")
    }

    @Test func checkpointsNeedExactlyOneForm() throws {
        let both = try #require(
            ConfigFixture.error(ConfigFixture.minimal, overrides: ["checkpoints.epochs=[0, 10]"]))
        #expect(both.kind == .invalidValue)
        #expect(both.key == "checkpoints")
        #expect(both.problem == "sets both epochs and every")
        #expect(both.override == "checkpoints.epochs=[0, 10]")

        let neither = try #require(
            ConfigFixture.error(ConfigFixture.minimal, overrides: ["checkpoints.every=null"]))
        #expect(neither.kind == .missingKey)
        #expect(neither.key == "checkpoints")
    }

    @Test func paperProtocolNeedsATrainSizeThatFitsThePool() throws {
        let missing = try #require(
            ConfigFixture.error(ConfigFixture.minimal, overrides: ["data.protocol=paper"]))
        #expect(missing.kind == .missingKey)
        #expect(missing.key == "data.train_size")

        let tooLarge = try #require(ConfigFixture.error(
            ConfigFixture.minimal,
            overrides: ["data={protocol: paper, train_size: 60000, test_size: 10001}"]))
        #expect(tooLarge.key == "data.test_size")
        #expect(tooLarge.problem.contains("60000 + 10001 = 70001"))

        #expect(ConfigFixture.error(
            ConfigFixture.minimal,
            overrides: ["data={protocol: paper, train_size: 60000, test_size: 10000}"]) == nil)
    }

    @Test func adamRejectsSGDOnlySettings() throws {
        let error = try #require(ConfigFixture.error(
            ConfigFixture.minimal, overrides: ["optimizer.name=adam", "optimizer.momentum=0.9"]))
        #expect(error.key == "optimizer.momentum")
        #expect(error.problem == "is used by sgd and path_sgd only, found 0.9 with optimizer.name adam")
    }

    @Test func bfdTrainSamplesMustFitTheTrainingSet() throws {
        let error = try #require(ConfigFixture.error(
            ConfigFixture.minimal, overrides: ["data.train_size=50"]))
        #expect(error.key == "bfd.train_samples")
        // Not measuring on train inputs lifts the limit.
        #expect(ConfigFixture.error(
            ConfigFixture.minimal, overrides: ["data.train_size=50", "bfd.inputs=[test]"]) == nil)
    }

    @Test func firstErrorFollowsSchemaOrder() throws {
        let error = try #require(ConfigFixture.error(
            ConfigFixture.minimal, overrides: ["bfd.random_std=-1", "training.batch_size=0", "threads=0"]))
        #expect(error.key == "threads")
    }
}
