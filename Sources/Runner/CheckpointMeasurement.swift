import Config
import Geometry
import Network
import RunLog

/// Measures the BFD of every configured (input set, output variant) pair at a checkpoint: the
/// one measurement path, used by training at each checkpoint and by `geodim bfd` offline.
public struct CheckpointMeasurement: Sendable {
    public let architecture: MLPArchitecture
    public let sets: [BFDInputSet]
    public let variants: [OutputVariant]
    public let method: BFDMethod
    /// Which Gram product the Gram methods form.
    public let gramSide: GramSideChoice
    public let rule: RankRule
    public let relativeTolerance: Double
    public let keepSpectrum: Bool
    /// CFFD settings, when it is estimated at each checkpoint.
    public let cffd: CFFDSettings?
    /// Exact-engine settings, when the exact BFD is computed beside the numerical one.
    public let exact: ExactBFDSettings?
    /// BLAS threads the measurement runs on.
    public let threads: Int

    /// How the CFFD is estimated (``estimateCFFD(architecture:parameters:variant:method:seed:mean:std:maxRows:threads:)``);
    /// the defaults are `geodim bfd --cffd`'s: N(0.5, 1) pixels, at most 12,000 rows (`bfd.cffd_max_rows`' default).
    public struct CFFDSettings: Sendable {
        public var seed: UInt64
        public var mean: Double
        public var std: Double
        public var maxRows: Int

        public init(seed: UInt64, mean: Double = 0.5, std: Double = 1, maxRows: Int = 12_000) {
            self.seed = seed
            self.mean = mean
            self.std = std
            self.maxRows = maxRows
        }
    }

    /// A measurement of `sets` under explicit choices.
    public init(
        architecture: MLPArchitecture, sets: [BFDInputSet], variants: [OutputVariant], method: BFDMethod,
        gramSide: GramSideChoice = .auto, rule: RankRule, relativeTolerance: Double, keepSpectrum: Bool,
        cffd: CFFDSettings?, exact: ExactBFDSettings? = nil, threads: Int
    ) {
        self.exact = exact
        self.gramSide = gramSide
        self.architecture = architecture
        self.sets = sets
        self.variants = variants
        self.method = method
        self.rule = rule
        self.relativeTolerance = relativeTolerance
        self.keepSpectrum = keepSpectrum
        self.cffd = cffd
        self.threads = threads
    }

    /// The measurement a run's `bfd` section asks for, on `threads` BLAS threads.
    init(config: ExperimentConfig, architecture: MLPArchitecture, sets: [BFDInputSet], threads: Int) {
        self.init(
            architecture: architecture, sets: sets, variants: config.bfd.outputs, method: config.bfd.method,
            gramSide: config.bfd.gramSide, rule: config.bfd.rankRule, relativeTolerance: config.bfd.relativeTolerance,
            keepSpectrum: config.bfd.spectrum,
            cffd: config.bfd.cffd
                ? CFFDSettings(seed: config.seed, mean: config.bfd.randomMean, std: config.bfd.randomStd,
                               maxRows: config.bfd.cffdMaxRows) : nil,
            exact: config.bfd.exact
                ? ExactBFDSettings(
                    primeCount: config.bfd.exactPrimes, seed: config.seed, primeBits: config.bfd.exactPrimeBits,
                    matrix: config.bfd.exactMatrix)
                : nil,
            threads: threads)
    }

    /// The series the log declares, in the order `measure` returns entries: sets outer,
    /// variants inner.
    public var series: [BFDSeries] {
        sets.flatMap { set in
            variants.map { variant in
                let rows = set.count * architecture.outputSize
                return BFDSeries(
                    source: set.source.rawValue, output: variant.rawValue, method: method.rawValue,
                    rankRule: rule.rawValue, relativeTolerance: relativeTolerance, inputCount: set.count,
                    rows: rows, rowCap: variant.rowCap(sampleCount: set.count, outputSize: architecture.outputSize),
                    parameterCount: architecture.parameterCount,
                    symmetryBound: architecture.parameterCount - architecture.hiddenNeuronCount,
                    exact: exact.map { settings in exactFacts(set: set, variant: variant, settings: settings) })
            }
        }
    }

