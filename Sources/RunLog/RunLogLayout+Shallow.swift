import HDF5

// MARK: - Synthetic data, linear regions and the trained-parameter BFD in the log

/// What `/checkpoints/regions` and `/checkpoints/bfd_trained` hold (both absent when nil or empty).
public struct ShallowLayout: Sendable, Equatable {
    /// Width of the first hidden layer when the network has one input (the row width of
    /// `/checkpoints/regions/kinks`); 0: no `/checkpoints/regions`.
    public var kinkCount: Int
    /// The alignment statistic's tolerance (attribute `kink_tolerance`).
    public var kinkTolerance: Double
    /// BFD sources measured over the trained parameters (`training.freeze` set); empty: none.
    public var trainedSources: [String]
    /// The trained affine layers (attribute `trained_layers`).
    public var trainedLayers: [Int]
    /// Columns of the restricted Jacobian (attribute `trained_parameter_count`).
    public var trainedParameterCount: Int
    /// The output variant the restricted rank differentiates (attribute `output`).
    public var trainedOutput: String

    public init(
        kinkCount: Int, kinkTolerance: Double, trainedSources: [String], trainedLayers: [Int],
        trainedParameterCount: Int, trainedOutput: String
    ) {
        self.kinkCount = kinkCount
        self.kinkTolerance = kinkTolerance
        self.trainedSources = trainedSources
        self.trainedLayers = trainedLayers
        self.trainedParameterCount = trainedParameterCount
        self.trainedOutput = trainedOutput
    }

    /// Whether the layout logs anything.
    public var isEmpty: Bool { kinkCount == 0 && trainedSources.isEmpty }

    /// Every per-checkpoint dataset's path below /checkpoints.
    var datasetPaths: [String] {
        (kinkCount > 0 ? RegionEntry.columns.map { "regions/" + $0.0 } : [])
            + trainedSources.flatMap { source in TrainedRankEntry.columns.map { "bfd_trained/\(source)_\($0.0)" } }
    }
}

/// The synthetic regression data of a run (`/data/synthetic`).
public struct SyntheticData: Sendable {
    /// Training inputs (n, d) and targets (n), as trained on (noise included).
    public var trainX: [Float]
    public var trainY: [Float]
    /// Test inputs (n_test, d) and their noise-free targets.
    public var testX: [Float]
    public var testY: [Float]
    /// d.
    public var inputDimension: Int
    /// Text attributes of the group: the target and its parameters, the input placement.
    public var attributes: [(String, String)]
    /// Number attributes: low, high, noise_std.
    public var numbers: [(String, Double)]

    public init(
        trainX: [Float], trainY: [Float], testX: [Float], testY: [Float], inputDimension: Int,
        attributes: [(String, String)], numbers: [(String, Double)]
    ) {
        self.trainX = trainX
        self.trainY = trainY
        self.testX = testX
        self.testY = testY
        self.inputDimension = inputDimension
        self.attributes = attributes
        self.numbers = numbers
    }
}

/// One checkpoint's linear-region statistics (`/checkpoints/regions`).
public struct RegionEntry: Sendable {
    public var regionsSeen: Int
    public var kinks: [Double]
    public var distinctKinks: Int
    public var kinksInRange: Int
    public var distinctKinksInRange: Int

    public init(regionsSeen: Int, kinks: [Double], distinctKinks: Int, kinksInRange: Int, distinctKinksInRange: Int) {
        self.regionsSeen = regionsSeen
        self.kinks = kinks
        self.distinctKinks = distinctKinks
        self.kinksInRange = kinksInRange
        self.distinctKinksInRange = distinctKinksInRange
    }

    static let columns: [(String, String)] = [
        ("regions_seen", "linear regions the training points fall into: 1 + changes of the activation pattern between consecutive sorted points"),
        ("kinks", "-b_j / w_j of every first-layer neuron (NaN where w_j = 0)"),
        ("distinct_kinks", "alignment: clusters of the finite kinks when kinks closer than kink_tolerance are chained (single linkage)"),
        ("kinks_in_range", "finite kinks inside [min x, max x] of the training points"),
        ("distinct_kinks_in_range", "distinct_kinks over the kinks inside [min x, max x] only"),
    ]
}

/// One checkpoint's rank of the Jacobian restricted to the trained parameters, for one source.
public struct TrainedRankEntry: Sendable {
    public var rank: Int
    public var gapRatio: Double
    public var clear: Bool
    public var upperBound: Int

    public init(rank: Int, gapRatio: Double, clear: Bool, upperBound: Int) {
        self.rank = rank
        self.gapRatio = gapRatio
        self.clear = clear
        self.upperBound = upperBound
    }

    static let columns: [(String, String)] = [
        ("rank", "rank of J restricted to the columns of the trained parameters (the group's rank_rule)"),
        ("gap_ratio", "sigma_r / sigma_(r+1) across the cut"),
        ("clear", "1 when the gap ratio is >= 1e3 and sigma_r is above the floor"),
        ("upper_bound", "min(rows, trained_parameter_count)"),
    ]
}

