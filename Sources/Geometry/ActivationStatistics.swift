import Network

// MARK: - Activation patterns of the hidden neurons over a batch

/// Which hidden neurons a batch switches on, and the rank bound that follows.
///
/// A neuron is *dead* on X if its pre-activation is ≤ 0 on every input of X (its ReLU output
/// is 0 throughout), *always active* if it is > 0 on every input. The activation pattern of a
/// sample is the boolean vector over all hidden neurons; the number of distinct patterns is
/// the number of linear regions of the network that X visits.
///
/// **The implied bound.** rank J ≤ P − hidden for generic parameters: each hidden neuron's
/// positive rescaling (in-weights and bias × c, out-weights × 1/c) leaves f_θ unchanged, so
/// its tangent is in the null space of J. A neuron dead on all of X additionally gives zero
/// columns of J: its n_(l−1) in-weights and its bias (relu′ = 0 on every sample) and its
/// n_(l+1) out-weights (they multiply an activation that is 0 on every sample), i.e.
/// n_(l−1) + n_(l+1) + 1 zero columns. Its rescaling tangent lies inside those columns, so it
/// is no longer an extra null direction and one of the + 1 is given back: the bound drops by
/// n_(l−1) + n_(l+1) per dead neuron. (Here n_(l−1), n_(l+1) are the widths of the layers
/// before and after the neuron's own layer.) When two dead neurons sit in consecutive layers,
/// the weight joining them was counted twice, so one is added back per such pair:
///
///     bound = P − hidden − Σ_dead (n_(l−1) + n_(l+1)) + #(dead pairs in consecutive layers).
///
/// This is the rank bound of the smaller network with the dead neurons removed. An input
/// feature that is 0 on every sample of X (a border pixel of MNIST, say) likewise makes the
/// columns of its weights into the live first-layer neurons zero, so the bound also drops by
/// n_1 − (dead neurons of layer 1) per such input (by d when there is no hidden layer).
///
/// The bound holds for any parameters whose live hidden neurons each have a nonzero bias or a
/// nonzero out-weight into a live neuron (or an output): then the rescaling tangents stay
/// independent outside the zero columns (``symmetryBoundHolds(architecture:parameters:statistics:)``).
public struct ActivationStatistics: Sendable, Equatable {
    /// Hidden widths n_1 … n_(L−1).
    public let hiddenWidths: [Int]
    /// Per hidden layer, the indices of neurons dead on every input.
    public let deadNeurons: [[Int]]
    /// Per hidden layer, the indices of neurons active on every input.
    public let alwaysActiveNeurons: [[Int]]
    /// Number of distinct activation patterns over the batch (≤ n).
    public let distinctPatterns: Int
    /// P − hidden.
    public let parameterCountMinusHidden: Int
    /// The bound P − hidden reduced for the dead neurons and the always-zero inputs (see the
    /// type's documentation).
    public let impliedBound: Int
    /// The input features that are exactly 0 on every sample, ascending.
    public let zeroInputFeatures: [Int]

    /// How many input features are exactly 0 on every sample.
    public var zeroInputs: Int { zeroInputFeatures.count }

    /// Per hidden layer, how many neurons are dead on every input.
    public var deadCounts: [Int] { deadNeurons.map(\.count) }
    /// Per hidden layer, how many neurons are active on every input.
    public var alwaysActiveCounts: [Int] { alwaysActiveNeurons.map(\.count) }
    /// Total dead neurons.
    public var deadTotal: Int { deadNeurons.reduce(0) { $0 + $1.count } }
}

/// Activation statistics of a forward pass already made.
public func activationStatistics(_ forward: GeometryForward) -> ActivationStatistics {
    let architecture = forward.architecture
    let n = forward.n
    let sizes = architecture.layerSizes
    let hiddenLayers = Array(1..<(sizes.count - 1))  // index into layerSizes
    let totalHidden = architecture.hiddenNeuronCount
    let wordCount = (totalHidden + 63) / 64
    var patterns = Set<[UInt64]>()
    var dead: [[Int]] = []
    var alwaysActive: [[Int]] = []
    var activeCount: [[Int]] = hiddenLayers.map { [Int](repeating: 0, count: sizes[$0]) }

    for i in 0..<n {
        var words = [UInt64](repeating: 0, count: wordCount)
        var bit = 0
        for (h, layer) in hiddenLayers.enumerated() {
            for a in 0..<sizes[layer] {
                if forward.isActive(hidden: layer, sample: i, neuron: a) {
                    words[bit / 64] |= 1 << UInt64(bit % 64)
                    activeCount[h][a] += 1
                }
                bit += 1
            }
        }
        patterns.insert(words)
    }
    for (h, layer) in hiddenLayers.enumerated() {
        dead.append((0..<sizes[layer]).filter { activeCount[h][$0] == 0 })
        alwaysActive.append((0..<sizes[layer]).filter { activeCount[h][$0] == n })
    }

    let base = architecture.parameterCount - totalHidden
    let inputWidth = sizes[0] + 1
    let zeroInputFeatures = (0..<sizes[0]).filter { b in
        (0..<n).allSatisfy { forward.augmentedInputs[0][$0 * inputWidth + b] == 0 }
    }
    var reduction = zeroInputFeatures.count * (sizes[1] - (hiddenLayers.isEmpty ? 0 : dead[0].count))
    for (h, layer) in hiddenLayers.enumerated() {
        reduction += dead[h].count * (sizes[layer - 1] + sizes[layer + 1])
        if h + 1 < hiddenLayers.count {
            reduction -= dead[h].count * dead[h + 1].count  // weights joining two dead neurons
        }
    }
    return ActivationStatistics(
        hiddenWidths: hiddenLayers.map { sizes[$0] }, deadNeurons: dead, alwaysActiveNeurons: alwaysActive,
        distinctPatterns: patterns.count, parameterCountMinusHidden: base, impliedBound: max(0, base - reduction),
        zeroInputFeatures: zeroInputFeatures)
}

/// Activation statistics of `architecture` with `parameters` on a batch inputs (n, n_0).
public func activationStatistics(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int
) throws -> ActivationStatistics {
    activationStatistics(try geometryForward(architecture: architecture, parameters: parameters, inputs: inputs, count: n))
}

/// Whether ``ActivationStatistics/impliedBound`` is a bound for these parameters, not only
/// for generic ones: every live hidden neuron has a nonzero bias or a nonzero out-weight into
/// a live neuron of the next layer (or into an output), so the rescaling tangents are
/// independent on columns that are not zero (by induction from the last hidden layer down).
public func symmetryBoundHolds(
    architecture: MLPArchitecture, parameters: [Double], statistics: ActivationStatistics
) -> Bool {
    let hiddenCount = architecture.layerCount - 1
    for h in 0..<hiddenCount {
        let layer = h  // affine layer h produces hidden layer h + 1
        let next = h + 1  // affine layer reading it
        let dead = Set(statistics.deadNeurons[h])
        let deadNext: Set<Int> = h + 1 < hiddenCount ? Set(statistics.deadNeurons[h + 1]) : []
        let fanIn = architecture.fanIn(next)
        let fanOut = architecture.fanOut(next)
        let outWeights = architecture.weightOffset(next)
        let biases = architecture.biasOffset(layer)
        for unit in 0..<architecture.fanOut(layer) where !dead.contains(unit) {
            if parameters[biases + unit] != 0 { continue }
            let reachesLive = (0..<fanOut).contains { j in
                !deadNext.contains(j) && parameters[outWeights + j * fanIn + unit] != 0
            }
            if !reachesLive { return false }
        }
    }
    return true
}
