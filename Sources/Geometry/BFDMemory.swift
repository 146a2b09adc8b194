import Network

// MARK: - Memory of a numerical BFD measurement, phase by phase
//
// A model of the large buffers ``batchFunctionalDimensions(architecture:parameters:inputs:count:variants:method:rule:relativeTolerance:conditioning:gramSide:threads:)``
// and ``estimateCFFD(architecture:parameters:variant:method:seed:mean:std:maxRows:threads:)``
// allocate: every buffer of n·width doubles or more, grouped by the moments they are live
// together; vectors of O(n) or O(width) entries are left out. Sizes use the conditioned
// widths' upper bound r_l ≤ min(n, n_l + 1) (the projector's rank), so the estimate is
// an upper bound for the auto Gram side as well: a smaller P̃ only ever shrinks the product
// that is formed. All counts are checked: a size that does not fit in Int throws.
//
// Notation as in JacobianFactors.swift: n samples, d = n_L outputs, m = n·d rows of J,
// P parameters, L affine layers.

/// Upper bounds on the ranks r_l of the per-layer input factors [A_l, 1] (n × (n_l + 1)).
func maximalInputRanks(_ architecture: MLPArchitecture, sampleCount n: Int) -> [Int] {
    (0..<architecture.layerCount).map { min(n, architecture.fanIn($0) + 1) }
}

/// Σ of `terms`, or a ``SizeOverflow`` naming `quantity`.
func sum(_ terms: [Int], _ quantity: String) throws(SizeOverflow) -> Int {
    guard let total = checkedSum(terms) else { throw SizeOverflow(quantity: quantity, factors: terms) }
    return total
}

/// Π of `factors`, or a ``SizeOverflow`` naming `quantity`.
func product(_ factors: [Int], _ quantity: String) throws(SizeOverflow) -> Int {
    guard let total = checkedProduct(factors) else { throw SizeOverflow(quantity: quantity, factors: factors) }
    return total
}

/// A buffer of doubles.
func doubles(_ name: String, _ factors: [Int]) throws(SizeOverflow) -> MemoryBuffer {
    try MemoryBuffer(name, factors, elementBytes: 8)
}

/// The buffers of the float64 forward pass (``geometryForward(architecture:parameters:inputs:count:)``):
/// Ã_l for every layer and the logits, which the rest of a measurement keeps, and the
/// per-layer outputs, which live only until the pass returns.
func forwardMemory(
    _ architecture: MLPArchitecture, sampleCount n: Int
) throws(SizeOverflow) -> (kept: [MemoryBuffer], transient: [MemoryBuffer]) {
    let augmentedWidth = try sum((0..<architecture.layerCount).map { architecture.fanIn($0) + 1 }, "Σ (n_l + 1)")
    let outputWidth = try sum(Array(architecture.layerSizes.dropFirst()), "Σ n_(l+1)")
    let hidden = architecture.hiddenNeuronCount
    return (
        [
            try doubles("activations Ã_l (n × (n_l + 1), all layers)", [n, augmentedWidth]),
            try doubles("logits (n × d)", [n, architecture.outputSize]),
            // One bit per hidden neuron and sample, plus the hash set's own storage.
            try MemoryBuffer("activation patterns", [n, hidden / 64 + 9], elementBytes: 8),
        ],
        [try doubles("forward outputs (n × n_(l+1), all layers)", [n, outputWidth])]
    )
}

/// Δ_l for every layer (``jacobianFactors(_:variant:)``): m × Σ_l n_(l+1) doubles.
func deltasMemory(_ architecture: MLPArchitecture, rows m: Int, label: String = "Δ_l") throws(SizeOverflow) -> MemoryBuffer {
    let width = try sum(Array(architecture.layerSizes.dropFirst()), "Σ n_(l+1)")
    return try doubles("\(label) (m × n_(l+1), all layers, m = \(m))", [m, width])
}

