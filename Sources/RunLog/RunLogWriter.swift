import HDF5

/// Writes one run's HDF5 log in the layout of docs/log-format.md.
///
/// Everything is created up front (groups, growing datasets, dimension scales), then rows are
/// appended: `/train` every few steps, `/checkpoints` (with BFD, neuron statistics and
/// parameters) at each checkpoint, after which the file is flushed so a reader, or a crash,
/// sees every finished checkpoint.
public final class RunLogWriter {
    public let path: String
    private let file: HDF5File
    private let series: [BFDSeries]
    private let sources: [String]
    private let layerSizes: [Int]
    private let saveParameters: Bool
    private let storeSpectra: Bool
    private let parametersAsFloat32: Bool

    // /train
    private let trainStep, trainEpoch, trainLoss, trainLR, trainWall: HDF5Dataset
    // /checkpoints
    private let checkpointStep, checkpointEpoch, checkpointWall: HDF5Dataset
    private let trainLossAt, trainAccuracyAt, testLossAt, testAccuracyAt: HDF5Dataset
    private var bfdDatasets: [[String: HDF5Dataset]] = []
    private var neuronDatasets: [[String: HDF5Dataset]] = []
    private var parameterDatasets: [(weight: HDF5Dataset, bias: HDF5Dataset)] = []