    /// The fixed facts of an exact series: which variant is reduced, how the inputs are read,
    /// which matrix (the settings' choice; under auto K when its m′ = n·r rows are at most P,
    /// J otherwise).
    private func exactFacts(set: BFDInputSet, variant: OutputVariant, settings: ExactBFDSettings) -> ExactSeriesFacts {
        let computedAs: OutputVariant = variant == .softmax ? .centred : variant
        let rowsPerSample = computedAs == .logits ? architecture.outputSize : architecture.outputSize - 1
        let matrix = settings.matrix.resolved(rows: set.count * rowsPerSample, parameterCount: architecture.parameterCount)
        return ExactSeriesFacts(
            computedAs: computedAs.rawValue, encoding: set.encoding.rawValue, matrix: matrix.rawValue,
            primeSlots: settings.primeCount, primeBits: settings.primeBits)
    }

    /// BFD entries (sets outer, variants inner), neuron statistics (one per set), the results
    /// behind the entries, the exact results (same order, when asked for) and the CFFD estimate
    /// when asked for.
    ///
    /// - Parameter phase: told, before each phase, its label (`train`, `test exact`, `CFFD`…),
    ///   its 1-based index and the number of phases, for a progress display.
    public func measure(parameters: [Double], phase: ((String, Int, Int) -> Void)? = nil) throws -> (
        bfd: [BFDEntry], neurons: [NeuronEntry], results: [BFDResult], exact: [ExactBFDResult],
        cffd: (entry: CFFDEntry, estimate: CFFDEstimate)?
    ) {
        var entries: [BFDEntry] = []
        var neurons: [NeuronEntry] = []
        var results: [BFDResult] = []
        var exactResults: [ExactBFDResult] = []
        let phaseCount = sets.count * (exact == nil ? 1 : 2) + (cffd == nil ? 0 : 1)
        var phaseIndex = 0
        func next(_ label: String) {
            phaseIndex += 1
            phase?(label, phaseIndex, phaseCount)
        }
        for set in sets {
            next(set.source.rawValue)
            let measured = try batchFunctionalDimensions(
                architecture: architecture, parameters: parameters, inputs: set.inputs, count: set.count,
                variants: variants, method: method, rule: rule, relativeTolerance: relativeTolerance,
                gramSide: gramSide, threads: threads)
            let exactMeasured: [ExactBFDResult] = try exact.map { settings in
                next(set.source.rawValue + " exact")
                return try exactBatchFunctionalDimensions(
                    architecture: architecture, parameters: parameters, inputs: set.inputs, count: set.count,
                    encoding: set.encoding, variants: variants, settings: settings, threads: threads)
            } ?? []
            exactResults += exactMeasured
            for (index, result) in measured.enumerated() {
                let evidence = result.evidence
                let exactEntry = index < exactMeasured.count ? exactMeasured[index] : nil
                entries.append(BFDEntry(
                    rank: evidence.headline, rankNumpy: evidence.numpyRank, rankGap: evidence.gapRank,
                    rankRelative: evidence.relativeRank, tolerance: evidence.absoluteTolerance,
                    gapRatio: evidence.gapRatio, sigmaAbove: evidence.sigmaAbove, sigmaBelow: evidence.sigmaBelow,
                    floor: evidence.floor, clear: evidence.isClear, rulesDisagree: evidence.rulesDisagree,
                    upperBound: result.activationUpperBound, seconds: result.seconds,
                    spectrum: keepSpectrum ? evidence.spectrum : [], gramSide: result.gramSide?.rawValue,
                    exact: exactEntry.map { e in
                        ExactEntry(
                            rank: e.rank, certified: e.certified, primes: e.primes, ranks: e.ranksModulo,
                            failureBound: e.failureBound, integerBits: e.integerBits, patternMargin: e.patternMargin,
                            ambiguous: e.ambiguousPreactivations, seconds: e.seconds)
                    }))
            }
            results += measured
            if let statistics = measured.first?.activations {
                neurons.append(NeuronEntry(
                    dead: statistics.deadCounts, alwaysActive: statistics.alwaysActiveCounts,
                    patterns: statistics.distinctPatterns))
            }
        }
        var cffdEntry: (entry: CFFDEntry, estimate: CFFDEstimate)? = nil
        if let cffd, let variant = variants.first {
            next("CFFD")
            let estimate = try estimateCFFD(
                architecture: architecture, parameters: parameters, variant: variant, method: method.withoutSpectrum,
                seed: cffd.seed, mean: cffd.mean, std: cffd.std, maxRows: cffd.maxRows, threads: threads)
            cffdEntry = (CFFDEntry(
                estimate: estimate.value, converged: estimate.converged, sizes: estimate.steps.map(\.n),
                ranks: estimate.steps.map(\.rank)), estimate)
        }
        return (entries, neurons, results, exactResults, cffdEntry)
    }
}
