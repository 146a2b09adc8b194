import Yams

/// Building a config from checked YAML values, key by key in schema order, with defaults for
/// absent keys. Ranges are checked afterwards by ``ExperimentConfig/validate(source:)``.
extension ExperimentConfig {
    init(reading r: ConfigReader) throws(ConfigError) {
        typealias Y = ConfigYAMLText
        let integer = "an integer"
        let number = "a number"
        let boolean = "true or false"
        let string = "a string"
        let integers = "a list of integers"

        let name = try r.required(
            "name", expected: string, hint: "a run name such as quick or paper-mnist", Y.string)
        let seed = try r.value("seed", expected: "an integer >= 0", default: UInt64(0), Y.uint64)
        // `auto` (stored as 0) picks the thread count that measured fastest for the network.
        let threads = try r.value(
            "threads", expected: "an integer or auto", default: ExperimentConfig.automaticThreads,
            { node in
                // 0 is the stored form of auto, so a literal 0 is rejected rather than read as auto.
                node.scalar?.string == "auto" ? ExperimentConfig.automaticThreads : Y.int(node).flatMap { $0 == 0 ? nil : $0 }
            })

        let modelDefaults = ModelSection(hidden: [])
        let dataDefaults = DataSection()
        let trainingDefaults = TrainingSection(epochs: 0)
        let optimizerDefaults = OptimizerSection(name: .sgd, lr: 1)
        let bfdDefaults = BFDSection()
        let loggingDefaults = LoggingSection()

        let model = ModelSection(
            hidden: try r.required(
                "model.hidden", expected: integers,
                hint: "a non-empty list of hidden-layer widths, e.g. [30, 30, 30]"
            ) { Y.list($0, Y.int) },
            initScheme: try r.choice("model.init", default: modelDefaults.initScheme))

        let data = DataSection(
            directory: try r.value(
                "data.directory", expected: string, default: dataDefaults.directory, Y.string),
            splitProtocol: try r.choice("data.protocol", default: dataDefaults.splitProtocol),
            trainSize: try r.nullable("data.train_size", expected: integer, default: dataDefaults.trainSize, Y.int),
            testSize: try r.nullable("data.test_size", expected: integer, default: dataDefaults.testSize, Y.int),
            randomLabelExtras: try r.value(
                "data.random_label_extras", expected: integer, default: dataDefaults.randomLabelExtras, Y.int),
            inputNoiseStd: try r.value(
                "data.input_noise_std", expected: number, default: dataDefaults.inputNoiseStd, Y.double))

        let training = TrainingSection(
            epochs: try r.required(
                "training.epochs", expected: integer,
                hint: "the number of passes over the training set, e.g. 680", Y.int),
            batchSize: try r.value("training.batch_size", expected: integer, default: trainingDefaults.batchSize, Y.int),
            precision: try r.choice("training.precision", default: trainingDefaults.precision),
            logEvery: try r.value("training.log_every", expected: integer, default: trainingDefaults.logEvery, Y.int),
            evalBatchSize: try r.value(
                "training.eval_batch_size", expected: integer, default: trainingDefaults.evalBatchSize, Y.int))

        let optimizer = OptimizerSection(
            name: try r.requiredChoice("optimizer.name", as: OptimizerName.self),
            lr: try r.required(
                "optimizer.lr", expected: number, hint: "the learning rate, e.g. 0.1", Y.double),
            momentum: try r.value("optimizer.momentum", expected: number, default: optimizerDefaults.momentum, Y.double),
            nesterov: try r.value("optimizer.nesterov", expected: boolean, default: optimizerDefaults.nesterov, Y.bool),
            weightDecay: try r.value(
                "optimizer.weight_decay", expected: number, default: optimizerDefaults.weightDecay, Y.double),
            decoupledWeightDecay: try r.value(
                "optimizer.decoupled_weight_decay", expected: boolean, default: optimizerDefaults.decoupledWeightDecay,
                Y.bool),
            beta1: try r.value("optimizer.beta1", expected: number, default: optimizerDefaults.beta1, Y.double),
            beta2: try r.value("optimizer.beta2", expected: number, default: optimizerDefaults.beta2, Y.double),
            epsilon: try r.value("optimizer.epsilon", expected: number, default: optimizerDefaults.epsilon, Y.double))

        let checkpoints = CheckpointSection(
            epochs: try r.nullable("checkpoints.epochs", expected: integers, default: nil) {
                Y.list($0, Y.int)
            },
            every: try r.nullable("checkpoints.every", expected: integer, default: nil, Y.int))

        let bfd = BFDSection(
            enabled: try r.value("bfd.enabled", expected: boolean, default: bfdDefaults.enabled, Y.bool),
            inputs: try r.choices("bfd.inputs", default: bfdDefaults.inputs),
            outputs: try r.choices("bfd.outputs", default: bfdDefaults.outputs),
            trainSamples: try r.nullable(
                "bfd.train_samples", expected: integer, default: bfdDefaults.trainSamples, Y.int),
            testSamples: try r.value(
                "bfd.test_samples", expected: integer, default: bfdDefaults.testSamples, Y.int),
            randomSamples: try r.value(
                "bfd.random_samples", expected: integer, default: bfdDefaults.randomSamples, Y.int),
            randomMean: try r.value(
                "bfd.random_mean", expected: number, default: bfdDefaults.randomMean, Y.double),
            randomStd: try r.value(
                "bfd.random_std", expected: number, default: bfdDefaults.randomStd, Y.double),
            method: try r.choice("bfd.method", default: bfdDefaults.method),
            rankRule: try r.choice("bfd.rank_rule", default: bfdDefaults.rankRule),
            relativeTolerance: try r.value(
                "bfd.relative_tolerance", expected: number, default: bfdDefaults.relativeTolerance,
                Y.double),
            spectrum: try r.value("bfd.spectrum", expected: boolean, default: bfdDefaults.spectrum, Y.bool),
            cffd: try r.value("bfd.cffd", expected: boolean, default: bfdDefaults.cffd, Y.bool),
            cffdMaxRows: try r.value(
                "bfd.cffd_max_rows", expected: integer, default: bfdDefaults.cffdMaxRows, Y.int))

        let logging = LoggingSection(
            runsDirectory: try r.value(
                "logging.runs_directory", expected: string, default: loggingDefaults.runsDirectory, Y.string),
            live: try r.value("logging.live", expected: boolean, default: loggingDefaults.live, Y.bool),
            saveParams: try r.value("logging.save_params", expected: boolean, default: loggingDefaults.saveParams, Y.bool))

        self.init(
            name: name, seed: seed, threads: threads, model: model, data: data,
            training: training, optimizer: optimizer, checkpoints: checkpoints, bfd: bfd,
            logging: logging)
    }
}
