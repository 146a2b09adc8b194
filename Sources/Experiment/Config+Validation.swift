/// Range and consistency checks, each error naming the key, the value and what is allowed.
extension ExperimentConfig {
    /// Checks every value against its allowed range and the keys against each other, in schema
    /// order, and throws the first violation.
    ///
    /// ``parse(yaml:source:overrides:)`` calls this; call it yourself on a config built in code
    /// or decoded through `Codable`. `source` names the config in errors.
    public func validate(source: String = "<config>") throws(ConfigError) {
        let check = RangeCheck(source: source)
        try validateTopLevel(check)
        try validateModelAndData(check)
        try validateDataVariants(check)
        try validateTraining(check)
        try validateOptimizer(check)
        try validateCheckpoints(check)
        try validateBFD(check)
        try check.that(!logging.runsDirectory.isEmpty, "logging.runs_directory", "must not be empty")
    }

    private func validateTopLevel(_ check: RangeCheck) throws(ConfigError) {
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && (("A"..."Z").contains($0) || ("a"..."z").contains($0)
                || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
        try check.that(
            !name.isEmpty && allowed, "name",
            "must be one or more of A-Z a-z 0-9 . _ -, found \(ConfigYAMLText.quoted(name))",
            hint: "it names the run directory")
        try check.that(
            name != "." && name != "..", "name", "must not be \(name)",
            hint: "it names the run directory")
        if threads != ExperimentConfig.automaticThreads { try check.that(threads, in: 1...64, "threads") }
    }

    private func validateModelAndData(_ check: RangeCheck) throws(ConfigError) {
        try check.that(
            !model.hidden.isEmpty, "model.hidden", "must list at least one hidden-layer width",
            hint: "a list of hidden-layer widths, e.g. [30, 30, 30]")
        for (position, width) in model.hidden.enumerated() {
            try check.that(
                width >= 1, "model.hidden",
                "widths must be >= 1, found \(width) at item \(position + 1)")
        }

        try check.that(!data.directory.isEmpty, "data.directory", "must not be empty")
        if let size = data.trainSize { try check.that(size, atLeast: 1, "data.train_size") }
        if let size = data.testSize { try check.that(size, atLeast: 1, "data.test_size") }
        switch data.splitProtocol {
        case .standard:
            if let size = data.trainSize {
                try check.that(
                    size <= DataSection.standardTrainCount, "data.train_size",
                    "must be <= \(DataSection.standardTrainCount) (the standard training file), "
                        + "found \(size)",
                    hint: "use data.protocol: paper to draw from all 70000 images")
            }
            if let size = data.testSize {
                try check.that(
                    size <= DataSection.standardTestCount, "data.test_size",
                    "must be <= \(DataSection.standardTestCount) (the standard test file), found \(size)")
            }
        case .paper:
            guard let train = data.trainSize else {
                throw ConfigError(
                    kind: .missingKey, source: check.source, key: "data.train_size",
                    problem: "required by data.protocol paper",
                    hint: "the paper draws 600 training images: data.train_size: 600")
            }
            let pool = DataSection.poolCount
            if let test = data.testSize {
                try check.that(
                    train + test <= pool, "data.test_size",
                    "data.train_size + data.test_size must be <= \(pool) (the MNIST pool), "
                        + "found \(train) + \(test) = \(train + test)")
            } else {
                try check.that(
                    train < pool, "data.train_size",
                    "must be < \(pool) to leave test images, found \(train)")
            }
        }
    }

    private func validateDataVariants(_ check: RangeCheck) throws(ConfigError) {
        try check.that(data.randomLabelExtras, atLeast: 0, "data.random_label_extras")
        let unused = DataSection.poolCount - data.resolvedTrainSize - data.resolvedTestSize
        try check.that(
            data.randomLabelExtras <= unused, "data.random_label_extras",
            "must be <= \(unused), the MNIST images used by neither the training nor the test set, "
                + "found \(data.randomLabelExtras)",
            hint: "lower data.test_size to free more images")
        try check.that(data.inputNoiseStd, atLeast: 0, "data.input_noise_std")
    }

    private func validateTraining(_ check: RangeCheck) throws(ConfigError) {
        try check.that(training.epochs, atLeast: 0, "training.epochs")
        try check.that(training.batchSize, atLeast: 1, "training.batch_size")
        try check.that(training.logEvery, atLeast: 1, "training.log_every")
        try check.that(training.evalBatchSize, atLeast: 1, "training.eval_batch_size")
    }

    private func validateOptimizer(_ check: RangeCheck) throws(ConfigError) {
        let o = optimizer
        try check.that(o.lr, above: 0, "optimizer.lr", hint: "the learning rate, e.g. 0.1")
        try check.that(o.momentum, inHalfOpenUnit: "optimizer.momentum")
        if o.name == .adam {
            try check.that(
                o.momentum == 0, "optimizer.momentum",
                "is used by sgd only, found \(ConfigYAMLText.short(o.momentum)) with optimizer.name adam",
                hint: "Adam's momentum is optimizer.beta1")
            try check.that(
                !o.nesterov, "optimizer.nesterov", "is used by sgd only, found true with optimizer.name adam")
        }
        try check.that(
            !o.nesterov || o.momentum > 0, "optimizer.nesterov",
            "requires optimizer.momentum > 0, found momentum \(ConfigYAMLText.short(o.momentum))",
            hint: "set optimizer.momentum, e.g. 0.9")
        try check.that(o.weightDecay, atLeast: 0, "optimizer.weight_decay")
        if o.name == .sgd {
            try check.that(
                !o.decoupledWeightDecay, "optimizer.decoupled_weight_decay",
                "is used by adam only, found true with optimizer.name sgd",
                hint: "for sgd, weight_decay is L2 added to the gradient")
        }
        try check.that(o.beta1, inHalfOpenUnit: "optimizer.beta1")
        try check.that(o.beta2, inHalfOpenUnit: "optimizer.beta2")
        try check.that(o.epsilon, above: 0, "optimizer.epsilon")
    }

    private func validateCheckpoints(_ check: RangeCheck) throws(ConfigError) {
        switch (checkpoints.epochs, checkpoints.every) {
        case (.some, .some):
            throw ConfigError(
                kind: .invalidValue, source: check.source, key: "checkpoints",
                problem: "sets both epochs and every",
                hint: "keep one; an override can clear the other, e.g. checkpoints.epochs=null")
        case (.none, .none):
            throw ConfigError(
                kind: .missingKey, source: check.source, key: "checkpoints",
                problem: "needs one of checkpoints.epochs and checkpoints.every",
                hint: "e.g. checkpoints: {epochs: [0, 40, 80]} or checkpoints: {every: 10}")
        case (.some(let epochs), .none):
            try check.that(
                !epochs.isEmpty, "checkpoints.epochs", "must list at least one epoch",
                hint: "e.g. [0, \(training.epochs)]")
            var previous: Int?
            for (position, epoch) in epochs.enumerated() {
                try check.that(
                    epoch >= 0 && epoch <= training.epochs, "checkpoints.epochs",
                    "epochs must be in 0...\(training.epochs) (training.epochs), "
                        + "found \(epoch) at item \(position + 1)")
                if let previous {
                    try check.that(
                        epoch > previous, "checkpoints.epochs",
                        "must be strictly increasing, found \(epoch) after \(previous) "
                            + "at item \(position + 1)")
                }
                previous = epoch
            }
        case (.none, .some(let every)):
            try check.that(every, atLeast: 1, "checkpoints.every")
        }
    }

    private func validateBFD(_ check: RangeCheck) throws(ConfigError) {
        try check.that(
            !bfd.inputs.isEmpty, "bfd.inputs", "must list at least one of train, test, random")
        try check.noDuplicates(bfd.inputs.map(\.rawValue), "bfd.inputs")
        try check.that(
            !bfd.outputs.isEmpty, "bfd.outputs", "must list at least one of logits, softmax, centred")
        try check.noDuplicates(bfd.outputs.map(\.rawValue), "bfd.outputs")
        if let samples = bfd.trainSamples {
            try check.that(samples, atLeast: 1, "bfd.train_samples", hint: "null means all")
        }
        try check.that(bfd.testSamples, atLeast: 1, "bfd.test_samples")
        try check.that(bfd.randomSamples, atLeast: 1, "bfd.random_samples")
        try check.that(bfd.cffdMaxRows, atLeast: 10, "bfd.cffd_max_rows")
        if bfd.enabled, bfd.inputs.contains(.train), let samples = bfd.trainSamples {
            let size = data.resolvedTrainSize
            try check.that(
                samples <= size, "bfd.train_samples",
                "must be <= the training-set size \(size), found \(samples)",
                hint: "null measures on the whole training set")
        }
        if bfd.enabled, bfd.inputs.contains(.test) {
            let size = data.resolvedTestSize
            try check.that(
                bfd.testSamples <= size, "bfd.test_samples",
                "must be <= the test-set size \(size), found \(bfd.testSamples)")
        }
        try check.that(
            bfd.randomMean.isFinite, "bfd.random_mean",
            "must be finite, found \(ConfigYAMLText.short(bfd.randomMean))")
        try check.that(bfd.randomStd, above: 0, "bfd.random_std")
        try check.that(
            bfd.relativeTolerance > 0 && bfd.relativeTolerance < 1, "bfd.relative_tolerance",
            "must be in (0, 1), found \(ConfigYAMLText.short(bfd.relativeTolerance))",
            hint: "e.g. 1.0e-10")
    }
}

/// Throws ``ConfigError/Kind/invalidValue`` errors with uniform wording.
private struct RangeCheck {
    let source: String

