import Linalg
import ModularLinalg
import Network
import Timing

// MARK: - The exact BFD: rank of J modulo random primes, certified against the structural bound
//
// J's entries are exact rationals once the activation pattern is fixed: float parameters are
// dyadic (m·2^e), MNIST pixels are b/255, random inputs are their stored binary floats. The
// pattern comes from a float64 forward pass (with its smallest margin logged). Modulo a prime
// p the forward and backward passes run exactly (FFLAS-FFPACK's fgemm), and
//   rank_p(J mod p) ≤ rank_Q(J),   rank_p(K mod p) ≤ rank_Q(J)  for K = J·Jᵀ,
// so every prime proves a lower bound. A lower bound equal to the structural upper bound
// (row cap, P − hidden, dead-neuron and always-zero-input terms) proves the rank.
//
// Matrices (rows per sample r = d for logits, d − 1 for centred, m′ = n·r):
//   Ã_l  (n, n_l + 1)   residues of the input to layer l, with a column of ones
//   Δ_l  (m′, n_(l+1))  residues of ∂(output row)/∂(pre-activation of layer l)
//   K    (m′, m′)       Σ_l (Δ_l Δ_lᵀ) ∘ (Ã_l Ã_lᵀ expanded to rows), by default when m′ ≤ P
//   J    (m′, P)        J itself (row (i,k): Δ_l[(i,k), a]·Ã_l[i, b]), by default when m′ > P
// (``ExactMatrixChoice`` forces either).

/// How the inputs of a batch are read as exact rationals.
public enum ExactInputEncoding: String, Sendable, Codable {
    /// MNIST pixels: each value is the float32 rounding of b/255 for a byte b, read as b/255.
    case pixelBytes = "pixel_bytes"
    /// Any other inputs (random, noisy): each binary float is read exactly, as m·2^e.
    case binaryFloats = "binary_floats"
}

/// Which matrix the exact engine reduced modulo each prime.
public enum ExactMatrix: String, Sendable, Codable {
    /// K = J·Jᵀ (m′ × m′), from the per-layer factors: chosen automatically when m′ ≤ P.
    case gramRows = "gram_rows"
    /// J itself (m′ × P, structurally zero columns dropped): chosen automatically when m′ > P.
    case jacobian
}

/// Which matrix the exact engine reduces (``ExactMatrix``), or `auto`: K when m′ ≤ P, J
/// otherwise.
///
/// Both give lower bounds on rank_Q(J) modulo every prime: rank_p(J·Jᵀ) ≤ rank_p(J) ≤ rank_Q(J).
/// Over a finite field J·Jᵀ can lose rank that J keeps (a row combination orthogonal to
/// itself mod p), with probability about rank/p per prime for a random-looking J, and its
/// Hadamard bound counts squared entries, so a forced choice can change a logged rank or
/// failure bound, never the quantity they bound.
public enum ExactMatrixChoice: String, CaseIterable, Sendable, Codable {
    case auto
    case gramRows = "gram_rows"
    case jacobian

    /// The matrix this choice reduces for m′ rows of J and P parameters.
    public func resolved(rows: Int, parameterCount: Int) -> ExactMatrix {
        switch self {
        case .auto: return rows <= parameterCount ? .gramRows : .jacobian
        case .gramRows: return .gramRows
        case .jacobian: return .jacobian
        }
    }
}

