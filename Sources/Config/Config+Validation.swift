/// Range and consistency checks, each error naming the key, the value and what is allowed.
extension ExperimentConfig {
    /// Checks every value against its allowed range and the keys against each other, in schema
    /// order, and throws the first violation.
    ///
    /// ``parse(yaml:source:overrides:)`` calls this; call it yourself on a config changed in
    /// code. `source` names the config in errors.
    public func validate(source: String = "<config>") throws(ConfigError) {
        let check = RangeCheck(source: source)
        // Each key's own range, from the key table, in schema order; then the checks that
        // relate keys to each other.
        for entry in ExperimentConfig.keyTable { try entry.check(self, check) }
        try validateSynthetic(check)
        try validateTraining(check)
        try validateData(check)
        try validateDataVariants(check)
        try validateOptimizer(check)
        try validateCheckpoints(check)
        try validateBFD(check)
    }

    private func validateSynthetic(_ check: RangeCheck) throws(ConfigError) {
        let syn = synthetic
        try check.that(
            syn.high > syn.low, "synthetic.high",
            "must be > synthetic.low (\(ConfigYAMLText.short(syn.low))), found \(ConfigYAMLText.short(syn.high))")
        try check.that(
            syn.knotsX.count >= 2, "synthetic.knots_x", "must list at least 2 knots, found \(syn.knotsX.count)")
        try check.that(
            syn.knotsX.allSatisfy(\.isFinite) && zip(syn.knotsX, syn.knotsX.dropFirst()).allSatisfy { $0 < $1 },
            "synthetic.knots_x", "must be finite and strictly increasing")
        try check.that(
            syn.knotsY.count == syn.knotsX.count && syn.knotsY.allSatisfy(\.isFinite), "synthetic.knots_y",
            "must list \(syn.knotsX.count) finite values (one per knot of knots_x), found \(syn.knotsY.count)")
        try check.that(
            !syn.coefficients.isEmpty && syn.coefficients.allSatisfy(\.isFinite), "synthetic.coefficients",
            "must list at least one finite coefficient")
        try check.that(
            syn.inputs != .grid || syn.inputDimension == 1, "synthetic.inputs",
            "grid needs synthetic.input_dim 1, found \(syn.inputDimension)", hint: "use uniform in higher dimension")
        guard data.source == .synthetic else { return }
        guard data.trainSize != nil else {
            throw ConfigError(
                kind: .missingKey, source: check.source, key: "data.train_size", problem: "required by data.source synthetic",
                hint: "the number of training points, e.g. data.train_size: 50")
        }
        try check.that(
            training.loss == .mse, "training.loss", "must be mse for data.source synthetic (a regression problem), found \(training.loss.rawValue)",
            hint: "training.loss: mse")
        try check.that(
            data.classes == nil, "data.classes", "goes with data.dataset idx only, not data.source synthetic")
        try check.that(
            training.stopAtTrainAccuracy == nil, "training.stop_at_train_accuracy",
            "needs class labels (an accuracy), not data.source synthetic (a regression)",
            hint: "remove it, or set it to null")
        try check.that(
            data.randomLabelExtras == 0, "data.random_label_extras",
            "is for image data only, found \(data.randomLabelExtras) with data.source synthetic")
        try check.that(
            data.inputNoiseStd == 0, "data.input_noise_std",
            "is for image data only, found \(ConfigYAMLText.short(data.inputNoiseStd)) with data.source synthetic",
            hint: "synthetic.noise_std sets the noise on the targets")
        if bfd.enabled {
            try check.that(
                bfd.outputs == [.logits], "bfd.outputs",
                "must be [logits] for data.source synthetic (one output: softmax and centred have no rows)",
                hint: "bfd.outputs: [logits]")
        }
    }