extension RunLogWriter {
    /// Creates `/data/synthetic` (when `data` is given).
    static func createSyntheticData(in root: HDF5Group, _ data: SyntheticData) throws {
        let group = try root.group("data").createGroup("synthetic")
        for (name, value) in data.attributes { try group.attributes.set(name, value) }
        for (name, value) in data.numbers { try group.attributes.set(name, value) }
        try group.attributes.set("input_dim", Int64(data.inputDimension))
        let d = data.inputDimension
        let trainPoint = try indexScale("train_point", in: group, count: data.trainY.count, description: "training point")
        let testPoint = try indexScale("test_point", in: group, count: data.testY.count, description: "test point")
        let coordinate = try indexScale("coordinate", in: group, count: d, description: "input coordinate")
        let trainX = try group.createDataset("train_x", values: data.trainX, shape: [data.trainY.count, d])
        let testX = try group.createDataset("test_x", values: data.testX, shape: [data.testY.count, d])
        let trainY = try group.createDataset("train_y", values: data.trainY)
        let testY = try group.createDataset("test_y", values: data.testY)
        try describe(trainX, "training inputs, float32, in training-set order")
        try describe(trainY, "training targets f(s) + noise, float32 (s = mean of the input's coordinates)")
        try describe(testX, "test inputs, float32")
        try describe(testY, "noise-free test targets f(s), float32")
        for dataset in [trainX, trainY] { try dataset.attachDimensionScale(trainPoint) }
        for dataset in [testX, testY] { try dataset.attachDimensionScale(testPoint) }
        try attachTrailing([coordinate], to: [trainX, testX])
    }

    /// Creates `/checkpoints/regions` and `/checkpoints/bfd_trained` as `layout` asks.
    static func createShallowLayout(in checkpoints: HDF5Group, _ layout: ShallowLayout, step: HDF5Dataset) throws {
        if layout.kinkCount > 0 {
            let group = try checkpoints.createGroup("regions")
            try group.attributes.set("kink_tolerance", layout.kinkTolerance)
            try group.attributes.set(
                "description", "1-D inputs: linear regions of the training points, first-layer kinks and their alignment")
            var datasets: [HDF5Dataset] = []
            for (name, description) in RegionEntry.columns {
                let dataset = name == "kinks"
                    ? try group.createExtendableDataset(name, of: Double.self, rowShape: [layout.kinkCount], fillValue: .nan)
                    : try group.createExtendableDataset(name, of: Int64.self)
                try describe(dataset, description)
                try dataset.attachDimensionScale(step)
                datasets.append(dataset)
            }
            let neuron = try indexScale("neuron", in: group, count: layout.kinkCount, description: "first-layer neuron")
            try attachTrailing([neuron], to: [datasets[1]])
        }
        if !layout.trainedSources.isEmpty {
            let group = try checkpoints.createGroup("bfd_trained")
            try group.attributes.set("trained_layers", layout.trainedLayers.map(Int64.init))
            try group.attributes.set("trained_parameter_count", Int64(layout.trainedParameterCount))
            try group.attributes.set("output", layout.trainedOutput)
            try group.attributes.set("sources", layout.trainedSources)
            try group.attributes.set(
                "description", "BFD over the trained parameters only: rank of J restricted to the columns of trained_layers")
            for source in layout.trainedSources {
                for (name, description) in TrainedRankEntry.columns {
                    let full = "\(source)_\(name)"
                    let dataset: HDF5Dataset = switch name {
                    case "gap_ratio": try group.createExtendableDataset(full, of: Double.self, fillValue: .nan)
                    case "clear": try group.createExtendableDataset(full, of: UInt8.self)
                    default: try group.createExtendableDataset(full, of: Int64.self)
                    }
                    try describe(dataset, description)
                    try dataset.attachDimensionScale(step)
                }
            }
        }
    }

    /// Appends one checkpoint's region and trained-rank rows.
    func appendShallow(_ record: CheckpointRecord) throws {
        guard let shallow = layout.shallow else { return }
        let datasets = handles.shallow
        if shallow.kinkCount > 0 {
            let entry = record.regions ?? RegionEntry(
                regionsSeen: -1, kinks: [], distinctKinks: -1, kinksInRange: -1, distinctKinksInRange: -1)
            try datasets["regions/regions_seen"]?.append(rows: [Int64(entry.regionsSeen)])
            var kinks = [Double](repeating: .nan, count: shallow.kinkCount)
            for j in 0..<min(kinks.count, entry.kinks.count) { kinks[j] = entry.kinks[j] }
            try datasets["regions/kinks"]?.append(rows: kinks)
            try datasets["regions/distinct_kinks"]?.append(rows: [Int64(entry.distinctKinks)])
            try datasets["regions/kinks_in_range"]?.append(rows: [Int64(entry.kinksInRange)])
            try datasets["regions/distinct_kinks_in_range"]?.append(rows: [Int64(entry.distinctKinksInRange)])
        }
        for (index, source) in shallow.trainedSources.enumerated() {
            let entry = index < record.trained.count
                ? record.trained[index] : TrainedRankEntry(rank: -1, gapRatio: .nan, clear: false, upperBound: -1)
            try datasets["bfd_trained/\(source)_rank"]?.append(rows: [Int64(entry.rank)])
            try datasets["bfd_trained/\(source)_gap_ratio"]?.append(rows: [entry.gapRatio])
            try datasets["bfd_trained/\(source)_clear"]?.append(rows: [UInt8(entry.clear ? 1 : 0)])
            try datasets["bfd_trained/\(source)_upper_bound"]?.append(rows: [Int64(entry.upperBound)])
        }
    }
}