/// The exact BFD of one output variant on one batch.
public struct ExactBFDResult: Sendable {
    /// The variant asked for. Softmax's exact rank is the centred one (DESIGN.md §3: softmax's
    /// per-sample map has kernel 1 and range 1^⊥), reported with ``computedAs`` = centred.
    public let variant: OutputVariant
    /// The variant whose Jacobian was reduced (centred for softmax).
    public let computedAs: OutputVariant
    /// max over the primes of rank_p: a proven lower bound on the rank.
    public let rank: Int
    /// Whether ``rank`` equals ``upperBound``, which proves it (for the logged pattern).
    public let certified: Bool
    /// The primes used, in order; a certified rank stops at the first prime that reaches the bound.
    public let primes: [UInt64]
    /// rank_p for each prime of ``primes``.
    public let ranksModulo: [Int]
    /// An upper bound on the probability that the true rank exceeds ``rank`` (0 when certified).
    public let failureBound: Double
    /// log₂ of the Hadamard bound on the integer minors of the scaled matrix (the bits a bad
    /// prime must divide).
    public let integerBits: Double
    /// min(row cap, P − hidden − dead-neuron and always-zero-input terms) where that bound
    /// provably holds for these parameters (``symmetryBoundHolds(architecture:parameters:statistics:)``),
    /// else the row cap.
    public let upperBound: Int
    /// Which matrix was reduced.
    public let matrix: ExactMatrix
    /// The smallest |z|/(Σ|w_b·a_b| + |b|) over the batch's hidden pre-activations.
    public let patternMargin: Double
    /// Pre-activations whose margin is below ``ExactBFDSettings/ambiguousMargin``: their sign, and
    /// so the pattern, cannot be trusted from floats.
    public let ambiguousPreactivations: Int
    /// How the inputs were read.
    public let encoding: ExactInputEncoding
    /// Wall-clock seconds: the shared float pass plus this variant's modular work.
    public let seconds: Double

    /// "!" for a certified rank, "~" for a probabilistic one.
    public var marker: String { certified ? "!" : "~" }
}

/// The exact engine's settings.
public struct ExactBFDSettings: Sendable, Equatable {
    /// Primes to try while the rank is not certified (1...16).
    public var primeCount: Int
    /// Seed of the prime draw (stream "exact-primes").
    public var seed: UInt64
    /// Bit length of the primes (``ExactPrimes``).
    public var primeBits: Int
    /// Which matrix is reduced modulo each prime.
    public var matrix: ExactMatrixChoice

    public init(
        primeCount: Int = 2, seed: UInt64 = 0, primeBits: Int = ExactPrimes.defaultBits, matrix: ExactMatrixChoice = .auto
    ) {
        self.primeCount = primeCount
        self.seed = seed
        self.primeBits = primeBits
        self.matrix = matrix
    }

    /// Below this margin a pre-activation's sign is flagged as ambiguous.
    public static let ambiguousMargin = 1e-9
}

/// The exact BFD of a network on a batch, for each of `variants` (results in that order).
///
/// parameters is the flat buffer (P), inputs is (n, n_0) row-major as the numerical engine
/// gets them; `encoding` says how to read them exactly. `threads` BLAS threads (FFLAS runs on
/// OpenBLAS's dgemm).
public func exactBatchFunctionalDimensions(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int,
    encoding: ExactInputEncoding, variants: [OutputVariant], settings: ExactBFDSettings, threads: Int
) throws -> [ExactBFDResult] {
    guard (1...16).contains(settings.primeCount) else {
        throw GeometryError.invalidArgument("the exact engine's prime count must be in 1...16 (got \(settings.primeCount))")
    }
    guard threads >= 1 else { throw GeometryError.invalidArgument("threads must be ≥ 1 (got \(threads))") }
    guard !variants.isEmpty else { throw GeometryError.invalidArgument("no output variant to measure") }
    return try BLASRuntime.withThreadCount(threads) {
        try measureExact(
            architecture: architecture, parameters: parameters, inputs: inputs, count: n, encoding: encoding,
            variants: variants, settings: settings)
    }
}

