import HDF5

/// The structure of a run's log: what its per-checkpoint groups are and whether parameters and
/// spectra are stored. A writer that reopens a log to resume must be given the same layout.
public struct RunLogLayout: Sendable, Equatable {
    /// The BFD series, one `/checkpoints/bfd/<source>_<output>` group each, in the order
    /// ``CheckpointRecord/bfd`` lists their entries.
    public var series: [BFDSeries]
    /// The input sets with a `/checkpoints/neurons/<source>` group, in the order
    /// ``CheckpointRecord/neurons`` lists their entries.
    public var neuronSources: [String]
    /// Widths, inputs first.
    public var layerSizes: [Int]
    /// Whether `/params` holds every layer's weights and biases at each checkpoint
    /// (`logging.save_params`).
    public var saveParameters: Bool
    /// Whether each BFD group has a `spectrum` dataset, float64 [K, min(m, P)], NaN-padded.
    public var storeSpectra: Bool
    /// Whether `/params` is stored as float32 (a float32 run) rather than float64.
    public var parametersAsFloat32: Bool
    /// Whether /checkpoints/cffd holds a CFFD estimate per checkpoint.
    public var storeCFFD: Bool
    /// `/checkpoints/regions` and `/checkpoints/bfd_trained`, when logged.
    public var shallow: ShallowLayout?

    /// Most batch sizes one CFFD estimate records (rows of /checkpoints/cffd/sizes).
    public static let cffdSlots = 16

    /// A layout; with `storeCFFD` false (the default) the log has no `/checkpoints/cffd`.
    public init(
        series: [BFDSeries], neuronSources: [String], layerSizes: [Int], saveParameters: Bool,
        storeSpectra: Bool, parametersAsFloat32: Bool, storeCFFD: Bool = false, shallow: ShallowLayout? = nil
    ) {
        self.storeCFFD = storeCFFD
        self.shallow = shallow.flatMap { $0.isEmpty ? nil : $0 }
        self.series = series
        self.neuronSources = neuronSources
        self.layerSizes = layerSizes
        self.saveParameters = saveParameters
        self.storeSpectra = storeSpectra
        self.parametersAsFloat32 = parametersAsFloat32
    }
}

/// Handles on every growing dataset of a log, opened by name (after creating the layout, or on
/// an existing log to resume it).
struct RunLogHandles {
    // /train: `step` is the commit column, appended after the others.
    let trainStep: HDF5Dataset
    let trainColumns: (epoch: HDF5Dataset, loss: HDF5Dataset, lr: HDF5Dataset, wall: HDF5Dataset)
    // /checkpoints: `step` is the commit column, appended after everything else of a row.
    let checkpointStep: HDF5Dataset
    let checkpointColumns: (epoch: HDF5Dataset, wall: HDF5Dataset, trainLoss: HDF5Dataset, trainAccuracy: HDF5Dataset,
                            testLoss: HDF5Dataset, testAccuracy: HDF5Dataset)
    let bfd: [[String: HDF5Dataset]]
    let neurons: [[String: HDF5Dataset]]
    let parameters: [(weight: HDF5Dataset, bias: HDF5Dataset)]
    /// /params/step, the checkpoint steps again for /params' own dimension (format version 2;
    /// nil in version-1 logs and without parameters).
    let parameterStep: HDF5Dataset?
    /// /checkpoints/cffd datasets (empty when the layout logs no CFFD).
    let cffd: [String: HDF5Dataset]
    /// /checkpoints/regions and /checkpoints/bfd_trained datasets, by path below /checkpoints.
    let shallow: [String: HDF5Dataset]

    static let cffdNames = ["estimate", "converged", "sizes", "ranks"]

    /// Every per-checkpoint dataset except the commit column `/checkpoints/step`.
    var checkpointData: [HDF5Dataset] {
        let c = checkpointColumns
        var datasets = [c.epoch, c.wall, c.trainLoss, c.trainAccuracy, c.testLoss, c.testAccuracy]
        for group in bfd + neurons + [cffd, shallow] {
            for name in group.keys.sorted() { datasets.append(group[name]!) }
        }
        for layer in parameters { datasets += [layer.weight, layer.bias] }
        if let parameterStep { datasets.append(parameterStep) }
        return datasets
    }