    /// Creates the log at `path` (which must not exist) and writes the metadata and inputs.
    public init(
        path: String, metadata: RunMetadata, inputs: RunInputs, series: [BFDSeries],
        neuronSources: [String], saveParameters: Bool, storeSpectra: Bool,
        parametersAsFloat32: Bool, created: String
    ) throws {
        self.path = path
        self.series = series
        self.sources = neuronSources
        self.layerSizes = metadata.layerSizes
        self.saveParameters = saveParameters
        self.storeSpectra = storeSpectra
        self.parametersAsFloat32 = parametersAsFloat32
        file = try HDF5File.create(path, mode: .exclusive)
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
        try meta.createStringDataset("overrides", values: metadata.overrides)
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
        try RunLogWriter.describe(
            data.createDataset("train_indices", values: inputs.trainIndices),
            "pooled MNIST index: i < 60000 is image i of train-images-idx3-ubyte, else image i - 60000 of t10k-images-idx3-ubyte")
        try RunLogWriter.describe(data.createDataset("train_labels", values: inputs.trainLabels), "labels of the training set")
        try RunLogWriter.describe(data.createDataset("test_indices", values: inputs.testIndices), "pooled MNIST index of each test image")
        try RunLogWriter.describe(data.createDataset("test_labels", values: inputs.testLabels), "labels of the test set")
        try RunLogWriter.describe(
            data.createDataset("bfd_train_indices", values: inputs.bfdTrainIndices),
            "pooled MNIST indices of the training inputs the BFD is measured on, in Jacobian row order")
        try RunLogWriter.describe(
            data.createDataset("bfd_test_indices", values: inputs.bfdTestIndices),
            "pooled MNIST indices of the test inputs the BFD is measured on, in Jacobian row order")
        let randomCount = inputs.randomFeatureCount > 0 ? inputs.randomInputs.count / inputs.randomFeatureCount : 0
        let random = try data.createDataset(
            "random_inputs", values: inputs.randomInputs, shape: [randomCount, inputs.randomFeatureCount])
        try RunLogWriter.describe(random, "Gaussian random inputs the BFD is measured on, N(mean, std) per pixel")
        try random.attributes.set("mean", inputs.randomMean)
        try random.attributes.set("std", inputs.randomStd)

        // /train
        let train = try root.createGroup("train")
        trainStep = try train.createExtendableDataset("step", of: Int64.self)
        trainEpoch = try train.createExtendableDataset("epoch", of: Double.self)
        trainLoss = try train.createExtendableDataset("loss", of: Double.self)
        trainLR = try train.createExtendableDataset("lr", of: Double.self)
        trainWall = try train.createExtendableDataset("wall_time_s", of: Double.self)
        try RunLogWriter.describe(trainStep, "optimizer steps done", units: "steps")
        try RunLogWriter.describe(trainEpoch, "fractional epoch: step / steps per epoch", units: "epochs")
        try RunLogWriter.describe(trainLoss, "mini-batch mean softmax cross-entropy", units: "nats")
        try RunLogWriter.describe(trainLR, "learning rate used for this step")
        try RunLogWriter.describe(trainWall, "seconds since the start of the run", units: "s")
        try trainStep.makeDimensionScale(name: "step")
        for dataset in [trainEpoch, trainLoss, trainLR, trainWall] {
            try dataset.attachDimensionScale(trainStep)
        }

        // /checkpoints
        let checkpoints = try root.createGroup("checkpoints")
        checkpointStep = try checkpoints.createExtendableDataset("step", of: Int64.self)
        checkpointEpoch = try checkpoints.createExtendableDataset("epoch", of: Int64.self)
        checkpointWall = try checkpoints.createExtendableDataset("wall_time_s", of: Double.self)
        trainLossAt = try checkpoints.createExtendableDataset("train_loss", of: Double.self, fillValue: .nan)
        trainAccuracyAt = try checkpoints.createExtendableDataset("train_accuracy", of: Double.self, fillValue: .nan)
        testLossAt = try checkpoints.createExtendableDataset("test_loss", of: Double.self, fillValue: .nan)
        testAccuracyAt = try checkpoints.createExtendableDataset("test_accuracy", of: Double.self, fillValue: .nan)
        try RunLogWriter.describe(checkpointStep, "optimizer steps done", units: "steps")
        try RunLogWriter.describe(checkpointEpoch, "epochs done", units: "epochs")
        try RunLogWriter.describe(checkpointWall, "seconds since the start of the run", units: "s")
        try RunLogWriter.describe(trainLossAt, "mean cross-entropy on the full training set", units: "nats")
        try RunLogWriter.describe(trainAccuracyAt, "accuracy on the full training set", units: "fraction")
        try RunLogWriter.describe(testLossAt, "mean cross-entropy on the full test set", units: "nats")
        try RunLogWriter.describe(testAccuracyAt, "accuracy on the full test set", units: "fraction")
        try checkpointStep.makeDimensionScale(name: "step")
        for dataset in [checkpointEpoch, checkpointWall, trainLossAt, trainAccuracyAt, testLossAt, testAccuracyAt] {
            try dataset.attachDimensionScale(checkpointStep)
        }

        let bfdGroup = try checkpoints.createGroup("bfd")
        try bfdGroup.attributes.set("series", series.map(\.groupName))
        for entry in series {
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
                try RunLogWriter.describe(datasets[name], description)
            }
            for (name, description) in RunLogWriter.bfdFlagColumns {
                datasets[name] = try group.createExtendableDataset(name, of: UInt8.self)
                try RunLogWriter.describe(datasets[name], description)
            }
            for (name, description) in RunLogWriter.bfdRealColumns {
                datasets[name] = try group.createExtendableDataset(name, of: Double.self, fillValue: .nan)
                try RunLogWriter.describe(datasets[name], description)
            }
            if storeSpectra {
                let width = max(1, min(entry.rows, entry.parameterCount))
                let spectrum = try group.createExtendableDataset(
                    "spectrum", of: Double.self, rowShape: [width], chunkRows: 1, compression: 4, fillValue: .nan)
                try RunLogWriter.describe(spectrum, "singular values of J, descending, NaN-padded")
                datasets["spectrum"] = spectrum
            }
            for dataset in datasets.values { try dataset.attachDimensionScale(checkpointStep) }
            bfdDatasets.append(datasets)
        }

