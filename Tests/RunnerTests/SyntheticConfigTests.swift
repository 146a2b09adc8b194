import Config
import Testing

/// The synthetic-data, loss and freeze keys: what parses, and each error naming its key.
@Suite("Config: synthetic data, mse, freeze")
struct SyntheticConfigTests {
    static let synthetic = """
        name: shallow
        model:
          hidden: [100]
        data:
          source: synthetic
          train_size: 50
        training:
          epochs: 10
          loss: mse
        optimizer:
          name: sgd
          lr: 0.1
        checkpoints:
          every: 5
        bfd:
          outputs: [logits]
          train_samples: null

        """

    @Test func syntheticParsesWithDefaults() throws {
        let config = try ExperimentConfig.parse(yaml: Self.synthetic, source: "s.yaml")
        #expect(config.data.source == .synthetic && config.training.loss == .mse && config.training.freeze.isEmpty)
        #expect(config.inputSize == 1 && config.outputSize == 1)
        #expect(config.data.resolvedTestSize == 200)
        #expect(config.synthetic.target == .piecewiseLinear && config.synthetic.knotsX.count == 5)
        #expect(config.trainedLayers == [0, 1])
        let frozen = try ExperimentConfig.parse(yaml: Self.synthetic, source: "s.yaml", overrides: ["training.freeze=[0]"])
        #expect(frozen.trainedLayers == [1])
        // MNIST stays the default source.
        let mnist = try ExperimentConfig.parse(yaml: ConfigFixture.minimal, source: "m.yaml")
        #expect(mnist.data.source == .mnist && mnist.inputSize == 784 && mnist.outputSize == 10)
    }

    @Test(arguments: [
        (["training.loss=cross_entropy"], "training.loss"),
        (["data.train_size=null"], "data.train_size"),
        (["bfd.outputs=[logits, centred]"], "bfd.outputs"),
        (["training.freeze=[2]"], "training.freeze"),
        (["training.freeze=[0, 1]"], "training.freeze"),
        (["training.freeze=[0, 0]"], "training.freeze"),
        (["synthetic.knots_x=[0, 0, 1, 2, 3]"], "synthetic.knots_x"),
        (["synthetic.knots_y=[0, 1]"], "synthetic.knots_y"),
        (["synthetic.high=-1"], "synthetic.high"),
        (["synthetic.inputs=grid", "synthetic.input_dim=2"], "synthetic.inputs"),
        (["synthetic.input_dim=0"], "synthetic.input_dim"),
        (["synthetic.noise_std=-0.1"], "synthetic.noise_std"),
        (["synthetic.coefficients=[]"], "synthetic.coefficients"),
        (["data.input_noise_std=0.1"], "data.input_noise_std"),
        (["synthetic.target=cosine"], "synthetic.target"),
        (["bfd.kink_tolerance=0"], "bfd.kink_tolerance"),
        (["model.kink_range=-1"], "model.kink_range"),
    ])
    func errorsNameTheKey(overrides: [String], key: String) throws {
        let error = try #require(ConfigFixture.error(Self.synthetic, overrides: overrides), "\(overrides) parsed")
        #expect(error.key == key, "\(overrides): \(error)")
    }
}