/// The memory of ``batchFunctionalDimensions(architecture:parameters:inputs:count:variants:method:rule:relativeTolerance:conditioning:gramSide:threads:)``
/// on `n` samples (projector conditioning), by phase:
///
/// - forward: Ã_l, logits, the per-layer outputs (Σ_l n·(n_l + 1) + n·d + Σ_l n·n_(l+1));
/// - input bases (Gram methods): + Q_l (n × r_l) and one pivoted-QR copy of the widest Ã_l;
/// - the method, for one variant at a time (its Δ_l, m × Σ_l n_(l+1), plus):
///   - `jacobian`: J (m × P) and dgesdd's workspace (about 64·(m + P) doubles);
///   - `gram`, rows side: K (m × m), the L input Grams G_l (n × n) and a block of about
///     256 rows of scratch (256·m); then dsyevd on K (~34·m doubles of workspace);
///   - `gram`, parameters side: K_P (P̃ × P̃, P̃ ≤ Σ_l n_(l+1)·r_l) and one block of rows of
///     J̃ (``parameterGramBlockRows(conditionedParameterCount:rows:)`` × P̃);
///   - `gram_inertia`: the same build, then the inertia counts, which hold a second copy of
///     the product when `threads` ≥ 2 (two factorisations at once); with `gramSide` auto also
///     the block Schur count (2·m·p_R + p_R² per factorisation copy, p_R = Σ_(l≥1) n_(l+1)·r_l)
///     where it may apply (n ≤ n_0 + 1 and cheaper than K).
///
/// The side is the one `gramSide` resolves to for P̃ at its upper bound.
public func bfdMemory(
    architecture: MLPArchitecture, sampleCount n: Int, method: BFDMethod, gramSide: GramSideChoice = .auto,
    threads: Int
) throws(SizeOverflow) -> MemoryModel {
    let d = architecture.outputSize
    let m = try product([n, d], "m = n·d")
    guard let p = architecture.checkedParameterCount else {
        throw SizeOverflow(quantity: "P", factors: architecture.layerSizes)
    }
    let forward = try forwardMemory(architecture, sampleCount: n)
    var phases = [try MemoryPhase("forward pass (n = \(n))", forward.kept + forward.transient)]
    let deltas = try deltasMemory(architecture, rows: m)
    let label = method.rawValue

    if method == .jacobian {
        let small = min(m, p)
        let workspace = try doubles("dgesdd workspace", [try sum([m, p], "m + P"), 64])
        phases.append(try MemoryPhase(
            "explicit J and its SVD", forward.kept + [
                deltas, try doubles("J (m × P = \(m) × \(p))", [m, p]), workspace,
                try MemoryBuffer("dgesdd integer workspace", [8, small], elementBytes: 4),
            ]))
        return MemoryModel(label, phases: phases)
    }

    let ranks = maximalInputRanks(architecture, sampleCount: n)
    let basisWidth = try sum(ranks, "Σ r_l")
    let widestInput = (0..<architecture.layerCount).map { architecture.fanIn($0) + 1 }.max() ?? 1
    let bases = try doubles("input bases Q_l (n × r_l, all layers)", [n, basisWidth])
    phases.append(try MemoryPhase(
        "layer input bases", forward.kept + [bases, try doubles("pivoted QR copy of Ã_l", [n, widestInput])]))

    let blocks = try (0..<architecture.layerCount).map { (layer: Int) throws(SizeOverflow) -> Int in
        try product([architecture.fanOut(layer), ranks[layer]], "n_(l+1)·r_l")
    }
    let conditioned = try sum(blocks, "P̃ = Σ n_(l+1)·r_l")
    let kept = forward.kept + [bases, deltas]
    let copies = method == .gramInertia && threads >= 2 ? 2 : 1
    switch gramSide.resolved(rows: m, conditionedParameterCount: conditioned) {
    case .rows, .blockSchur:
        let product = try doubles("K (m × m = \(m) × \(m))", [m, m])
        let scratchRows = max(1, 256 / d) * d
        phases.append(try MemoryPhase(
            "Gram matrix K (rows side)", kept + [
                product, try doubles("input Grams G_l (n × n, all layers)", [architecture.layerCount, n, n]),
                try doubles("K row-block scratch", [scratchRows, m]),
            ]))
        phases.append(try MemoryPhase(
            method == .gram ? "eigenvalues of K" : "inertia counts of K", kept + [product]
                + (copies == 2 ? [try doubles("second copy of K (parallel counts)", [m, m])] : [])
                + [try doubles("eigensolver workspace", [m, 34])]))
    case .parameters:
        let product = try doubles("K_P (P̃ × P̃ = \(conditioned) × \(conditioned))", [conditioned, conditioned])
        let blockRows = parameterGramBlockRows(conditionedParameterCount: conditioned, rows: m)
        phases.append(try MemoryPhase(
            "Gram matrix K_P (parameters side)", kept + [product, try doubles("block of J̃ rows", [blockRows, conditioned])]))
        phases.append(try MemoryPhase(
            method == .gram ? "eigenvalues of K_P" : "inertia counts of K_P", kept + [product]
                + (copies == 2 ? [try doubles("second copy of K_P (parallel counts)", [conditioned, conditioned])] : [])
                + [try doubles("eigensolver workspace", [conditioned, 34])]))
    }
    if method == .gramInertia, gramSide == .auto, architecture.layerCount >= 2, n <= architecture.inputSize + 1 {
        // The block Schur count, where it is cheaper than factorising K (BlockSchurCounts.swift).
        let schurWidth = try sum(Array(blocks.dropFirst()), "p_R")
        let cost = Double(m) * Double(schurWidth) * Double(schurWidth) + pow3(Double(schurWidth)) / 3
        if cost < pow3(Double(m)) / 3 {
            phases.append(try MemoryPhase(
                "block Schur count", kept + [
                    try doubles("Y (m × p_R)", [m, schurWidth]), try doubles("scaled Y (m × p_R)", [m, schurWidth]),
                    try doubles("Schur complement S (p_R × p_R)", [copies, schurWidth, schurWidth]),
                    try doubles("per-sample eigenvectors (n × d × d)", [n, d, d]),
                ]))
        }
    }
    return MemoryModel(label, phases: phases)
}

