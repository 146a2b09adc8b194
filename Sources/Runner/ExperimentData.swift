import Config
import Datasets
import Geometry
import Foundation

/// One input set the BFD is measured on.
public struct BFDInputSet: Sendable {
    /// `train`, `test` or `random`.
    public let source: ExperimentConfig.BFDInput
    /// (count, 784) row-major, float64 (geometry is always float64).
    public let inputs: [Double]
    public let count: Int
    /// Pooled MNIST indices (empty for random inputs).
    public let pooledIndices: [Int64]
    /// How the exact engine reads the inputs: pixel bytes (b/255) for MNIST images as stored,
    /// binary floats for random or noisy ones.
    public let encoding: ExactInputEncoding

    /// A set of `count` inputs, (count, 784) row-major.
    public init(
        source: ExperimentConfig.BFDInput, inputs: [Double], count: Int, pooledIndices: [Int64],
        encoding: ExactInputEncoding
    ) {
        self.encoding = encoding
        self.source = source
        self.inputs = inputs
        self.count = count
        self.pooledIndices = pooledIndices
    }
}

/// The data a run uses, prepared (and validated) before anything is written to disk.
public struct ExperimentData: Sendable {
    /// The image files (nil for `data.source: synthetic`).
    public let mnist: MNIST?
    /// The synthetic regression problem (nil for image data).
    public let synthetic: SyntheticRegression?
    /// n_L: the class count, or 1 for synthetic regression.
    public let outputSize: Int
    public let train: LabeledSet
    public let test: LabeledSet
    public let bfdSets: [BFDInputSet]
    /// The random inputs as float32 (what the log stores), (count, 784).
    public let randomInputs: [Float]
    /// The BFD training inputs as float32, (count, 784), when they are not plain MNIST images
    /// (`data.input_noise_std` > 0) and the log must store them; empty otherwise.
    public let storedTrainInputs: [Float]

    /// Loads and verifies the data set (`data.dataset`; MNIST by default), forms the train/test split (with `data.random_label_extras`
    /// appended to the training set and `data.input_noise_std` noise added to it) and the BFD
    /// input sets. The BFD's training inputs are the first `bfd.train_samples` of the original
    /// training set, as trained on (noisy if noise is on); the extras are never among them.
    public static func prepare(_ config: ExperimentConfig) throws -> ExperimentData {
        if config.data.source == .synthetic { return prepareSynthetic(config) }
        let mnist = try MNIST.load(directory: config.data.directory, dataset: config.data.idxDataset, verifyChecksums: true)
        let split: TrainTestSplit
        switch config.data.splitProtocol {
        case .standard:
            split = try mnist.standardSplit(
                trainSize: config.data.trainSize, testSize: config.data.testSize, seed: config.seed)
        case .paper:
            // The test set defaults to the rest of the pool, whatever the data set's size.
            let trainSize = config.data.resolvedTrainSize
            split = try mnist.paperSplit(
                trainSize: trainSize, testSize: config.data.testSize ?? max(0, mnist.pooledImageCount - trainSize),
                seed: config.seed)
        }
        let originalTrainCount = split.train.count
        var train = split.train
        if config.data.randomLabelExtras > 0 {
            train = try mnist.withRandomLabelExtras(
                train, extraCount: config.data.randomLabelExtras, excluding: [split.test], seed: config.seed)
        }
        if config.data.inputNoiseStd > 0 {
            train = addGaussianNoise(to: train, std: config.data.inputNoiseStd, seed: config.seed)
        }
        let featureCount = split.train.featureCount
        var storedTrainInputs: [Float] = []
        var bfdSets: [BFDInputSet] = []
        var randomInputs: [Float] = []
        if config.bfd.enabled {
            for source in config.bfd.inputs {
                switch source {
                case .train:
                    // The original training samples come first; random-label extras are not measured.
                    let count = min(config.bfd.trainSamples ?? originalTrainCount, originalTrainCount)
                    bfdSets.append(firstRows(
                        of: train, count: count, source: .train,
                        encoding: config.data.inputNoiseStd > 0 ? .binaryFloats : .pixelBytes))
                    if config.data.inputNoiseStd > 0 {
                        storedTrainInputs = Array(train.inputs[0..<(count * featureCount)])
                    }
                case .test:
                    let count = min(config.bfd.testSamples, split.test.count)
                    bfdSets.append(firstRows(of: split.test, count: count, source: .test, encoding: .pixelBytes))
                case .random:
                    randomInputs = gaussianInputs(
                        count: config.bfd.randomSamples, featureCount: featureCount,
                        mean: config.bfd.randomMean, std: config.bfd.randomStd, seed: config.seed)
                    bfdSets.append(BFDInputSet(
                        source: .random, inputs: randomInputs.map(Double.init), count: config.bfd.randomSamples,
                        pooledIndices: [], encoding: .binaryFloats))
                }
            }
        }
        return ExperimentData(
            mnist: mnist, synthetic: nil, outputSize: mnist.classCount, train: train, test: split.test, bfdSets: bfdSets, randomInputs: randomInputs,
            storedTrainInputs: storedTrainInputs)
    }