private func measureExact(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int,
    encoding: ExactInputEncoding, variants: [OutputVariant], settings: ExactBFDSettings
) throws -> [ExactBFDResult] {
    let clock = ContinuousClock()
    let start = clock.now
    var trace = PhaseTrace()
    let exactInputs = try ExactInputs(inputs, count: n, featureCount: architecture.inputSize, encoding: encoding)
    let forward = try geometryForward(
        architecture: architecture, parameters: parameters, inputs: exactInputs.patternInputs, count: n)
    let statistics = activationStatistics(forward)
    let margins = patternMargins(forward)
    let logitsFactors = jacobianFactors(forward, variant: .logits)
    let pool = try ExactPrimes(bits: settings.primeBits)
    let scaling = IntegerScaling(architecture: architecture, parameters: parameters, inputs: exactInputs)
    let boundHolds = symmetryBoundHolds(architecture: architecture, parameters: parameters, statistics: statistics)
    let columns = liveColumns(architecture, statistics: statistics)
    trace.mark("exact: float64 pattern pass")
    let sharedSeconds = seconds(clock.now - start)

    // Softmax is measured as centred; each distinct computed variant once.
    let computed = variants.map { $0 == .softmax ? OutputVariant.centred : $0 }
    var distinct: [OutputVariant] = []
    for variant in computed where !distinct.contains(variant) { distinct.append(variant) }

    // Per distinct variant: its bound, and the primes tried with their ranks. The implied bound
    // (symmetries, dead neurons, zero inputs) is used only where it provably holds; the row
    // cap always does.
    let d = architecture.outputSize
    let bounds = distinct.map { variant in
        let cap = variant.rowCap(sampleCount: n, outputSize: d)
        return boundHolds ? min(cap, statistics.impliedBound) : cap
    }
    let matrices = distinct.map { variant in
        settings.matrix.resolved(
            rows: n * (variant == .logits ? d : d - 1), parameterCount: architecture.parameterCount)
    }
    var ranks = [[Int]](repeating: [], count: distinct.count)
    var used = [[UInt64]](repeating: [], count: distinct.count)
    var variantSeconds = [Double](repeating: 0, count: distinct.count)
    for prime in pool.draw(settings.primeCount, seed: settings.seed) {
        let pending = distinct.indices.filter { (ranks[$0].max() ?? -1) < bounds[$0] }
        if pending.isEmpty { break }
        let primeStart = clock.now
        let field = try PrimeField(prime: prime)
        let residues = try residueForward(forward, parameters: parameters, inputs: exactInputs, field: field)
        trace.mark("exact: forward mod \(prime)")
        let forwardSeconds = seconds(clock.now - primeStart) / Double(pending.count)
        for index in pending {
            let variantStart = clock.now
            let variant = distinct[index]
            let deltas = try residueDeltas(residues, forward: forward, variant: variant, field: field)
            trace.mark("exact: \(variant.rawValue) deltas")
            let rank = try residueRank(
                residues, deltas: deltas, forward: forward, variant: variant, matrix: matrices[index],
                liveColumns: columns, field: field, trace: &trace)
            guard rank <= bounds[index] else {
                throw GeometryError.invalidArgument(
                    "the rank modulo \(prime) (\(rank)) exceeds the structural upper bound (\(bounds[index])) of the \(variant.rawValue) Jacobian: the bound or the pattern is wrong (please report this)")
            }
            ranks[index].append(rank)
            used[index].append(prime)
            variantSeconds[index] += seconds(clock.now - variantStart) + forwardSeconds
        }
    }

    let integerBits = distinct.indices.map { index in
        hadamardBits(
            logitsFactors, scaling: scaling, variant: distinct[index], matrix: matrices[index], upperBound: bounds[index])
    }
    return variants.map { asked in
        let variant = asked == .softmax ? OutputVariant.centred : asked
        let index = distinct.firstIndex(of: variant) ?? 0
        let rank = ranks[index].max() ?? 0
        let bound = bounds[index]
        let matrix = matrices[index]
        let bits = integerBits[index]
        // A proof needs a pattern floats can be trusted on.
        let certified = rank == bound && margins.ambiguous == 0
        return ExactBFDResult(
            variant: asked, computedAs: variant, rank: rank, certified: certified, primes: used[index],
            ranksModulo: ranks[index],
            failureBound: certified ? 0 : pool.failureBound(integerBits: bits, primeCount: used[index].count),
            integerBits: bits, upperBound: bound, matrix: matrix, patternMargin: margins.smallest,
            ambiguousPreactivations: margins.ambiguous, encoding: encoding,
            seconds: sharedSeconds + variantSeconds[index])
    }
}