    var trainData: [HDF5Dataset] {
        [trainColumns.epoch, trainColumns.loss, trainColumns.lr, trainColumns.wall]
    }

    static func open(_ root: HDF5Group, layout: RunLogLayout) throws -> RunLogHandles {
        let bfdNames = RunLogWriter.bfdIntegerColumns.map(\.0) + RunLogWriter.bfdFlagColumns.map(\.0)
            + RunLogWriter.bfdRealColumns.map(\.0) + (layout.storeSpectra ? ["spectrum"] : [])
        var bfd: [[String: HDF5Dataset]] = []
        for entry in layout.series {
            let group = try root.group("checkpoints/bfd/" + entry.groupName)
            var datasets: [String: HDF5Dataset] = [:]
            for name in bfdNames + (entry.exact == nil ? [] : RunLogWriter.exactColumnNames) {
                datasets[name] = try group.dataset(name)
            }
            // Logs written before `gram_side` existed resume without it.
            if try group.childNames().contains("gram_side") { datasets["gram_side"] = try group.dataset("gram_side") }
            bfd.append(datasets)
        }
        var neurons: [[String: HDF5Dataset]] = []
        for source in layout.neuronSources {
            let group = try root.group("checkpoints/neurons/" + source)
            var datasets: [String: HDF5Dataset] = [:]
            for name in ["dead", "always_active", "patterns"] { datasets[name] = try group.dataset(name) }
            neurons.append(datasets)
        }
        var parameters: [(weight: HDF5Dataset, bias: HDF5Dataset)] = []
        var parameterStep: HDF5Dataset?
        if layout.saveParameters {
            if try root.group("params").childNames().contains("step") { parameterStep = try root.dataset("params/step") }
            for layer in 0..<(layout.layerSizes.count - 1) {
                parameters.append((try root.dataset("params/layer\(layer)/weight"), try root.dataset("params/layer\(layer)/bias")))
            }
        }
        var cffd: [String: HDF5Dataset] = [:]
        if layout.storeCFFD {
            for name in cffdNames { cffd[name] = try root.dataset("checkpoints/cffd/" + name) }
        }
        var shallow: [String: HDF5Dataset] = [:]
        for path in layout.shallow?.datasetPaths ?? [] { shallow[path] = try root.dataset("checkpoints/" + path) }
        return RunLogHandles(
            trainStep: try root.dataset("train/step"),
            trainColumns: (try root.dataset("train/epoch"), try root.dataset("train/loss"), try root.dataset("train/lr"),
                           try root.dataset("train/wall_time_s")),
            checkpointStep: try root.dataset("checkpoints/step"),
            checkpointColumns: (try root.dataset("checkpoints/epoch"), try root.dataset("checkpoints/wall_time_s"),
                                try root.dataset("checkpoints/train_loss"), try root.dataset("checkpoints/train_accuracy"),
                                try root.dataset("checkpoints/test_loss"), try root.dataset("checkpoints/test_accuracy")),
            bfd: bfd, neurons: neurons, parameters: parameters, parameterStep: parameterStep, cffd: cffd,
            shallow: shallow)
    }
}

