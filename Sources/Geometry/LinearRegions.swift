import Network

// MARK: - Linear regions along a line of 1-D inputs, kinks and neuron alignment

/// What a network with one input does along its training points: the linear regions they
/// fall into, and where the first hidden layer's neurons switch.
public struct LinearRegionStatistics: Sendable, Equatable {
    /// Regions seen: 1 + the number of changes of the full activation pattern (every hidden
    /// layer) between consecutive points, the points sorted by x. Exact: computed from the
    /// float64 forward pass's signs, no grid.
    public let regionsSeen: Int
    /// −b_j / w_j for every neuron j of the first hidden layer (NaN where w_j = 0), neuron order.
    public let kinks: [Double]
    /// The alignment statistic over every finite kink: the number of clusters when kinks
    /// closer than the tolerance are chained together (single linkage on the sorted kinks).
    public let distinctKinks: Int
    /// Finite kinks inside [min x, max x] of the points.
    public let kinksInRange: Int
    /// ``distinctKinks`` over the kinks inside [min x, max x] only.
    public let distinctKinksInRange: Int
}

/// The kinks −b/w of the first hidden layer of a network with one input: parameters is the
/// flat buffer (P); NaN where w = 0 (the neuron is constant in x).
public func firstLayerKinks(architecture: MLPArchitecture, parameters: [Double]) -> [Double] {
    precondition(architecture.inputSize == 1 && parameters.count == architecture.parameterCount)
    let weights = architecture.weightOffset(0), biases = architecture.biasOffset(0)
    return (0..<architecture.fanOut(0)).map { j in
        let w = parameters[weights + j], b = parameters[biases + j]
        return w == 0 ? .nan : -b / w
    }
}

/// Clusters of `values` (NaN skipped) when neighbours closer than `tolerance` chain into one:
/// 1 + the number of gaps > tolerance between consecutive sorted values (0 for no values).
public func distinctValueCount(_ values: [Double], tolerance: Double) -> Int {
    let sorted = values.filter(\.isFinite).sorted()
    guard !sorted.isEmpty else { return 0 }
    return 1 + zip(sorted, sorted.dropFirst()).filter { $1 - $0 > tolerance }.count
}

/// The regions seen by `count` 1-D `inputs` (any order), the first layer's kinks and their
/// alignment statistic at `tolerance` (input units). Throws on shapes that do not fit.
public func linearRegionStatistics(
    architecture: MLPArchitecture, parameters: [Double], inputs: [Double], count n: Int, tolerance: Double
) throws -> LinearRegionStatistics {
    guard architecture.inputSize == 1 else {
        throw GeometryError.invalidArgument("linear regions along a line need one input (n_0 = \(architecture.inputSize))")
    }
    let order = (0..<n).sorted { inputs[$0] < inputs[$1] }
    let sortedInputs = order.map { inputs[$0] }
    let forward = try geometryForward(architecture: architecture, parameters: parameters, inputs: sortedInputs, count: n)
    var changes = 0
    for i in 1..<max(n, 1) {
        var same = true
        for hidden in 1..<architecture.layerCount where same {
            for a in 0..<architecture.layerSizes[hidden]
            where forward.isActive(hidden: hidden, sample: i, neuron: a) != forward.isActive(hidden: hidden, sample: i - 1, neuron: a) {
                same = false
                break
            }
        }
        if !same { changes += 1 }
    }
    let kinks = firstLayerKinks(architecture: architecture, parameters: parameters)
    let low = sortedInputs.first ?? 0, high = sortedInputs.last ?? 0
    let inside = kinks.filter { $0.isFinite && $0 >= low && $0 <= high }
    return LinearRegionStatistics(
        regionsSeen: n == 0 ? 0 : changes + 1, kinks: kinks, distinctKinks: distinctValueCount(kinks, tolerance: tolerance),
        kinksInRange: inside.count, distinctKinksInRange: distinctValueCount(inside, tolerance: tolerance))
}