/// rank_p of J (logits or centred) modulo one given prime, under the float64 pattern: the
/// engine's building block, public so that tests can compare it with an independent twin.
/// `matrix` picks what is reduced (K = J·Jᵀ or J itself; `auto` as the engine does).
public func exactRankModulo(
    prime: UInt64, architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int,
    encoding: ExactInputEncoding, variant: OutputVariant, matrix: ExactMatrixChoice = .auto
) throws -> Int {
    guard variant != .softmax else {
        throw GeometryError.invalidArgument("softmax has no exact Jacobian; its rank is the centred one")
    }
    let field = try PrimeField(prime: prime)
    let exactInputs = try ExactInputs(inputs, count: n, featureCount: architecture.inputSize, encoding: encoding)
    let forward = try geometryForward(
        architecture: architecture, parameters: parameters, inputs: exactInputs.patternInputs, count: n)
    let residues = try residueForward(forward, parameters: parameters, inputs: exactInputs, field: field)
    let deltas = try residueDeltas(residues, forward: forward, variant: variant, field: field)
    var trace = PhaseTrace()
    let d = architecture.outputSize
    let resolved = matrix.resolved(rows: n * (variant == .logits ? d : d - 1), parameterCount: architecture.parameterCount)
    return try residueRank(
        residues, deltas: deltas, forward: forward, variant: variant, matrix: resolved,
        liveColumns: liveColumns(architecture, statistics: activationStatistics(forward)), field: field, trace: &trace)
}

// MARK: - Inputs read exactly

/// A batch's inputs as exact rationals: pixel bytes (value b/255) or binary floats.
struct ExactInputs {
    let encoding: ExactInputEncoding
    let count: Int
    let featureCount: Int
    /// For pixel bytes: b, else empty.
    let bytes: [UInt8]
    /// The values the float64 pattern pass sees: b/255 rounded once in float64 for pixels,
    /// the binary floats themselves otherwise.
    let patternInputs: [Double]

    init(_ inputs: [Double], count: Int, featureCount: Int, encoding: ExactInputEncoding) throws {
        guard inputs.count == count * featureCount else {
            throw GeometryError.shapeMismatch(what: "inputs (\(count) × \(featureCount))", expected: count * featureCount, actual: inputs.count)
        }
        self.encoding = encoding
        self.count = count
        self.featureCount = featureCount
        switch encoding {
        case .pixelBytes:
            var bytes = [UInt8](repeating: 0, count: inputs.count)
            for (index, x) in inputs.enumerated() {
                let b = (x * 255).rounded()
                guard b >= 0, b <= 255, Float(x) == Float(Double(b) / 255) else {
                    throw GeometryError.invalidArgument(
                        "input \(index / featureCount), feature \(index % featureCount) is \(x), not a pixel byte / 255 (read these inputs as binary floats instead)")
                }
                bytes[index] = UInt8(b)
            }
            self.bytes = bytes
            self.patternInputs = bytes.map { Double($0) / 255 }
        case .binaryFloats:
            guard let bad = inputs.firstIndex(where: { !$0.isFinite }) else {
                self.bytes = []
                self.patternInputs = inputs
                return
            }
            throw GeometryError.invalidArgument("input \(bad / featureCount), feature \(bad % featureCount) is \(inputs[bad]), not a finite number")
        }
    }

    /// The residues of the inputs modulo p, (n, n_0).
    func residues(_ field: PrimeField) throws -> [UInt64] {
        switch encoding {
        case .pixelBytes:
            let inverse = try field.inverse(255)
            let table = (0..<256).map { field.multiply(UInt64($0), inverse) }
            return bytes.map { table[Int($0)] }
        case .binaryFloats:
            return try patternInputs.map { try field.residue(exactly: $0) }
        }
    }
}

// MARK: - Pattern margins

/// The smallest relative margin |z| / (Σ_b |w_b·a_b| + |b|) of every hidden pre-activation
/// z = w·a + b, and how many fall below ``ExactBFDSettings/ambiguousMargin``.
///
/// The denominator is what float64 rounding errors in z scale with (each term's own error, and
/// the errors a_b carries from earlier layers, are relative to |w_b·a_b|), so a margin well
/// above depth·width·ε means the float sign is the exact sign. It is never larger than
/// ‖w‖·‖a‖ + |b|, so this margin is at least the Cauchy–Schwarz one. A pre-activation whose
/// terms are all exactly 0 is exactly 0 and not ambiguous.
func patternMargins(_ forward: GeometryForward) -> (smallest: Double, ambiguous: Int) {
    let architecture = forward.architecture
    let parameters = forward.parameters
    let n = forward.n
    var smallest = Double.infinity
    var ambiguous = 0
    for layer in 0..<(architecture.layerCount - 1) {
        let fanIn = architecture.fanIn(layer)
        let fanOut = architecture.fanOut(layer)
        let weights = architecture.weightOffset(layer)
        let biases = architecture.biasOffset(layer)
        let a = forward.augmentedInputs[layer]
        for i in 0..<n {
            let row = i * (fanIn + 1)
            for unit in 0..<fanOut {
                let bias = parameters[biases + unit]
                var z = bias
                var scale = abs(bias)
                for b in 0..<fanIn {
                    let term = parameters[weights + unit * fanIn + b] * a[row + b]
                    z += term
                    scale += abs(term)
                }
                guard scale > 0 else { continue }
                let margin = abs(z) / scale
                smallest = min(smallest, margin)
                if margin < ExactBFDSettings.ambiguousMargin { ambiguous += 1 }
            }
        }
    }
    return (smallest, ambiguous)
}

