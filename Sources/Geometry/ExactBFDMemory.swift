import Network

// MARK: - Memory of the exact engine, phase by phase
//
// The large buffers of ``exactBatchFunctionalDimensions(architecture:parameters:inputs:count:encoding:variants:settings:threads:)``
// (ExactBFD.swift), in the notation there: r rows per sample (d for logits, d − 1 for
// centred and softmax), m′ = n·r. Residues are held as doubles (8 bytes), as FFLAS reads them.

/// The memory of the exact engine on `n` samples for `variants`, by phase:
///
/// - pattern pass: the exact inputs (n × n_0 doubles, plus n × n_0 bytes for pixel bytes), the
///   float64 forward pass, the logits' Δ_l (kept for the Hadamard bound), and the live-column
///   list (P integers, sorted once: two copies);
/// - per prime, per distinct variant: the residue forward pass (Ã_l mod p, and W_l mod p,
///   about P doubles), Δ_l mod p (m′ × Σ_l n_(l+1)), then the matrix reduced:
///   - K (`gram_rows`): K (m′ × m′), the L input Grams (n × n), and one block of at most
///     2,048 rows: a 64-bit accumulator and a product (2 × 2,048 × m′), with FFLAS's balanced
///     copies of the operands (block and Δ_l: (2,048 + m′) × max n_(l+1));
///   - J (`jacobian`): J (m′ × P, live columns at most P) and three P-long column maps;
///
///   and FFPACK's elimination, in place but with the temporaries of its recursive products
///   (measured at about a quarter of the matrix).
///
/// The matrix is the one `matrix` resolves to for m′ and P (``ExactMatrixChoice/resolved(rows:parameterCount:)``).
public func exactBFDMemory(
    architecture: MLPArchitecture, sampleCount n: Int, variants: [OutputVariant], encoding: ExactInputEncoding,
    matrix: ExactMatrixChoice
) throws(SizeOverflow) -> MemoryModel {
    guard let p = architecture.checkedParameterCount else {
        throw SizeOverflow(quantity: "P", factors: architecture.layerSizes)
    }
    let d = architecture.outputSize
    let inputWidth = architecture.inputSize
    var inputs = [try doubles("exact inputs (n × n_0)", [n, inputWidth])]
    if encoding == .pixelBytes { inputs.append(try MemoryBuffer("pixel bytes (n × n_0)", [n, inputWidth], elementBytes: 1)) }
    let forward = try forwardMemory(architecture, sampleCount: n)
    let logitsDeltas = try deltasMemory(architecture, rows: try product([n, d], "n·d"), label: "logits Δ_l")
    let columns = try MemoryBuffer("live columns (P)", [p], elementBytes: 8)
    let patternKept = inputs + forward.kept + [logitsDeltas, columns]
    var phases = [
        try MemoryPhase(
            "exact: float64 pattern pass",
            patternKept + forward.transient + [try MemoryBuffer("live columns, sorted copy", [p], elementBytes: 8)]),
    ]

    let augmentedWidth = try sum((0..<architecture.layerCount).map { architecture.fanIn($0) + 1 }, "Σ (n_l + 1)")
    let widestOutput = architecture.layerSizes.dropFirst().max() ?? 1
    let residueForward = [
        try doubles("Ã_l mod p (all layers)", [n, augmentedWidth]),
        try doubles("W_l mod p (about P)", [p]),
    ]
    let computed = Set(variants.map { $0 == .softmax ? OutputVariant.centred : $0 })
    for variant in computed.sorted(by: { $0.rawValue < $1.rawValue }) {
        let rowsPerSample = variant == .logits ? d : d - 1
        let rows = try product([n, rowsPerSample], "m′ = n·r")
        let kept = patternKept + residueForward + [try deltasMemory(architecture, rows: rows, label: "Δ_l mod p")]
        switch matrix.resolved(rows: rows, parameterCount: p) {
        case .gramRows:
            let blockRows = min(n, max(1, 2048 / rowsPerSample)) * rowsPerSample
            phases.append(try MemoryPhase(
                "exact: K mod p (\(variant.rawValue), m′ = \(rows))", kept + [
                    try doubles("K mod p (m′ × m′ = \(rows) × \(rows))", [rows, rows]),
                    try doubles("input Grams mod p (n × n, all layers)", [architecture.layerCount, n, n]),
                    try doubles("K block accumulator and product", [2, blockRows, rows]),
                    try doubles("FFLAS operand copies", [try sum([blockRows, rows], "block + m′"), widestOutput]),
                    try eliminationTemporaries(rows: rows, columns: rows),
                ]))
        case .jacobian:
            phases.append(try MemoryPhase(
                "exact: J mod p (\(variant.rawValue), m′ = \(rows))", kept + [
                    try doubles("J mod p (m′ × P = \(rows) × \(p))", [rows, p]),
                    try MemoryBuffer("column maps (3 × P)", [3, p], elementBytes: 8),
                    try eliminationTemporaries(rows: rows, columns: p),
                ]))
        }
    }
    return MemoryModel("the exact engine", phases: phases)
}

/// The temporaries FFPACK's rank elimination allocates on a (rows × columns) matrix: about a
/// quarter of it (measured on 3,000 × 13,002: ~70 MiB).
private func eliminationTemporaries(rows: Int, columns: Int) throws(SizeOverflow) -> MemoryBuffer {
    try MemoryBuffer("FFPACK elimination temporaries (¼ of the matrix)", [rows, columns], elementBytes: 2)
}
