import SeededRandom

extension MNIST {
    /// `set` followed by `extraCount` extra samples with random labels (the "random-label
    /// extras" experiment).
    ///
    /// The extra images are a seeded draw without replacement from the pooled images used by
    /// neither `set` nor any of `excluding` (pass the test set there), kept in draw order; each
    /// gets a label uniform in 0..<10, independent of its digit. Their pooled indices are
    /// appended to ``LabeledSet/sourceIndices``. Uses the `"datasets.randomLabelExtras"`
    /// stream of `seed`: first the draw of images, then the labels.
    ///
    /// - Throws: ``DatasetError/sizeOutOfRange(parameter:value:limit:reason:)`` if
    ///   `extraCount` is negative or exceeds the number of unused images.
    public func withRandomLabelExtras(
        _ set: LabeledSet, extraCount: Int, excluding: [LabeledSet] = [], seed: UInt64
    ) throws -> LabeledSet {
        var used = [Bool](repeating: false, count: pooledImageCount)
        for index in ([set] + excluding).flatMap(\.sourceIndices) where used.indices.contains(index) {
            used[index] = true
        }
        var unused = used.indices.filter { !used[$0] }
        try Self.check(
            "extraCount", extraCount, 0...unused.count,
            "only \(unused.count) pooled images are unused by the train and excluded sets")
        var generator = SeededGenerator(seed: seed, stream: "datasets.randomLabelExtras")
        generator.shuffle(&unused)
        var extras = labeledSet(pooledIndices: Array(unused.prefix(extraCount)))
        extras.labels = extras.labels.map { _ in Int32(generator.nextIndex(below: classCount)) }
        return set.appending(extras)
    }
}
