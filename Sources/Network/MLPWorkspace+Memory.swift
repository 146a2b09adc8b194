/// What a workspace allocates, for memory estimates made before it exists.
extension MLPWorkspace {
    /// The buffers ``init(_:capacity:)`` allocates for `architecture` and `capacity` rows, in
    /// `S`: per-layer outputs Σ_l n_(l+1), hidden-layer gradients Σ_(l<L−1) n_(l+1), logit
    /// gradients n_L and gathered inputs n_0 per row, all of `S`, and one Int32 label per row.
    public static func memoryBuffers(
        _ architecture: MLPArchitecture, capacity: Int
    ) throws(SizeOverflow) -> [MemoryBuffer] {
        let widths = Array(architecture.layerSizes.dropFirst())
        guard let outputWidth = checkedSum(widths), let hiddenWidth = checkedSum(Array(widths.dropLast())) else {
            throw SizeOverflow(quantity: "the widths of \(architecture.description)", factors: widths)
        }
        let scalar = MemoryLayout<S>.size
        return [
            try MemoryBuffer("layer outputs (\(capacity) rows)", [capacity, outputWidth], elementBytes: scalar),
            try MemoryBuffer("hidden gradients (\(capacity) rows)", [capacity, hiddenWidth], elementBytes: scalar),
            try MemoryBuffer("logit gradients (\(capacity) rows)", [capacity, architecture.outputSize], elementBytes: scalar),
            try MemoryBuffer("gathered inputs (\(capacity) rows)", [capacity, architecture.inputSize], elementBytes: scalar),
            try MemoryBuffer("gathered labels (\(capacity) rows)", [capacity], elementBytes: 4),
        ]
    }
}