    func that(_ condition: Bool, _ key: String, _ problem: String, hint: String? = nil)
        throws(ConfigError)
    {
        guard !condition else { return }
        throw ConfigError(kind: .invalidValue, source: source, key: key, problem: problem, hint: hint)
    }

    func that(_ value: Int, atLeast minimum: Int, _ key: String, hint: String? = nil)
        throws(ConfigError)
    {
        try that(value >= minimum, key, "must be >= \(minimum), found \(value)", hint: hint)
    }

    func that(_ value: Int, in range: ClosedRange<Int>, _ key: String) throws(ConfigError) {
        try that(
            range.contains(value), key,
            "must be in \(range.lowerBound)...\(range.upperBound), found \(value)")
    }

    func that(_ value: Double, above minimum: Double, _ key: String, hint: String? = nil)
        throws(ConfigError)
    {
        try that(
            value.isFinite && value > minimum, key,
            "must be a finite number > \(ConfigYAMLText.short(minimum)), "
                + "found \(ConfigYAMLText.short(value))", hint: hint)
    }

    func that(_ value: Double, atLeast minimum: Double, _ key: String) throws(ConfigError) {
        try that(
            value.isFinite && value >= minimum, key,
            "must be a finite number >= \(ConfigYAMLText.short(minimum)), "
                + "found \(ConfigYAMLText.short(value))")
    }

    func that(_ value: Double, inHalfOpenUnit key: String) throws(ConfigError) {
        try that(
            value >= 0 && value < 1, key,
            "must be in [0, 1), found \(ConfigYAMLText.short(value))")
    }

    func noDuplicates(_ items: [String], _ key: String) throws(ConfigError) {
        var seen: Set<String> = []
        for item in items where !seen.insert(item).inserted {
            throw ConfigError(
                kind: .invalidValue, source: source, key: key, problem: "lists \(item) twice")
        }
    }
}
