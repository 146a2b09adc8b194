/// The sizes of an architecture computed with overflow checks, for architectures read from
/// a config or a log before anything is allocated for them.
///
/// ``MLPArchitecture/parameterCount``, the offsets and ``MLPWorkspace`` use plain arithmetic
/// (a trap on overflow): check with these first whenever the widths come from outside.
extension MLPArchitecture {
    /// P = Σ_l n_(l+1)·(n_l + 1), or nil when it does not fit in `Int`.
    public static func checkedParameterCount(layerSizes: [Int]) -> Int? {
        var total = 0
        for layer in 0..<max(0, layerSizes.count - 1) {
            guard let inputs = checkedSum([layerSizes[layer], 1]),
                  let block = checkedProduct([layerSizes[layer + 1], inputs]),
                  let next = checkedSum([total, block])
            else { return nil }
            total = next
        }
        return total
    }

    /// P for these widths, or nil when it does not fit in `Int`.
    public var checkedParameterCount: Int? { Self.checkedParameterCount(layerSizes: layerSizes) }

    /// max_l n_l · n_(l+1), the largest weight matrix, or nil when a product does not fit.
    public var checkedLargestWeightCount: Int? {
        var largest = 0
        for layer in 0..<layerCount {
            guard let count = checkedProduct([fanIn(layer), fanOut(layer)]) else { return nil }
            largest = max(largest, count)
        }
        return largest
    }

    /// Σ of the widths n_1 … n_L (hidden and output), or nil when it does not fit.
    public var checkedNeuronCount: Int? { checkedSum(Array(layerSizes.dropFirst())) }
}
