import Config
import Datasets
import Geometry
import Network
import RunLog

/// The measurements beside the BFD for shallow and regression experiments: the linear regions
/// of the training points and the first layer's kinks (one input), and the rank of J over the
/// trained parameters only (`training.freeze`).
struct ShallowMeasurement: Sendable {
    let architecture: MLPArchitecture
    /// The whole training set's inputs, float64 (one input: the regions are those of these points).
    let trainInputs: [Double]
    let trainCount: Int
    let kinkTolerance: Double
    /// The BFD sets the trained-parameter rank is measured on (empty without freeze).
    let trainedSets: [BFDInputSet]
    let trainedLayers: [Int]
    let variant: OutputVariant
    let method: BFDMethod
    let rule: RankRule
    let relativeTolerance: Double
    let threads: Int

    init(config: ExperimentConfig, architecture: MLPArchitecture, data: ExperimentData, threads: Int) {
        self.architecture = architecture
        trainInputs = architecture.inputSize == 1 ? data.train.inputs.map(Double.init) : []
        trainCount = architecture.inputSize == 1 ? data.train.count : 0
        kinkTolerance = config.bfd.kinkTolerance
        trainedSets = config.training.freeze.isEmpty ? [] : data.bfdSets
        trainedLayers = config.trainedLayers
        variant = config.bfd.outputs.first ?? .logits
        method = config.bfd.method
        rule = config.bfd.rankRule
        relativeTolerance = config.bfd.relativeTolerance
        self.threads = threads
    }

    /// What the log declares for these measurements.
    var layout: ShallowLayout {
        ShallowLayout(
            kinkCount: trainCount > 0 ? architecture.fanOut(0) : 0, kinkTolerance: kinkTolerance,
            trainedSources: trainedSets.map(\.source.rawValue), trainedLayers: trainedLayers,
            trainedParameterCount: trainedLayers.reduce(0) { $0 + architecture.fanOut($1) * (architecture.fanIn($1) + 1) },
            trainedOutput: variant.rawValue)
    }

    /// The region statistics (nil without one input) and one trained-parameter rank per set.
    func measure(parameters: [Double]) throws -> (regions: RegionEntry?, trained: [TrainedRankEntry]) {
        var regions: RegionEntry? = nil
        if trainCount > 0 {
            let statistics = try linearRegionStatistics(
                architecture: architecture, parameters: parameters, inputs: trainInputs, count: trainCount,
                tolerance: kinkTolerance)
            regions = RegionEntry(
                regionsSeen: statistics.regionsSeen, kinks: statistics.kinks, distinctKinks: statistics.distinctKinks,
                kinksInRange: statistics.kinksInRange, distinctKinksInRange: statistics.distinctKinksInRange)
        }
        let trained = try trainedSets.map { set in
            let result = try trainedParameterRank(
                architecture: architecture, parameters: parameters, inputs: set.inputs, count: set.count,
                variant: variant, trainedLayers: trainedLayers, method: method, rule: rule,
                relativeTolerance: relativeTolerance, threads: threads)
            let rows = variant.rowCap(sampleCount: set.count, outputSize: architecture.outputSize)
            return TrainedRankEntry(
                rank: result.evidence.headline, gapRatio: result.evidence.gapRatio, clear: result.evidence.isClear,
                upperBound: min(rows, result.trainedParameterCount))
        }
        return (regions, trained)
    }
}