// MARK: - Forward and backward modulo p

/// Residues of the forward pass under the float pattern.
struct ResidueForward {
    /// augmented[l] is Ã_l (n, n_l + 1).
    let augmented: [[Double]]
    /// weights[l] is W_l (n_(l+1), n_l), without the bias.
    let weights: [[Double]]
}

/// Ã_l = [A_l | 1] with A_0 = X and A_(l+1) = mask_(l+1) ⊙ (Ã_l Ŵ_lᵀ), Ŵ_l = [W_l | b_l], mod p.
func residueForward(
    _ forward: GeometryForward, parameters: [Double], inputs: ExactInputs, field: PrimeField
) throws -> ResidueForward {
    let architecture = forward.architecture
    let n = forward.n
    let x = try inputs.residues(field)
    let n0 = architecture.inputSize
    var current = [Double](repeating: 1, count: n * (n0 + 1))
    for i in 0..<n {
        for b in 0..<n0 { current[i * (n0 + 1) + b] = Double(x[i * n0 + b]) }
    }
    var augmented: [[Double]] = []
    var weights: [[Double]] = []
    for layer in 0..<architecture.layerCount {
        let fanIn = architecture.fanIn(layer)
        let fanOut = architecture.fanOut(layer)
        let w = architecture.weightOffset(layer)
        let bias = architecture.biasOffset(layer)
        var extended = [Double](repeating: 0, count: fanOut * (fanIn + 1))
        var plain = [Double](repeating: 0, count: fanOut * fanIn)
        for unit in 0..<fanOut {
            for b in 0..<fanIn {
                let r = Double(try field.residue(exactly: parameters[w + unit * fanIn + b]))
                extended[unit * (fanIn + 1) + b] = r
                plain[unit * fanIn + b] = r
            }
            extended[unit * (fanIn + 1) + fanIn] = Double(try field.residue(exactly: parameters[bias + unit]))
        }
        augmented.append(current)
        weights.append(plain)
        if layer == architecture.layerCount - 1 { break }
        var z = [Double](repeating: 0, count: n * fanOut)
        try modularMultiply(current, extended, transposeB: true, m: n, n: fanOut, k: fanIn + 1, into: &z, field: field)
        var next = [Double](repeating: 1, count: n * (fanOut + 1))
        for i in 0..<n {
            for unit in 0..<fanOut {
                next[i * (fanOut + 1) + unit] = forward.isActive(hidden: layer + 1, sample: i, neuron: unit) ? z[i * fanOut + unit] : 0
            }
        }
        current = next
    }
    return ResidueForward(augmented: augmented, weights: weights)
}

/// Δ_l mod p for a variant (logits: rows e_k; centred: rows e_k − e_(d−1), k < d − 1, a basis
/// of the centred outputs' row space), from the top layer down:
/// Δ_(l−1) = (Δ_l W_l) ⊙ mask_l.
func residueDeltas(
    _ residues: ResidueForward, forward: GeometryForward, variant: OutputVariant, field: PrimeField
) throws -> [[Double]] {
    let architecture = forward.architecture
    let n = forward.n
    let d = architecture.outputSize
    let r = variant == .logits ? d : d - 1
    let rows = n * r
    let layerCount = architecture.layerCount
    var deltas = [[Double]](repeating: [], count: layerCount)
    var top = [Double](repeating: 0, count: rows * d)
    for i in 0..<n {
        for k in 0..<r {
            top[(i * r + k) * d + k] = 1
            if variant != .logits { top[(i * r + k) * d + d - 1] = Double(field.prime - 1) }
        }
    }
    deltas[layerCount - 1] = top
    for layer in stride(from: layerCount - 1, to: 0, by: -1) {
        let fanIn = architecture.fanIn(layer)
        let fanOut = architecture.fanOut(layer)
        var product = [Double](repeating: 0, count: rows * fanIn)
        try modularMultiply(deltas[layer], residues.weights[layer], m: rows, n: fanIn, k: fanOut, into: &product, field: field)
        for row in 0..<rows {
            let i = row / r
            for unit in 0..<fanIn where !forward.isActive(hidden: layer, sample: i, neuron: unit) {
                product[row * fanIn + unit] = 0
            }
        }
        deltas[layer - 1] = product
    }
    return deltas
}