private func pow3(_ x: Double) -> Double { x * x * x }

/// The memory of ``estimateCFFD(architecture:parameters:variant:method:seed:mean:std:maxRows:threads:)``:
/// its largest Gaussian batch (the doubling sequence's last size with n·d ≤ `maxRows`), held
/// twice while it grows, plus ``bfdMemory(architecture:sampleCount:method:gramSide:threads:)``
/// of that batch under `method.withoutSpectrum`.
public func cffdMemory(
    architecture: MLPArchitecture, method: BFDMethod, maxRows: Int, threads: Int
) throws(SizeOverflow) -> MemoryModel {
    let n = cffdLargestBatch(architecture: architecture, maxRows: maxRows)
    let measurement = try bfdMemory(architecture: architecture, sampleCount: n, method: method.withoutSpectrum, threads: threads)
    let inputs = try doubles("Gaussian inputs, while growing (2 × n × n_0)", [2, n, architecture.inputSize])
    let phases = try measurement.phases.map { (phase: MemoryPhase) throws(SizeOverflow) -> MemoryPhase in
        try MemoryPhase(phase.name, [inputs] + phase.buffers)
    }
    return MemoryModel("the CFFD estimate (\(method.withoutSpectrum.rawValue))", phases: phases)
}

/// The largest batch ``estimateCFFD(architecture:parameters:variant:method:seed:mean:std:maxRows:threads:)``
/// can try: it starts at max(1, min(P − hidden, maxRows) / (4d)) and doubles while 2·n·d ≤ maxRows.
public func cffdLargestBatch(architecture: MLPArchitecture, maxRows: Int) -> Int {
    let d = architecture.outputSize
    let bound = architecture.checkedParameterCount.map { $0 - architecture.hiddenNeuronCount } ?? Int.max
    var n = max(1, min(bound, maxRows) / (4 * d))
    while let twice = checkedProduct([2, n, d]), twice <= maxRows { n *= 2 }
    return n
}
