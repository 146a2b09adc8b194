import Geometry
import Network

/// The estimate for `geodim bfd`, which measures one logged checkpoint offline.
extension RunMemoryEstimate {
    /// The memory of measuring `n` inputs of a logged network: the stored parameters and the
    /// inputs (float64) are resident; then the numerical measurement (`method`, unless nil for
    /// `--exact-only`), the exact one (`exact`) and the CFFD (`cffdMaxRows`), each on top.
    /// Overflows and levers name the command's options.
    public init(
        offline architecture: MLPArchitecture, sampleCount n: Int, variants: [OutputVariant], method: BFDMethod?,
        gramSide: GramSideChoice, threads: Int, exact: ExactBFDSettings?, encoding: ExactInputEncoding, cffdMaxRows: Int?
    ) throws(PreflightError) {
        func overflow(_ error: SizeOverflow) -> PreflightError {
            .overflow(
                key: "--count", value: "\(n)", quantity: error.quantity,
                hint: "the logged network \(architecture.description) is too large to measure on this many inputs", override: nil)
        }
        guard let parameterCount = architecture.checkedParameterCount else {
            throw PreflightError.overflow(
                key: "the logged network", value: architecture.description, quantity: "the parameter count P",
                hint: "the log's layer sizes cannot be those of a real run", override: nil)
        }
        do {
            let resident = try MemoryPhase("stored parameters and inputs", [
                try MemoryBuffer("stored parameters in float64 (P = \(parameterCount))", [parameterCount], elementBytes: 8),
                try MemoryBuffer("inputs, float64 (\(n) × \(architecture.inputSize))", [n, architecture.inputSize], elementBytes: 8),
            ])
            // Reading MNIST images: the files twice while loading, then a float32 copy of the set.
            let loading = try MemoryPhase("loading the inputs", resident.buffers + [
                try MemoryBuffer("MNIST files while loading", [2, 70_000, 785], elementBytes: 1),
                try MemoryBuffer("inputs, float32", [n, architecture.inputSize], elementBytes: 4),
            ])
            let lever = "lower --count (n = \(n)), or measure with another --method, --gram-side or --exact-matrix"
            var measurements: [Measurement] = []
            if let method {
                let model = try bfdMemory(architecture: architecture, sampleCount: n, method: method, gramSide: gramSide, threads: threads)
                measurements.append(Measurement(source: "the logged inputs (n = \(n))", model: model, lever: lever))
            }
            if let exact {
                let model = try exactBFDMemory(
                    architecture: architecture, sampleCount: n, variants: variants, encoding: encoding, matrix: exact.matrix)
                measurements.append(Measurement(source: "the logged inputs (n = \(n))", model: model, lever: lever))
            }
            if let cffdMaxRows, let method {
                let model = try cffdMemory(architecture: architecture, method: method, maxRows: cffdMaxRows, threads: threads)
                measurements.append(Measurement(
                    source: "Gaussian batches (n ≤ \(cffdLargestBatch(architecture: architecture, maxRows: cffdMaxRows)))", model: model, lever: "drop --cffd"))
            }
            var levers: [String: String] = [:]
            for buffer in loading.buffers { levers[buffer.name] = lever }
            self.init(
                training: MemoryModel("reading the log", phases: [loading]), measurementBase: resident,
                measurements: measurements, levers: levers)
        } catch {
            throw overflow(error)
        }
    }
}
