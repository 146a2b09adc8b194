import Testing

import Config
import Runner

@Suite("Config overrides")
struct ConfigOverrideTests {
    private func parse(_ overrides: [String], yaml: String = ConfigFixture.minimal) throws
        -> ExperimentConfig
    {
        try ExperimentConfig.parse(yaml: yaml, source: "o.yaml", overrides: overrides)
    }

    @Test func scalarOverridesReplaceValues() throws {
        let config = try parse([
            "optimizer.lr=0.05", "seed=3", "name=run-2", "training.precision=float64",
            "bfd.spectrum=false", "optimizer.epsilon=1e-8",
        ])
        #expect(config.optimizer.lr == 0.05)
        #expect(config.seed == 3)
        #expect(config.name == "run-2")
        #expect(config.training.precision == .float64)
        #expect(config.bfd.spectrum == false)
        #expect(config.optimizer.epsilon == 1e-8)
    }

    @Test func flowSequenceOverridesAList() throws {
        let config = try parse(["model.hidden=[10,10]", "bfd.inputs=[test]"])
        #expect(config.model.hidden == [10, 10])
        #expect(config.bfd.inputs == [.test])
    }

    @Test func nullOverrideClearsANullableKey() throws {
        #expect(try parse([]).bfd.trainSamples == 100)
        #expect(try parse(["bfd.train_samples=null"]).bfd.trainSamples == nil)
        #expect(try parse(["bfd.train_samples="]).bfd.trainSamples == nil)
    }

    @Test func overridesCreateMissingSections() throws {
        // The minimal config has no data or bfd section.
        let config = try parse(["data.protocol=paper", "data.train_size=600", "bfd.method=jacobian"])
        #expect(config.data.splitProtocol == .paper)
        #expect(config.data.trainSize == 600)
        #expect(config.bfd.method == .jacobian)
    }

    @Test func overridingASectionReplacesIt() throws {
        let config = try parse(["checkpoints={epochs: [0, 10]}"])
        #expect(config.checkpoints.epochs == [0, 10] && config.checkpoints.every == nil)
    }

    @Test func switchingCheckpointFormsByNullingTheOther() throws {
        let config = try parse(["checkpoints.every=null", "checkpoints.epochs=[0, 3, 10]"])
        #expect(config.resolvedCheckpointEpochs == [0, 3, 10])
    }

    @Test func laterOverridesWin() throws {
        let config = try parse(["optimizer.lr=0.5", "optimizer.lr=0.25"])
        #expect(config.optimizer.lr == 0.25)
    }

    @Test func overridesCanSupplyRequiredKeys() throws {
        let yaml = "name: x\nmodel: {hidden: [5]}\noptimizer: {name: sgd, lr: 0.1}\n"
        let config = try parse(["training.epochs=2", "checkpoints.every=1"], yaml: yaml)
        #expect(config.resolvedCheckpointEpochs == [0, 1, 2])
    }

    @Test func overrideWithoutEqualsIsAnError() throws {
        let error = try #require(ConfigFixture.error(ConfigFixture.minimal, overrides: ["optimizer.lr"]))
        #expect(error.kind == .malformedOverride)
        #expect(error.description == """
            test.yaml: override "optimizer.lr": expected dotted.key=value \
            (hint: e.g. optimizer.lr=0.05 or model.hidden=[10,10])
            """)
    }

    @Test func overrideOfAnUnknownKeyNamesItAndSuggests() throws {
        let error = try #require(
            ConfigFixture.error(ConfigFixture.minimal, overrides: ["optimizer.lr_rate=0.1"]))
        #expect(error.kind == .unknownKey)
        #expect(error.key == "optimizer.lr_rate")
        #expect(error.suggestion == "optimizer.lr")
        #expect(error.description.contains("override \"optimizer.lr_rate=0.1\""))
        #expect(error.description.hasSuffix("(hint: did you mean optimizer.lr?)"))
    }

    @Test func overrideWithMalformedValueIsAnError() throws {
        let error = try #require(
            ConfigFixture.error(ConfigFixture.minimal, overrides: ["model.hidden=[10,10"]))
        #expect(error.kind == .malformedOverride)
        #expect(error.key == "model.hidden")
    }

    @Test func badValueFromAnOverrideSaysSo() throws {
        let error = try #require(
            ConfigFixture.error(ConfigFixture.minimal, overrides: ["optimizer.lr=-0.1"]))
        #expect(error.key == "optimizer.lr")
        #expect(error.override == "optimizer.lr=-0.1")
        #expect(error.description == """
            test.yaml: optimizer.lr: must be a finite number > 0, found -0.1; \
            set by override "optimizer.lr=-0.1" (hint: the learning rate, e.g. 0.1)
            """)
    }

    @Test func overrideThroughANonMappingIsAnError() throws {
        let error = try #require(
            ConfigFixture.error("name: x\nmodel: 5\n", overrides: ["model.hidden=[3]"]))
        #expect(error.kind == .wrongType)
        #expect(error.key == "model")
    }
}