        let neuronsGroup = try checkpoints.createGroup("neurons")
        let hiddenLayers = max(1, metadata.layerSizes.count - 2)
        for source in neuronSources {
            let group = try neuronsGroup.createGroup(source)
            let dead = try group.createExtendableDataset("dead", of: Int64.self, rowShape: [hiddenLayers])
            let alwaysActive = try group.createExtendableDataset("always_active", of: Int64.self, rowShape: [hiddenLayers])
            let patterns = try group.createExtendableDataset("patterns", of: Int64.self)
            try RunLogWriter.describe(dead, "hidden neurons inactive on every input of the set, per hidden layer")
            try RunLogWriter.describe(alwaysActive, "hidden neurons active on every input of the set, per hidden layer")
            try RunLogWriter.describe(patterns, "distinct activation patterns over the set (linear regions it perceives)")
            for dataset in [dead, alwaysActive, patterns] { try dataset.attachDimensionScale(checkpointStep) }
            neuronDatasets.append(["dead": dead, "always_active": alwaysActive, "patterns": patterns])
        }

        if saveParameters {
            let params = try root.createGroup("params")
            for layer in 0..<(metadata.layerSizes.count - 1) {
                let fanIn = metadata.layerSizes[layer], fanOut = metadata.layerSizes[layer + 1]
                let group = try params.createGroup("layer\(layer)")
                let weight: HDF5Dataset
                let bias: HDF5Dataset
                if parametersAsFloat32 {
                    weight = try group.createExtendableDataset("weight", of: Float.self, rowShape: [fanOut, fanIn], chunkRows: 1, compression: 4)
                    bias = try group.createExtendableDataset("bias", of: Float.self, rowShape: [fanOut], chunkRows: 1)
                } else {
                    weight = try group.createExtendableDataset("weight", of: Double.self, rowShape: [fanOut, fanIn], chunkRows: 1, compression: 4)
                    bias = try group.createExtendableDataset("bias", of: Double.self, rowShape: [fanOut], chunkRows: 1)
                }
                try RunLogWriter.describe(weight, "W_l at each checkpoint, (out, in): z_(l+1) = W_l a_l + b_l")
                try RunLogWriter.describe(bias, "b_l at each checkpoint")
                try weight.attachDimensionScale(checkpointStep)
                try bias.attachDimensionScale(checkpointStep)
                parameterDatasets.append((weight, bias))
            }
        }
        try file.flush()
    }

    static let bfdIntegerColumns: [(String, String)] = [
        ("rank", "the headline BFD, under the group's rank_rule"),
        ("rank_numpy", "singular values > sigma_1 * max(m, P) * eps (numpy's matrix_rank default)"),
        ("rank_gap", "cut at the largest ratio sigma_r / sigma_(r+1) above the method's floor"),
        ("rank_relative", "singular values > relative_tolerance * sigma_1"),
        ("upper_bound", "min(row cap, P - hidden - sum over dead neurons of (n_(l-1) + n_(l+1)))"),
    ]
    static let bfdFlagColumns: [(String, String)] = [
        ("clear", "1 when the gap ratio is >= 1e3 and sigma_r is above the floor"),
        ("rules_disagree", "1 when the numpy, gap and relative rules give different ranks"),
    ]
    static let bfdRealColumns: [(String, String)] = [
        ("tolerance", "absolute singular-value threshold the headline rule used"),
        ("gap_ratio", "sigma_r / sigma_(r+1) across the headline cut (inf at the end of the spectrum)"),
        ("sigma_above", "sigma_r / sigma_1 just above the cut"),
        ("sigma_below", "sigma_(r+1) / sigma_1 just below the cut (0 at the end of the spectrum)"),
        ("floor", "relative level below which the method cannot resolve singular values"),
        ("seconds", "time to compute this entry"),
    ]

    private static func describe(_ dataset: HDF5Dataset?, _ text: String, units: String? = nil) throws {
        guard let dataset else { return }
        try dataset.attributes.set("description", text)
        if let units { try dataset.attributes.set("units", units) }
    }

    /// Appends rows to /train.
    public func appendTrainRows(steps: [Int64], epochs: [Double], losses: [Double], learningRates: [Double], wallTimes: [Double]) throws {
        guard !steps.isEmpty else { return }
        try trainStep.append(rows: steps)
        try trainEpoch.append(rows: epochs)
        try trainLoss.append(rows: losses)
        try trainLR.append(rows: learningRates)
        try trainWall.append(rows: wallTimes)
    }

    /// Appends one checkpoint row everywhere and flushes the file.
    public func appendCheckpoint(_ record: CheckpointRecord) throws {
        try checkpointStep.append(rows: [Int64(record.step)])
        try checkpointEpoch.append(rows: [Int64(record.epoch)])
        try checkpointWall.append(rows: [record.wallTime])
        try trainLossAt.append(rows: [record.trainLoss])
        try trainAccuracyAt.append(rows: [record.trainAccuracy])
        try testLossAt.append(rows: [record.testLoss])
        try testAccuracyAt.append(rows: [record.testAccuracy])
        precondition(record.bfd.count == series.count && record.neurons.count == sources.count)
        for (index, entry) in record.bfd.enumerated() {
            let datasets = bfdDatasets[index]
            let integers: [String: Int] = [
                "rank": entry.rank, "rank_numpy": entry.rankNumpy, "rank_gap": entry.rankGap,
                "rank_relative": entry.rankRelative, "upper_bound": entry.upperBound,
            ]
            for (name, value) in integers { try datasets[name]?.append(rows: [Int64(value)]) }
            try datasets["clear"]?.append(rows: [UInt8(entry.clear ? 1 : 0)])
            try datasets["rules_disagree"]?.append(rows: [UInt8(entry.rulesDisagree ? 1 : 0)])
            let reals: [String: Double] = [
                "tolerance": entry.tolerance, "gap_ratio": entry.gapRatio, "sigma_above": entry.sigmaAbove,
                "sigma_below": entry.sigmaBelow, "floor": entry.floor, "seconds": entry.seconds,
            ]
            for (name, value) in reals { try datasets[name]?.append(rows: [value]) }
            if let spectrum = datasets["spectrum"] {
                let width = spectrum.rowShapeWidth
                var row = [Double](repeating: .nan, count: width)
                for i in 0..<min(width, entry.spectrum.count) { row[i] = entry.spectrum[i] }
                try spectrum.append(rows: row)
            }
        }
        for (index, entry) in record.neurons.enumerated() {
            let datasets = neuronDatasets[index]
            try datasets["dead"]?.append(rows: entry.dead.map(Int64.init))
            try datasets["always_active"]?.append(rows: entry.alwaysActive.map(Int64.init))
            try datasets["patterns"]?.append(rows: [Int64(entry.patterns)])
        }
        if saveParameters {
            var offset = 0
            for layer in 0..<(layerSizes.count - 1) {
                let fanIn = layerSizes[layer], fanOut = layerSizes[layer + 1]
                let weights = Array(record.parameters[offset..<(offset + fanOut * fanIn)])
                offset += fanOut * fanIn
                let biases = Array(record.parameters[offset..<(offset + fanOut)])
                offset += fanOut
                if parametersAsFloat32 {
                    try parameterDatasets[layer].weight.append(rows: weights.map(Float.init))
                    try parameterDatasets[layer].bias.append(rows: biases.map(Float.init))
                } else {
                    try parameterDatasets[layer].weight.append(rows: weights)
                    try parameterDatasets[layer].bias.append(rows: biases)
                }
            }
        }
        try file.flush()
    }

    /// Records string or number attributes on /meta (end time, wall times ...).
    public func setMeta(text: [(String, String)] = [], reals: [(String, Double)] = []) throws {
        let meta = try file.root.group("meta")
        for (name, value) in text { try meta.attributes.set(name, value) }
        for (name, value) in reals { try meta.attributes.set(name, value) }
    }

    /// Sets the root `status` attribute and flushes.
    public func setStatus(_ status: RunStatus) throws {
        try file.attributes.set("status", status.rawValue)
        try file.flush()
    }

    /// Closes the file.
    public func close() throws {
        try file.close()
    }
}

extension HDF5Dataset {
    /// Elements per row of a 2-D growing dataset (1 for a 1-D one).
    fileprivate var rowShapeWidth: Int {
        ((try? shape) ?? [0, 1]).dropFirst().reduce(1, *)
    }
}
