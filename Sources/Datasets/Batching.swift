import SeededRandom

/// The order in which epoch `epoch` visits samples 0..<count: a seeded permutation that
/// depends on (seed, epoch) alone, so a run resumed at any epoch reproduces it exactly.
///
/// Uses the `"datasets.epochOrder.<epoch>"` stream of `seed`.
public func epochOrder(count: Int, epoch: Int, seed: UInt64) -> [Int] {
    precondition(count >= 0, "epochOrder: count must be ≥ 0")
    var generator = SeededGenerator(seed: seed, stream: "datasets.epochOrder.\(epoch)")
    var order = Array(0..<count)
    generator.shuffle(&order)
    return order
}

/// The consecutive position ranges of the batches of one epoch: `batchSize` each, the last
/// one shorter when `batchSize` does not divide `count` (it is kept, as Keras does).
public func batchRanges(count: Int, batchSize: Int) -> [Range<Int>] {
    precondition(count >= 0 && batchSize > 0, "batchRanges: count ≥ 0 and batchSize > 0")
    return stride(from: 0, to: count, by: batchSize).map { $0..<min($0 + batchSize, count) }
}

/// Copies rows `indices` of a row-major `rows` array (`featureCount` floats each) into the
/// front of `buffer`, contiguously, in the order given; `buffer` keeps its length and must
/// hold at least `indices.count × featureCount` floats.
public func gatherRows(
    from rows: [Float], featureCount: Int, indices: some Collection<Int>, into buffer: inout [Float]
) {
    let d = featureCount
    precondition(buffer.count >= indices.count * d, "gatherRows: buffer too small for the batch")
    let rowCount = rows.count / d
    buffer.withUnsafeMutableBufferPointer { out in
        rows.withUnsafeBufferPointer { source in
            guard let outBase = out.baseAddress, let sourceBase = source.baseAddress else { return }
            for (k, i) in indices.enumerated() {
                precondition(i >= 0 && i < rowCount, "gatherRows: row \(i) out of 0..<\(rowCount)")
                (outBase + k * d).update(from: sourceBase + i * d, count: d)
            }
        }
    }
}

/// Copies the inputs of samples `indices` of `set` into the front of `buffer`; see
/// ``gatherRows(from:featureCount:indices:into:)``.
public func gatherRows(from set: LabeledSet, indices: some Collection<Int>, into buffer: inout [Float]) {
    gatherRows(from: set.inputs, featureCount: set.featureCount, indices: indices, into: &buffer)
}

/// Copies the labels of samples `indices` of `set` into the front of `buffer`, which must
/// hold at least `indices.count` labels.
public func gatherLabels(from set: LabeledSet, indices: some Collection<Int>, into buffer: inout [Int32]) {
    precondition(buffer.count >= indices.count, "gatherLabels: buffer too small for the batch")
    for (k, i) in indices.enumerated() { buffer[k] = set.labels[i] }
}
