import ArgumentParser
import Datasets
import Config
import Runner
import Foundation
import Geometry
import Linalg
import Network
import RunLog

/// `geodim bfd LOG.h5 --checkpoint K --inputs train|test|random --output …`: recomputes the
/// batch functional dimension offline from the parameters and inputs stored in a log.
struct BFDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bfd",
        abstract: "Recompute the BFD of a logged checkpoint, with any method, rule and output variant.",
        discussion: """
            The parameters come from /params at the checkpoint, the inputs from /data (MNIST images by \
            their indices, read from the run's data directory or --data; random inputs as stored). \
            With --cffd, also estimates the computable full functional dimension: the BFD on Gaussian \
            batches of growing size until it stops growing or reaches P - hidden (under --method gram \
            its ranks are certified by inertia counts, gram_inertia, instead of full spectra).
            """)

    @Argument(help: "A run log (log.h5) or its run directory.")
    var log: String

    @Option(parsing: .unconditional, help: "Checkpoint row; negative counts from the end (-1 = last).")
    var checkpoint = -1

    @Option(help: "Input set.")
    var inputs = ExperimentConfig.BFDInput.test

    @Option(help: "Output variants, comma-separated (logits, softmax, centred).")
    var output = ChoiceList(OutputVariant.allCases)

    @Option(help: "Method.")
    var method = BFDMethod.gram

    @Option(help: "Gram product of the gram methods: the smaller (auto), J̃J̃ᵀ (rows, m × m) or J̃ᵀJ̃ (parameters, P̃ × P̃).")
    var gramSide = GramSideChoice.auto

    @Option(help: "Headline rank rule.")
    var rule = RankRule.gap

    @Option(help: "Tolerance τ of the relative rule (σ > max(τ, floor)·σ₁).")
    var tolerance = 1e-10

    @Option(help: "Use only the first N inputs of the set.")
    var count: Int?

    @Option(help: "MNIST directory (default: the one the run used).")
    var data: String?

    @Option(help: "BLAS threads.")
    var threads = 1

    @Flag(help: "Also estimate the CFFD from Gaussian N(0.5, 1) batches of growing size.")
    var cffd = false

    @Option(help: "Print the first K singular values of each spectrum.")
    var spectrum = 0

    @Flag(help: "Also compute the exact BFD: the rank modulo random primes, certified (!) when it reaches the structural bound, else probabilistic (~) with a failure bound.")
    var exact = false

    @Flag(help: "Compute only the exact BFD (no numerical spectrum): for large n, where the spectrum costs more than the exact rank.")
    var exactOnly = false

    @Option(help: "Primes the exact engine tries while a rank is not certified (1...16).")
    var exactPrimes = 2

    @Option(help: "Seed of the exact engine's prime draw (stream exact-primes).")
    var exactSeed: UInt64 = 0

    @Option(help: "Bit length of the exact engine's primes (20...26): longer ones sharpen an uncertified rank's failure bound and cost more.")
    var exactPrimeBits = 23

    @Option(help: "Matrix the exact engine reduces mod p: K = JJᵀ when m′ ≤ P, else J (auto), K (gram_rows) or J (jacobian).")
    var exactMatrix = ExactMatrixChoice.auto

    @Flag(name: .long, help: "Measure even when the estimated peak memory exceeds this machine's (a warning instead of a refusal; docs/runner.md).")
    var ignoreMemoryCheck = false

    func run() throws {
        do {
            try compute()
        } catch let error as ValidationError {
            throw error
        } catch let error as PreflightError {
            throw GeodimExit.report(error, usage: true)
        } catch {
            throw GeodimExit.report(error, usage: false)
        }
    }

    private func compute() throws {
        guard threads >= 1 else { throw ValidationError("--threads: \(threads) is not a thread count ≥ 1") }
        var path = log
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            path += "/log.h5"
        }
        let variants = output.values
        let stored = try LoggedCheckpoint.read(path: path, row: checkpoint)
        let architecture = MLPArchitecture(
            inputSize: stored.layerSizes[0], hiddenWidths: Array(stored.layerSizes.dropFirst().dropLast()),
            outputSize: stored.layerSizes[stored.layerSizes.count - 1])
        guard (1...16).contains(exactPrimes) else {
            throw ValidationError("--exact-primes: \(exactPrimes) is outside 1...16")
        }
        guard ExactPrimes.allowedBits.contains(exactPrimeBits) else {
            throw ValidationError("--exact-prime-bits: \(exactPrimeBits) is outside 20...26")
        }
        var values: [Double]
        let encoding: ExactInputEncoding
        switch try LoggedInputs.read(path: path, source: inputs.rawValue) {
        case .pooledIndices(let indices):
            let mnist = try MNIST.load(directory: data ?? stored.dataDirectory, dataset: IDXDataset(name: stored.datasetName, classCount: architecture.outputSize), verifyChecksums: true)
            values = mnist.labeledSet(pooledIndices: indices).inputs.map(Double.init)
            encoding = .pixelBytes
        case .values(let stored, _):
            values = stored.map(Double.init)
            encoding = .binaryFloats
        }
        var n = values.count / architecture.inputSize
        if let count {
            guard count >= 1, count <= n else {
                throw ValidationError("--count: \(count) is outside 1...\(n), the size of the logged \(inputs.rawValue) set")
            }
            n = count
            values = Array(values[0..<(n * architecture.inputSize)])
        }
        try preflight(architecture: architecture, sampleCount: n, variants: variants, encoding: encoding)
        if exactOnly {
            say("log \(path): checkpoint \(stored.row) (epoch \(stored.epoch)), \(architecture.description), \(inputs.rawValue) inputs n = \(n), exact only")
            let exactResults = try exactBatchFunctionalDimensions(
                architecture: architecture, parameters: stored.parameters, inputs: values, count: n, encoding: encoding,
                variants: variants, settings: exactSettings, threads: threads)
            for result in exactResults { say("\(result.variant.rawValue):" + exactLine(result)) }
            return
        }
        say("log \(path): checkpoint \(stored.row) (epoch \(stored.epoch)), \(architecture.description), \(inputs.rawValue) inputs n = \(n), method \(method.rawValue), rule \(rule.rawValue)")
        let measurement = CheckpointMeasurement(
            architecture: architecture,
            sets: [BFDInputSet(source: inputs, inputs: values, count: n, pooledIndices: [], encoding: encoding)],
            variants: variants, method: method, gramSide: gramSide, rule: rule, relativeTolerance: tolerance,
            keepSpectrum: true,
            cffd: cffd ? CheckpointMeasurement.CFFDSettings(seed: 0) : nil,
            exact: exact ? exactSettings : nil,
            threads: threads)
        let measured = try measurement.measure(parameters: stored.parameters)
        let results = measured.results
        let exactResults = measured.exact
        say(["output", "rank", "clear", "gap", "numpy", "gap_rule", "relative", "row_cap", "bound", "seconds", "side"]
            .enumerated().map { padLeft($0.element, $0.offset == 0 ? 8 : ($0.offset == 10 ? 11 : 9)) }.joined(separator: " "))
        for result in results {
            let e = result.evidence
            let cells = [
                result.variant.rawValue, String(e.headline), e.isClear ? "yes" : "NO", String(format: "%.3g", e.gapRatio),
                String(e.numpyRank), String(e.gapRank), e.relativeRank >= 0 ? String(e.relativeRank) : "-",
                String(result.rowCap), String(result.activationUpperBound),
                String(format: "%.2f", result.seconds), result.gramSide?.rawValue ?? "-",
            ]
            say(cells.enumerated().map { padLeft($0.element, $0.offset == 0 ? 8 : ($0.offset == 10 ? 11 : 9)) }.joined(separator: " "))
            if let exactResult = exactResults.first(where: { $0.variant == result.variant }) {
                say(exactLine(exactResult))
            }
            if spectrum > 0, !e.spectrum.isEmpty {
                let shown = e.spectrum.prefix(spectrum).map { String(format: "%.4g", $0) }.joined(separator: " ")
                say("  spectrum[0..<\(min(spectrum, e.spectrum.count))]: \(shown)")
            }
        }
        let statistics = results[0].activations
        say("neurons: dead per layer \(statistics.deadCounts), always active \(statistics.alwaysActiveCounts), distinct activation patterns \(statistics.distinctPatterns)")
        if let estimate = measured.cffd?.estimate {
            for step in estimate.steps {
                say("cffd: n = \(step.n) → BFD \(step.rank)\(step.clear ? "" : "?") (row cap \(step.rowCap))")
            }
            say("cffd estimate (\(variants[0].rawValue)): \(estimate.value)\(estimate.converged ? "" : " (still growing at the largest size)"); P - hidden = \(architecture.parameterCount - architecture.hiddenNeuronCount)")
        }
    }

    /// Refuses (or warns about) a measurement whose estimated peak memory does not fit this
    /// machine, before it starts (``MemoryPreflight``).
    private func preflight(
        architecture: MLPArchitecture, sampleCount n: Int, variants: [OutputVariant], encoding: ExactInputEncoding
    ) throws {
        let estimate = try RunMemoryEstimate(
            offline: architecture, sampleCount: n, variants: variants, method: exactOnly ? nil : method,
            gramSide: gramSide, threads: threads, exact: exact || exactOnly ? exactSettings : nil, encoding: encoding,
            cffdMaxRows: cffd && !exactOnly ? CheckpointMeasurement.CFFDSettings(seed: 0).maxRows : nil)
        let machine = try MachineMemory.current()
        try MemoryPreflight.enforce(MemoryPreflight.verdict(estimate, machine: machine, ignore: ignoreMemoryCheck))
    }

    /// The exact engine's settings from the options.
    private var exactSettings: ExactBFDSettings {
        ExactBFDSettings(primeCount: exactPrimes, seed: exactSeed, primeBits: exactPrimeBits, matrix: exactMatrix)
    }

    /// One line per exact result: the rank with its marker, the primes and what backs it.
    private func exactLine(_ result: ExactBFDResult) -> String {
        let primes = zip(result.primes, result.ranksModulo).map { "\($0.0) → \($0.1)" }.joined(separator: ", ")
        let proof = result.certified
            ? "certified: equals the structural bound \(result.upperBound)"
            : String(format: "probabilistic: bound %d, P(BFD > %d) ≤ %.3g (Hadamard bound 2^%.0f)",
                     result.upperBound, result.rank, result.failureBound, result.integerBits)
        let computed = result.computedAs == result.variant ? "" : " (as \(result.computedAs.rawValue))"
        let margin = String(format: "pattern margin %.2e, %d ambiguous", result.patternMargin, result.ambiguousPreactivations)
        return "  exact\(computed): \(result.rank)\(result.marker)  \(proof); primes \(primes); \(result.matrix.rawValue), \(result.encoding.rawValue); \(margin); \(String(format: "%.2f", result.seconds)) s"
    }
}