/// rank_p of K (`matrix` `.gramRows`) or of J (`.jacobian`), J restricted to `columns`
/// (``liveColumns(_:statistics:)``).
func residueRank(
    _ residues: ResidueForward, deltas: [[Double]], forward: GeometryForward, variant: OutputVariant,
    matrix: ExactMatrix, liveColumns columns: [Int], field: PrimeField, trace: inout PhaseTrace
) throws -> Int {
    let architecture = forward.architecture
    let n = forward.n
    let r = variant == .logits ? architecture.outputSize : architecture.outputSize - 1
    let rows = n * r
    if matrix == .gramRows {
        var gram = try residueGram(residues, deltas: deltas, architecture: architecture, n: n, rowsPerSample: r, field: field)
        trace.mark("exact: K (\(rows) × \(rows)) mod p")
        defer { trace.mark("exact: rank of K (FFPACK)") }
        return try modularRank(overwriting: &gram, rows: rows, columns: rows, field: field)
    }
    var jacobian = residueJacobian(
        residues, deltas: deltas, architecture: architecture, n: n, rowsPerSample: r, columns: columns, field: field)
    trace.mark("exact: J (\(rows) × \(columns.count)) mod p")
    defer { trace.mark("exact: rank of J (FFPACK)") }
    return try modularRank(overwriting: &jacobian, rows: rows, columns: columns.count, field: field)
}

/// K (m′, m′) = Σ_l (Δ_l Δ_lᵀ) ∘ G_l mod p, G_l = Ã_l Ã_lᵀ (n, n) expanded to rows:
/// K[(i,k), (j,k′)] = Σ_l (Δ_l Δ_lᵀ)[(i,k), (j,k′)] · G_l[i, j]. Built in blocks of rows so the
/// only m′-wide temporaries are one block tall.
func residueGram(
    _ residues: ResidueForward, deltas: [[Double]], architecture: MLPArchitecture, n: Int, rowsPerSample r: Int,
    field: PrimeField
) throws -> [Double] {
    let rows = n * r
    let p = field.prime
    let layerCount = architecture.layerCount
    var inputGrams: [[Double]] = []
    for layer in 0..<layerCount {
        let width = architecture.fanIn(layer) + 1
        var g = [Double](repeating: 0, count: n * n)
        try modularMultiply(residues.augmented[layer], residues.augmented[layer], transposeB: true, m: n, n: n, k: width, into: &g, field: field)
        inputGrams.append(g)
    }
    var gram = [Double](repeating: 0, count: rows * rows)
    let samplesPerBlock = max(1, 2048 / r)
    var firstSample = 0
    while firstSample < n {
        let blockSamples = min(samplesPerBlock, n - firstSample)
        let blockRows = blockSamples * r
        var accumulator = [UInt64](repeating: 0, count: blockRows * rows)
        for layer in 0..<layerCount {
            let width = architecture.fanOut(layer)
            let block = Array(deltas[layer][(firstSample * r * width)..<((firstSample + blockSamples) * r * width)])
            var product = [Double](repeating: 0, count: blockRows * rows)
            try modularMultiply(block, deltas[layer], transposeB: true, m: blockRows, n: rows, k: width, into: &product, field: field)
            // Each term is < p² < 2^46, so 2^18 layers' terms fit in 64 bits: reduce per layer only
            // for networks deeper than that.
            let reduceAfter = layerCount >= 1 << 18
            inputGrams[layer].withUnsafeBufferPointer { g in
                product.withUnsafeBufferPointer { t in
                    accumulator.withUnsafeMutableBufferPointer { acc in
                        for localRow in 0..<blockRows {
                            let i = firstSample + localRow / r
                            let base = localRow * rows
                            for j in 0..<n {
                                let gij = UInt64(g[i * n + j])
                                if gij == 0 { continue }
                                for k in 0..<r {
                                    acc[base + j * r + k] &+= UInt64(t[base + j * r + k]) &* gij
                                }
                            }
                            if reduceAfter {
                                for column in 0..<rows { acc[base + column] %= p }
                            }
                        }
                    }
                }
            }
        }
        accumulator.withUnsafeBufferPointer { acc in
            gram.withUnsafeMutableBufferPointer { k in
                let offset = firstSample * r * rows
                for index in 0..<(blockRows * rows) { k[offset + index] = Double(acc[index] % p) }
            }
        }
        firstSample += blockSamples
    }
    return gram
}

