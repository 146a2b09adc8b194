import Datasets

/// Values that follow from the config once its nulls and shorthands are resolved.
extension ExperimentConfig {
    /// The checkpoint epochs as an explicit, strictly increasing list.
    ///
    /// `checkpoints.epochs` is returned as given; `checkpoints.every: k` becomes
    /// 0, k, 2k, … up to `training.epochs`, with `training.epochs` itself always last. Empty only
    /// for an invalid config that sets neither.
    public var resolvedCheckpointEpochs: [Int] {
        if let epochs = checkpoints.epochs { return epochs }
        guard let every = checkpoints.every, every >= 1, training.epochs >= 0 else { return [] }
        var epochs = Array(stride(from: 0, through: training.epochs, by: every))
        if epochs.last != training.epochs { epochs.append(training.epochs) }
        return epochs
    }

    /// n_0: the synthetic input dimension, or 784 pixels for image data.
    public var inputSize: Int { data.source == .synthetic ? synthetic.inputDimension : MNIST.featureCount }
    /// n_L: one output for synthetic regression, the class count for image data.
    public var outputSize: Int { data.source == .synthetic ? 1 : (data.classes ?? MNIST.classCount) }
    /// The affine layers that are trained (those not in `training.freeze`), ascending.
    public var trainedLayers: [Int] {
        (0...model.hidden.count).filter { !training.freeze.contains($0) }
    }
}

extension ExperimentConfig.DataSection {
    /// Test points of a synthetic problem when `data.test_size` is null.
    public static let syntheticTestCount = 200
    /// Images in the standard MNIST training file.
    public static let standardTrainCount = 60_000
    /// Images in the standard MNIST test file.
    public static let standardTestCount = 10_000
    /// Images in the pool the paper protocol draws from (both files together).
    public static let poolCount = 70_000

    /// The training-set size: `train_size`, or all of the protocol's training set (60,000 for
    /// the standard protocol; the paper protocol requires `train_size`, so 0 when it is unset).
    public var resolvedTrainSize: Int {
        if let trainSize { return trainSize }
        if source == .synthetic { return 0 }  // required there
        return splitProtocol == .standard ? Self.standardTrainCount : 0
    }

    /// The test-set size: `test_size`, or all of the protocol's test set (10,000 for the
    /// standard protocol; the images of the pool not drawn for training for the paper's).
    public var resolvedTestSize: Int {
        if let testSize { return testSize }
        if source == .synthetic { return Self.syntheticTestCount }
        switch splitProtocol {
        case .standard: return Self.standardTestCount
        case .paper: return max(0, Self.poolCount - resolvedTrainSize)
        }
    }
}