extension RunLogWriter {
    /// Creates every group, dataset, attribute and dimension scale of a new log, and writes the
    /// metadata and inputs.
    static func createLayout(
        in file: HDF5File, layout: RunLogLayout, metadata: RunMetadata, inputs: RunInputs, created: String
    ) throws {
        let root = try file.root

        try file.attributes.set("format", runLogFormat)
        try file.attributes.set("format_version", runLogFormatVersion)
        try file.attributes.set("geodim_version", metadata.geodimVersion)
        try file.attributes.set("created", created)
        try file.attributes.set("status", RunStatus.running.rawValue)

        // /meta
        let meta = try root.createGroup("meta")
        let configDataset = try meta.createStringDataset("config_yaml", value: metadata.configYAML)
        try configDataset.attributes.set("description", "the fully resolved config; geodim train accepts it as is")
        let overrides = try meta.createStringDataset("overrides", values: metadata.overrides)
        try overrides.attachDimensionScale(
            indexScale("override", in: meta, count: metadata.overrides.count, description: "position on the command line"))
        try meta.attributes.set("command_line", metadata.commandLine)
        try meta.attributes.set("seed", metadata.seed)
        try meta.attributes.set("architecture", metadata.layerSizes.map(String.init).joined(separator: "-"))
        try meta.attributes.set("layer_sizes", metadata.layerSizes.map(Int64.init))
        try meta.attributes.set("parameter_count", Int64(metadata.parameterCount))
        try meta.attributes.set("hidden_neurons", Int64(metadata.hiddenNeurons))
        try meta.attributes.set("precision", metadata.precision)
        try meta.attributes.set("hdf5_version", HDF5Library.version)
        for (name, value) in metadata.textAttributes { try meta.attributes.set(name, value) }
        for (name, value) in metadata.integerAttributes { try meta.attributes.set(name, value) }

        // /data
        let data = try root.createGroup("data")
        let trainSample = try indexScale("train_sample", in: data, count: inputs.trainIndices.count, description: "position in the training set")
        let testSample = try indexScale("test_sample", in: data, count: inputs.testIndices.count, description: "position in the test set")
        let bfdTrainInput = try indexScale(
            "bfd_train_input", in: data, count: inputs.bfdTrainIndices.count, description: "training input of the BFD, in Jacobian row order")
        let bfdTestInput = try indexScale(
            "bfd_test_input", in: data, count: inputs.bfdTestIndices.count, description: "test input of the BFD, in Jacobian row order")
        let pixel = try indexScale("pixel", in: data, count: inputs.randomFeatureCount, description: "input feature (pixel) index")
        try describe(
            data.createDataset("train_indices", values: inputs.trainIndices),
            "pooled MNIST index: i < 60000 is image i of train-images-idx3-ubyte, else image i - 60000 of t10k-images-idx3-ubyte")
        try describe(data.createDataset("train_labels", values: inputs.trainLabels), "labels of the training set")
        try describe(data.createDataset("test_indices", values: inputs.testIndices), "pooled MNIST index of each test image")
        try describe(data.createDataset("test_labels", values: inputs.testLabels), "labels of the test set")
        try describe(
            data.createDataset("bfd_train_indices", values: inputs.bfdTrainIndices),
            "pooled MNIST indices of the training inputs the BFD is measured on, in Jacobian row order")
        try describe(
            data.createDataset("bfd_test_indices", values: inputs.bfdTestIndices),
            "pooled MNIST indices of the test inputs the BFD is measured on, in Jacobian row order")
        for (name, scale) in [("train_indices", trainSample), ("train_labels", trainSample), ("test_indices", testSample),
                              ("test_labels", testSample), ("bfd_train_indices", bfdTrainInput), ("bfd_test_indices", bfdTestInput)] {
            try data.dataset(name).attachDimensionScale(scale)
        }
        if !inputs.bfdTrainInputs.isEmpty, inputs.randomFeatureCount > 0 {
            let stored = try data.createDataset(
                "bfd_train_inputs", values: inputs.bfdTrainInputs,
                shape: [inputs.bfdTrainInputs.count / inputs.randomFeatureCount, inputs.randomFeatureCount])
            try describe(
                stored,
                "the training inputs the BFD is measured on, as trained on (MNIST images of bfd_train_indices plus N(0, std) noise)")
            try stored.attributes.set("noise_std", inputs.inputNoiseStd)
            try stored.attachDimensionScale(bfdTrainInput)
            try stored.attachDimensionScale(pixel, axis: 1)
        }
        let randomCount = inputs.randomFeatureCount > 0 ? inputs.randomInputs.count / inputs.randomFeatureCount : 0
        let random = try data.createDataset(
            "random_inputs", values: inputs.randomInputs, shape: [randomCount, inputs.randomFeatureCount])
        try describe(random, "Gaussian random inputs the BFD is measured on, N(mean, std) per pixel")
        try random.attributes.set("mean", inputs.randomMean)
        try random.attributes.set("std", inputs.randomStd)
        let randomInput = try indexScale("random_input", in: data, count: randomCount, description: "Gaussian random input index")
        try random.attachDimensionScale(randomInput)
        try random.attachDimensionScale(pixel, axis: 1)
        if let synthetic = inputs.synthetic { try createSyntheticData(in: root, synthetic) }

        // /train
        let train = try root.createGroup("train")
        let trainStep = try train.createExtendableDataset("step", of: Int64.self)
        let trainEpoch = try train.createExtendableDataset("epoch", of: Double.self)
        let trainLoss = try train.createExtendableDataset("loss", of: Double.self)
        let trainLR = try train.createExtendableDataset("lr", of: Double.self)
        let trainWall = try train.createExtendableDataset("wall_time_s", of: Double.self)
        try describe(trainStep, "optimizer steps done", units: "steps")
        try describe(trainEpoch, "fractional epoch: step / steps per epoch", units: "epochs")
        try describe(trainLoss, "mini-batch mean of the training loss (/meta attribute loss: softmax cross-entropy in nats, or half squared error)")
        try describe(trainLR, "learning rate used for this step")
        try describe(trainWall, "seconds since the start of the run", units: "s")
        try trainStep.makeDimensionScale(name: "step")
        for dataset in [trainEpoch, trainLoss, trainLR, trainWall] {
            try dataset.attachDimensionScale(trainStep)
        }

        // /checkpoints
        let checkpoints = try root.createGroup("checkpoints")
        let checkpointStep = try checkpoints.createExtendableDataset("step", of: Int64.self)
        let checkpointEpoch = try checkpoints.createExtendableDataset("epoch", of: Int64.self)
        let checkpointWall = try checkpoints.createExtendableDataset("wall_time_s", of: Double.self)
        let trainLossAt = try checkpoints.createExtendableDataset("train_loss", of: Double.self, fillValue: .nan)
        let trainAccuracyAt = try checkpoints.createExtendableDataset("train_accuracy", of: Double.self, fillValue: .nan)
        let testLossAt = try checkpoints.createExtendableDataset("test_loss", of: Double.self, fillValue: .nan)
        let testAccuracyAt = try checkpoints.createExtendableDataset("test_accuracy", of: Double.self, fillValue: .nan)
        try describe(checkpointStep, "optimizer steps done", units: "steps")
        try describe(checkpointEpoch, "epochs done", units: "epochs")
        try describe(checkpointWall, "seconds since the start of the run", units: "s")
        try describe(trainLossAt, "mean cross-entropy on the full training set", units: "nats")
        try describe(trainAccuracyAt, "accuracy on the full training set", units: "fraction")
        try describe(testLossAt, "mean cross-entropy on the full test set", units: "nats")
        try describe(testAccuracyAt, "accuracy on the full test set", units: "fraction")
        try checkpointStep.makeDimensionScale(name: "step")
        for dataset in [checkpointEpoch, checkpointWall, trainLossAt, trainAccuracyAt, testLossAt, testAccuracyAt] {
            try dataset.attachDimensionScale(checkpointStep)
        }

        let bfdGroup = try checkpoints.createGroup("bfd")
        try bfdGroup.attributes.set("series", layout.series.map(\.groupName))
        for entry in layout.series {
            let group = try bfdGroup.createGroup(entry.groupName)
            try group.attributes.set("source", entry.source)
            try group.attributes.set("output", entry.output)
            try group.attributes.set("method", entry.method)
            try group.attributes.set("rank_rule", entry.rankRule)
            try group.attributes.set("relative_tolerance", entry.relativeTolerance)
            try group.attributes.set("n", Int64(entry.inputCount))
            try group.attributes.set("rows", Int64(entry.rows))
            try group.attributes.set("row_cap", Int64(entry.rowCap))
            try group.attributes.set("parameter_count", Int64(entry.parameterCount))
            try group.attributes.set("symmetry_bound", Int64(entry.symmetryBound))
            var datasets: [String: HDF5Dataset] = [:]
            for (name, description) in RunLogWriter.bfdIntegerColumns {
                datasets[name] = try group.createExtendableDataset(name, of: Int64.self)
                try describe(datasets[name], description)
            }
            for (name, description) in RunLogWriter.bfdFlagColumns {
                datasets[name] = try group.createExtendableDataset(name, of: UInt8.self)
                try describe(datasets[name], description)
            }
            for (name, description) in RunLogWriter.bfdRealColumns {
                datasets[name] = try group.createExtendableDataset(name, of: Double.self, fillValue: .nan)
                try describe(datasets[name], description)
            }
            let gramSide = try group.createExtendableDataset("gram_side", of: Int64.self, fillValue: -1)
            try describe(gramSide, "which Gram product gave the rank at this checkpoint")
            try gramSide.attributes.set("codes", RunLogWriter.gramSideCodeText)
            datasets["gram_side"] = gramSide
            if let exact = entry.exact {
                try group.attributes.set("exact_computed_as", exact.computedAs)
                try group.attributes.set("exact_encoding", exact.encoding)
                try group.attributes.set("exact_matrix", exact.matrix)
                try group.attributes.set("exact_prime_slots", Int64(exact.primeSlots))
                try group.attributes.set("exact_prime_bits", Int64(exact.primeBits))
                for (name, description) in RunLogWriter.exactIntegerColumns {
                    datasets[name] = try group.createExtendableDataset(name, of: Int64.self)
                    try describe(datasets[name], description)
                }
                datasets["exact_certified"] = try group.createExtendableDataset("exact_certified", of: UInt8.self)
                try describe(
                    datasets["exact_certified"],
                    "1 when rank_exact equals its proven upper bound (a proof) and no pre-activation is ambiguous")
                for (name, description) in RunLogWriter.exactRealColumns {
                    datasets[name] = try group.createExtendableDataset(name, of: Double.self, fillValue: .nan)
                    try describe(datasets[name], description)
                }
                datasets["exact_primes"] = try group.createExtendableDataset(
                    "exact_primes", of: Int64.self, rowShape: [exact.primeSlots])
                try describe(datasets["exact_primes"], "the primes used, in order (0 = slot unused)")
                datasets["exact_ranks"] = try group.createExtendableDataset(
                    "exact_ranks", of: Int64.self, rowShape: [exact.primeSlots])
                try describe(datasets["exact_ranks"], "the rank modulo each prime of exact_primes (-1 = slot unused)")
                let primeSlot = try indexScale("prime_slot", in: group, count: exact.primeSlots, description: "slot of exact_primes")
                try attachTrailing([primeSlot], to: [datasets["exact_primes"], datasets["exact_ranks"]].compactMap { $0 })
            }
            if layout.storeSpectra {
                let width = max(1, min(entry.rows, entry.parameterCount))
                let spectrum = try group.createExtendableDataset(
                    "spectrum", of: Double.self, rowShape: [width], chunkRows: 1, compression: 4, fillValue: .nan)
                try describe(spectrum, "singular values of J, descending, NaN-padded")
                let index = try indexScale("sv_index", in: group, count: width, description: "position in the descending spectrum")
                try attachTrailing([index], to: [spectrum])
                datasets["spectrum"] = spectrum
            }
            for dataset in datasets.values { try dataset.attachDimensionScale(checkpointStep) }
        }

        let neuronsGroup = try checkpoints.createGroup("neurons")
        let hiddenLayers = max(1, layout.layerSizes.count - 2)
        for source in layout.neuronSources {
            let group = try neuronsGroup.createGroup(source)
            let dead = try group.createExtendableDataset("dead", of: Int64.self, rowShape: [hiddenLayers])
            let alwaysActive = try group.createExtendableDataset("always_active", of: Int64.self, rowShape: [hiddenLayers])
            let patterns = try group.createExtendableDataset("patterns", of: Int64.self)
            try describe(dead, "hidden neurons inactive on every input of the set, per hidden layer")
            try describe(alwaysActive, "hidden neurons active on every input of the set, per hidden layer")
            try describe(patterns, "distinct activation patterns over the set (linear regions it perceives)")
            for dataset in [dead, alwaysActive, patterns] { try dataset.attachDimensionScale(checkpointStep) }
            let layer = try indexScale("layer", in: group, count: hiddenLayers, first: 1, description: "hidden layer, 1 = first")
            try attachTrailing([layer], to: [dead, alwaysActive])
        }

        if let shallow = layout.shallow {
            try createShallowLayout(in: checkpoints, shallow, step: checkpointStep)
        }

        if layout.storeCFFD {
            let group = try checkpoints.createGroup("cffd")
            try group.attributes.set("description", "CFFD estimate: BFD on Gaussian batches of doubling size until it stops growing")
            let slots = RunLogLayout.cffdSlots
            let estimate = try group.createExtendableDataset("estimate", of: Int64.self)
            let converged = try group.createExtendableDataset("converged", of: UInt8.self)
            let sizes = try group.createExtendableDataset("sizes", of: Int64.self, rowShape: [slots], fillValue: -1)
            let ranks = try group.createExtendableDataset("ranks", of: Int64.self, rowShape: [slots], fillValue: -1)
            try describe(estimate, "the BFD at which the sequence stopped growing (or the last one measured)")
            try describe(converged, "1 when two consecutive sizes gave the same clear rank")
            try describe(sizes, "batch sizes tried, in order, -1 padded")
            try describe(ranks, "BFD at each size, -1 padded")
            for dataset in [estimate, converged, sizes, ranks] { try dataset.attachDimensionScale(checkpointStep) }
            try attachTrailing([indexScale("slot", in: group, count: slots, description: "position in the doubling sequence")],
                               to: [sizes, ranks])
        }

        if layout.saveParameters {
            let params = try root.createGroup("params")
            let parameterStep = try params.createExtendableDataset("step", of: Int64.self)
            try describe(parameterStep, "optimizer steps done (a copy of /checkpoints/step)", units: "steps")
            try parameterStep.makeDimensionScale(name: "step")
            for layer in 0..<(layout.layerSizes.count - 1) {
                let fanIn = layout.layerSizes[layer], fanOut = metadata.layerSizes[layer + 1]
                let group = try params.createGroup("layer\(layer)")
                let weight: HDF5Dataset
                let bias: HDF5Dataset
                if layout.parametersAsFloat32 {
                    weight = try group.createExtendableDataset("weight", of: Float.self, rowShape: [fanOut, fanIn], chunkRows: 1, compression: 4)
                    bias = try group.createExtendableDataset("bias", of: Float.self, rowShape: [fanOut], chunkRows: 1)
                } else {
                    weight = try group.createExtendableDataset("weight", of: Double.self, rowShape: [fanOut, fanIn], chunkRows: 1, compression: 4)
                    bias = try group.createExtendableDataset("bias", of: Double.self, rowShape: [fanOut], chunkRows: 1)
                }
                try describe(weight, "W_l at each checkpoint, (out, in): z_(l+1) = W_l a_l + b_l")
                try describe(bias, "b_l at each checkpoint")
                try weight.attachDimensionScale(parameterStep)
                try bias.attachDimensionScale(parameterStep)
                let neuron = try indexScale("neuron", in: group, count: fanOut, description: "output neuron of the layer")
                let input = try indexScale("input", in: group, count: fanIn, description: "input of the layer")
                try attachTrailing([neuron, input], to: [weight])
                try attachTrailing([neuron], to: [bias])
            }
        }
    }

    static func describe(_ dataset: HDF5Dataset?, _ text: String, units: String? = nil) throws {
        guard let dataset else { return }
        try dataset.attributes.set("description", text)
        if let units { try dataset.attributes.set("units", units) }
    }
}
