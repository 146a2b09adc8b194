/// The resolved config as YAML: every key with its value, defaults filled in, in schema order.
extension ExperimentConfig {
    /// Every leaf key with its value written as YAML flow text, in schema order; `null` for an
    /// unset nullable key (of `checkpoints`, only the form in use is listed).
    public var resolvedValues: [(key: String, value: String)] {
        typealias Y = ConfigYAMLText
        func list<T>(_ items: [T], _ write: (T) -> String) -> String {
            "[" + items.map(write).joined(separator: ", ") + "]"
        }
        func optional<T>(_ value: T?, _ write: (T) -> String) -> String {
            value.map(write) ?? "null"
        }
        let int: (Int) -> String = { String($0) }
        let bool: (Bool) -> String = { $0 ? "true" : "false" }
        var values: [(String, String)] = [
            ("name", Y.written(name)),
            ("seed", String(seed)),
            ("threads", threads == ExperimentConfig.automaticThreads ? "auto" : int(threads)),
            ("model.hidden", list(model.hidden, int)),
            ("model.init", model.initScheme.rawValue),
            ("data.directory", Y.written(data.directory)),
            ("data.protocol", data.splitProtocol.rawValue),
            ("data.train_size", optional(data.trainSize, int)),
            ("data.test_size", optional(data.testSize, int)),
            ("data.random_label_extras", int(data.randomLabelExtras)),
            ("data.input_noise_std", Y.written(data.inputNoiseStd)),
            ("training.epochs", int(training.epochs)),
            ("training.batch_size", int(training.batchSize)),
            ("training.precision", training.precision.rawValue),
            ("training.log_every", int(training.logEvery)),
            ("training.eval_batch_size", int(training.evalBatchSize)),
            ("optimizer.name", optimizer.name.rawValue),
            ("optimizer.lr", Y.written(optimizer.lr)),
            ("optimizer.momentum", Y.written(optimizer.momentum)),
            ("optimizer.nesterov", bool(optimizer.nesterov)),
            ("optimizer.weight_decay", Y.written(optimizer.weightDecay)),
            ("optimizer.decoupled_weight_decay", bool(optimizer.decoupledWeightDecay)),
            ("optimizer.beta1", Y.written(optimizer.beta1)),
            ("optimizer.beta2", Y.written(optimizer.beta2)),
            ("optimizer.epsilon", Y.written(optimizer.epsilon)),
        ]
        if let epochs = checkpoints.epochs { values.append(("checkpoints.epochs", list(epochs, int))) }
        if let every = checkpoints.every { values.append(("checkpoints.every", int(every))) }
        values += [
            ("bfd.enabled", bool(bfd.enabled)),
            ("bfd.inputs", list(bfd.inputs, \.rawValue)),
            ("bfd.outputs", list(bfd.outputs, \.rawValue)),
            ("bfd.train_samples", optional(bfd.trainSamples, int)),
            ("bfd.test_samples", int(bfd.testSamples)),
            ("bfd.random_samples", int(bfd.randomSamples)),
            ("bfd.random_mean", Y.written(bfd.randomMean)),
            ("bfd.random_std", Y.written(bfd.randomStd)),
            ("bfd.method", bfd.method.rawValue),
            ("bfd.rank_rule", bfd.rankRule.rawValue),
            ("bfd.relative_tolerance", Y.written(bfd.relativeTolerance)),
            ("bfd.spectrum", bool(bfd.spectrum)),
            ("bfd.cffd", bool(bfd.cffd)),
            ("bfd.cffd_max_rows", int(bfd.cffdMaxRows)),
            ("logging.runs_directory", Y.written(logging.runsDirectory)),
            ("logging.live", bool(logging.live)),
            ("logging.save_params", bool(logging.saveParams)),
        ]
        return values.map { (key: $0.0, value: $0.1) }
    }

    /// The full resolved config as YAML, every default filled in, in schema order, with lists
    /// in flow style (`hidden: [30, 30, 30]`).
    ///
    /// `parse(yaml:source:overrides:)` reads it back to an equal config (checked here: a config
    /// that fails validation or does not round-trip throws). Numbers are written exactly
    /// (shortest round-tripping decimal), so the text is also what YAML 1.1 readers such as
    /// PyYAML read as the same values. This is what a run stores as its `config.yaml`.
    public func resolvedYAML() throws(ConfigError) -> String {
        var lines = ["# geodim experiment config, resolved: every key, defaults filled in"]
        var section = ""
        for (key, value) in resolvedValues {
            let schemaKey = ExperimentConfig.schemaKey(key)
            let parent = schemaKey?.parent ?? ""
            if parent != section {
                section = parent
                if !parent.isEmpty { lines.append(parent + ":") }
            }
            let indent = parent.isEmpty ? "" : "  "
            lines.append(indent + String(schemaKey?.name ?? Substring(key)) + ": " + value)
        }
        let yaml = lines.joined(separator: "\n") + "\n"

        let source = "resolved config of \(name)"
        let reread = try ExperimentConfig.parse(yaml: yaml, source: source)
        guard reread == self else {
            let keys = differences(from: reread).joined(separator: ", ")
            throw ConfigError(
                kind: .invalidValue, source: source, key: differences(from: reread).first,
                problem: "does not read back to the same config (differs at \(keys))",
                hint: "this is a bug in geodim's config writer")
        }
        return yaml
    }
}