    private func validateTraining(_ check: RangeCheck) throws(ConfigError) {
        let layers = model.hidden.count + 1
        for (position, layer) in training.freeze.enumerated() {
            try check.that(
                layer >= 0 && layer < layers, "training.freeze",
                "layer indices must be in 0...\(layers - 1) (affine layers, 0 = first), found \(layer) at item \(position + 1)")
        }
        try check.noDuplicates(training.freeze.map(String.init), "training.freeze")
        try check.that(
            training.freeze.count < layers, "training.freeze", "must leave at least one layer to train",
            hint: "training.epochs: 0 measures without training")
    }

    private func validateData(_ check: RangeCheck) throws(ConfigError) {
        guard data.source == .mnist else { return }
        switch (data.dataset, data.classes) {
        case (.idx, nil):
            throw ConfigError(
                kind: .missingKey, source: check.source, key: "data.classes", problem: "required by data.dataset idx",
                hint: "the number of classes, labels 0..classes-1, e.g. data.classes: 10")
        case (.mnist, .some(let classes)), (.fashion_mnist, .some(let classes)):
            throw ConfigError(
                kind: .invalidValue, source: check.source, key: "data.classes",
                problem: "goes with data.dataset idx only (\(data.dataset.rawValue) has 10 classes), found \(classes)",
                hint: "remove data.classes, or set data.dataset: idx")
        default: break
        }
        // The counts below are those of MNIST's and Fashion-MNIST's files; an idx data set's
        // are known only once it is read (the data layer checks them then).
        guard data.dataset != .idx else { return }
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
        guard data.dataset != .idx, data.source == .mnist else { return }  // checked against the files when they are read
        let unused = DataSection.poolCount - data.resolvedTrainSize - data.resolvedTestSize
        try check.that(
            data.randomLabelExtras <= unused, "data.random_label_extras",
            "must be <= \(unused), the MNIST images used by neither the training nor the test set, "
                + "found \(data.randomLabelExtras)",
            hint: "lower data.test_size to free more images")
    }

    private func validateOptimizer(_ check: RangeCheck) throws(ConfigError) {
        let o = optimizer
        if o.name == .adam {
            try check.that(
                o.momentum == 0, "optimizer.momentum",
                "is used by sgd and path_sgd only, found \(ConfigYAMLText.short(o.momentum)) with optimizer.name adam",
                hint: "Adam's momentum is optimizer.beta1")
            try check.that(
                !o.nesterov, "optimizer.nesterov", "is used by sgd and path_sgd only, found true with optimizer.name adam")
        }
        try check.that(
            !o.nesterov || o.momentum > 0, "optimizer.nesterov",
            "requires optimizer.momentum > 0, found momentum \(ConfigYAMLText.short(o.momentum))",
            hint: "set optimizer.momentum, e.g. 0.9")
        if o.name != .adam {
            try check.that(
                !o.decoupledWeightDecay, "optimizer.decoupled_weight_decay",
                "is used by adam only, found true with optimizer.name \(o.name.rawValue)",
                hint: o.name == .sgd ? "for sgd, weight_decay is L2 added to the gradient" : nil)
        }
        if o.name == .pathSGD {
            try check.that(
                o.weightDecay == 0, "optimizer.weight_decay",
                "is not used by path_sgd, found \(ConfigYAMLText.short(o.weightDecay))",
                hint: "an L2 term would break Path-SGD's rescaling invariance; set it to 0")
        }
        try check.that(
            o.schedule != .cosine || o.lrMin <= o.lr, "optimizer.lr_min",
            "must be <= optimizer.lr (\(ConfigYAMLText.short(o.lr))) for the cosine schedule, found \(ConfigYAMLText.short(o.lrMin))")
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
        case (.none, .some):
            break  // its range is the key's own check
        }
    }

    private func validateBFD(_ check: RangeCheck) throws(ConfigError) {
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
    }
}

/// Throws ``ConfigError/Kind/invalidValue`` errors with uniform wording.
struct RangeCheck {
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