/// The parameters whose columns of J are not identically zero on the batch, ascending: a weight
/// is dropped when its unit is dead or its input is a dead unit or an input feature that is 0 on
/// every sample; a bias when its unit is dead. Dropping zero columns keeps the rank.
func liveColumns(_ architecture: MLPArchitecture, statistics: ActivationStatistics) -> [Int] {
    let zeroFeatures = Set(statistics.zeroInputFeatures)
    var columns: [Int] = []
    columns.reserveCapacity(architecture.parameterCount)
    for layer in 0..<architecture.layerCount {
        let fanIn = architecture.fanIn(layer)
        let fanOut = architecture.fanOut(layer)
        let deadOut: Set<Int> = layer < architecture.layerCount - 1 ? Set(statistics.deadNeurons[layer]) : []
        let deadIn: Set<Int> = layer > 0 ? Set(statistics.deadNeurons[layer - 1]) : []
        for unit in 0..<fanOut where !deadOut.contains(unit) {
            for b in 0..<fanIn where layer == 0 ? !zeroFeatures.contains(b) : !deadIn.contains(b) {
                columns.append(architecture.weightOffset(layer) + unit * fanIn + b)
            }
        }
        for unit in 0..<fanOut where !deadOut.contains(unit) { columns.append(architecture.biasOffset(layer) + unit) }
    }
    return columns.sorted()
}

/// J (m′, |columns|) mod p, the given columns of Network's parameter layout:
/// J[(i,k), W_l[a,b]] = Δ_l[(i,k), a]·Ã_l[i, b], J[(i,k), b_l[a]] = Δ_l[(i,k), a].
func residueJacobian(
    _ residues: ResidueForward, deltas: [[Double]], architecture: MLPArchitecture, n: Int, rowsPerSample r: Int,
    columns kept: [Int], field: PrimeField
) -> [Double] {
    let rows = n * r
    let width = kept.count
    // For each kept column: its layer, unit and input (−1 for a bias).
    var layerOf = [Int](repeating: 0, count: width)
    var unitOf = [Int](repeating: 0, count: width)
    var inputOf = [Int](repeating: -1, count: width)
    for (index, parameter) in kept.enumerated() {
        var layer = 0
        while parameter >= architecture.biasOffset(layer) + architecture.fanOut(layer) { layer += 1 }
        layerOf[index] = layer
        let fanIn = architecture.fanIn(layer)
        if parameter >= architecture.biasOffset(layer) {
            unitOf[index] = parameter - architecture.biasOffset(layer)
        } else {
            let offset = parameter - architecture.weightOffset(layer)
            unitOf[index] = offset / fanIn
            inputOf[index] = offset % fanIn
        }
    }
    var jacobian = [Double](repeating: 0, count: rows * width)
    jacobian.withUnsafeMutableBufferPointer { j in
        for row in 0..<rows {
            let i = row / r
            let base = row * width
            for column in 0..<width {
                let layer = layerOf[column]
                let fanOut = architecture.fanOut(layer)
                let delta = UInt64(deltas[layer][row * fanOut + unitOf[column]])
                if delta == 0 { continue }
                let input = inputOf[column]
                if input < 0 {
                    j[base + column] = Double(delta)
                } else {
                    let fanIn = architecture.fanIn(layer)
                    j[base + column] = Double(field.multiply(delta, UInt64(residues.augmented[layer][i * (fanIn + 1) + input])))
                }
            }
        }
    }
    return jacobian
}
