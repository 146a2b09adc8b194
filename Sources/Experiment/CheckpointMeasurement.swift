import Geometry
import Network
import RunLog

/// Measures the BFD of every configured (input set, output variant) pair at a checkpoint.
struct CheckpointMeasurement {
    let architecture: MLPArchitecture
    let sets: [BFDInputSet]
    let variants: [OutputVariant]
    let method: BFDMethod
    let rule: RankRule
    let relativeTolerance: Double
    let keepSpectrum: Bool
    /// CFFD settings, when it is estimated at each checkpoint.
    let cffd: (seed: UInt64, mean: Double, std: Double, maxRows: Int)?

    init(config: ExperimentConfig, architecture: MLPArchitecture, sets: [BFDInputSet]) throws {
        self.architecture = architecture
        self.sets = sets
        variants = config.bfd.outputs
        method = config.bfd.method
        rule = config.bfd.rankRule
        relativeTolerance = config.bfd.relativeTolerance
        keepSpectrum = config.bfd.spectrum
        cffd = config.bfd.cffd
            ? (config.seed, config.bfd.randomMean, config.bfd.randomStd, config.bfd.cffdMaxRows) : nil
    }

    /// The series the log declares, in the order `measure` returns entries: sets outer,
    /// variants inner.
    var series: [BFDSeries] {
        sets.flatMap { set in
            variants.map { variant in
                let rows = set.count * architecture.outputSize
                return BFDSeries(
                    source: set.source.rawValue, output: variant.rawValue, method: method.rawValue,
                    rankRule: rule.rawValue, relativeTolerance: relativeTolerance, inputCount: set.count,
                    rows: rows, rowCap: variant.rowCap(sampleCount: set.count, outputSize: architecture.outputSize),
                    parameterCount: architecture.parameterCount,
                    symmetryBound: architecture.parameterCount - architecture.hiddenNeuronCount)
            }
        }
    }

    /// BFD entries (sets outer, variants inner) and neuron statistics (one per set).
    func measure(parameters: [Double]) throws -> (
        bfd: [BFDEntry], neurons: [NeuronEntry], results: [BFDResult], cffd: CFFDEntry?
    ) {
        var entries: [BFDEntry] = []
        var neurons: [NeuronEntry] = []
        var results: [BFDResult] = []
        for set in sets {
            let measured = try batchFunctionalDimensions(
                architecture: architecture, parameters: parameters, inputs: set.inputs, count: set.count,
                variants: variants, method: method, rule: rule, relativeTolerance: relativeTolerance)
            for result in measured {
                let evidence = result.evidence
                entries.append(BFDEntry(
                    rank: evidence.headline, rankNumpy: evidence.numpyRank, rankGap: evidence.gapRank,
                    rankRelative: evidence.relativeRank, tolerance: evidence.absoluteTolerance,
                    gapRatio: evidence.gapRatio, sigmaAbove: evidence.sigmaAbove, sigmaBelow: evidence.sigmaBelow,
                    floor: evidence.floor, clear: evidence.isClear, rulesDisagree: evidence.rulesDisagree,
                    upperBound: min(result.rowCap, result.activations.impliedBound), seconds: result.seconds,
                    spectrum: keepSpectrum ? evidence.spectrum : []))
            }
            results += measured
            if let statistics = measured.first?.activations {
                neurons.append(NeuronEntry(
                    dead: statistics.deadCounts, alwaysActive: statistics.alwaysActiveCounts,
                    patterns: statistics.distinctPatterns))
            }
        }
        var cffdEntry: CFFDEntry? = nil
        if let cffd, let variant = variants.first {
            let estimate = try estimateCFFD(
                architecture: architecture, parameters: parameters, variant: variant, method: method.withoutSpectrum,
                seed: cffd.seed,
                mean: cffd.mean, std: cffd.std, maxRows: cffd.maxRows)
            cffdEntry = CFFDEntry(
                estimate: estimate.value, converged: estimate.converged, sizes: estimate.steps.map(\.n),
                ranks: estimate.steps.map(\.rank))
        }
        return (entries, neurons, results, cffdEntry)
    }
}