    /// The synthetic problem's sets; every BFD set is read as binary floats by the exact engine
    /// (float32 inputs are dyadic rationals).
    private static func prepareSynthetic(_ config: ExperimentConfig) -> ExperimentData {
        let problem = config.synthetic.problem
        let sets = problem.sets(
            trainCount: config.data.resolvedTrainSize, testCount: config.data.resolvedTestSize, seed: config.seed)
        var bfdSets: [BFDInputSet] = []
        var randomInputs: [Float] = []
        if config.bfd.enabled {
            for source in config.bfd.inputs {
                switch source {
                case .train:
                    let count = min(config.bfd.trainSamples ?? sets.train.count, sets.train.count)
                    bfdSets.append(firstRows(of: sets.train, count: count, source: .train, encoding: .binaryFloats))
                case .test:
                    let count = min(config.bfd.testSamples, sets.test.count)
                    bfdSets.append(firstRows(of: sets.test, count: count, source: .test, encoding: .binaryFloats))
                case .random:
                    randomInputs = gaussianInputs(
                        count: config.bfd.randomSamples, featureCount: problem.inputDimension,
                        mean: config.bfd.randomMean, std: config.bfd.randomStd, seed: config.seed)
                    bfdSets.append(BFDInputSet(
                        source: .random, inputs: randomInputs.map(Double.init), count: config.bfd.randomSamples,
                        pooledIndices: [], encoding: .binaryFloats))
                }
            }
        }
        return ExperimentData(
            mnist: nil, synthetic: problem, outputSize: 1, train: sets.train, test: sets.test, bfdSets: bfdSets,
            randomInputs: randomInputs, storedTrainInputs: [])
    }

    private static func firstRows(
        of set: LabeledSet, count: Int, source: ExperimentConfig.BFDInput, encoding: ExactInputEncoding
    ) -> BFDInputSet {
        let inputs = set.inputs[0..<(count * set.featureCount)].map(Double.init)
        return BFDInputSet(
            source: source, inputs: inputs, count: count,
            pooledIndices: set.sourceIndices[0..<count].map(Int64.init), encoding: encoding)
    }
}

extension ExperimentConfig.DataSection {
    /// The data set `dataset` (and `classes`, for `idx`) name.
    public var idxDataset: IDXDataset {
        switch dataset {
        case .mnist: return .mnist
        case .fashion_mnist: return .fashionMNIST
        case .idx: return .generic(classCount: classes ?? MNIST.classCount)
        }
    }
}

extension ExperimentConfig.SyntheticSection {
    /// The problem these keys describe.
    public var problem: SyntheticRegression {
        let function: SyntheticRegression.Target = switch target {
        case .piecewiseLinear: .piecewiseLinear(knotsX: knotsX, knotsY: knotsY)
        case .sine: .sine(amplitude: amplitude, frequency: frequency, phase: phase)
        case .polynomial: .polynomial(coefficients: coefficients)
        }
        return SyntheticRegression(
            inputDimension: inputDimension, low: low, high: high, gridInputs: inputs == .grid, target: function,
            noiseStd: noiseStd)
    }
}
