import SeededRandom

/// A training set and a test set drawn from MNIST.
public struct TrainTestSplit: Sendable, Equatable {
    /// The samples to train on.
    public let train: LabeledSet
    /// The held-out samples.
    public let test: LabeledSet
}

extension MNIST {
    /// The float value of each pixel byte: `Float(Double(p) / 255)`, the float32 rounding of
    /// NumPy's `x / 255.0`.
    static let pixelScale: [Float] = (0..<256).map { Float(Double($0) / 255) }

    /// The images at the given pooled indices, scaled to [0, 1], in the order given.
    public func labeledSet(pooledIndices: [Int]) -> LabeledSet {
        let d = featureCount
        var inputs = [Float](repeating: 0, count: pooledIndices.count * d)
        inputs.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { source in
                Self.pixelScale.withUnsafeBufferPointer { scale in
                    for (k, i) in pooledIndices.enumerated() {
                        precondition(i >= 0 && i < pooledImageCount, "pooled index \(i) out of range")
                        for j in 0..<d { out[k * d + j] = scale[Int(source[i * d + j])] }
                    }
                }
            }
        }
        return LabeledSet(
            inputs: inputs, labels: pooledIndices.map { Int32(labels[$0]) },
            sourceIndices: pooledIndices, featureCount: d)
    }

    /// Train from the train file, test from the t10k file (the usual MNIST protocol).
    ///
    /// A size of `nil` (or the file's full count) takes every image in file order; a smaller
    /// size takes a seeded draw without replacement, sorted by index. The train and test draws
    /// use separate streams of `seed`, so changing one size never changes the other set.
    ///
    /// - Throws: ``DatasetError/sizeOutOfRange(parameter:value:limit:reason:)`` unless
    ///   1 ≤ trainSize ≤ ``trainCount`` and 0 ≤ testSize ≤ ``testCount``.
    public func standardSplit(trainSize: Int? = nil, testSize: Int? = nil, seed: UInt64) throws
        -> TrainTestSplit
    {
        let trainN = trainSize ?? trainCount
        let testN = testSize ?? testCount
        try Self.check("trainSize", trainN, 1...trainCount, "the train file holds \(trainCount) images")
        try Self.check("testSize", testN, 0...testCount, "the test file holds \(testCount) images")
        var trainGenerator = SeededGenerator(seed: seed, stream: "datasets.standardSplit.train")
        var testGenerator = SeededGenerator(seed: seed, stream: "datasets.standardSplit.test")
        let trainIndices = Self.sortedDraw(trainN, from: trainCount, using: &trainGenerator)
        let testIndices = Self.sortedDraw(testN, from: testCount, using: &testGenerator)
            .map { trainCount + $0 }
        return TrainTestSplit(
            train: labeledSet(pooledIndices: trainIndices), test: labeledSet(pooledIndices: testIndices))
    }

    /// The protocol of the paper's script: pool all 70,000 images, apply a seeded permutation,
    /// take the first `trainSize` for training and the next `testSize` for test (disjoint).
    ///
    /// Both sets keep the permutation's order, which ``LabeledSet/sourceIndices`` records.
    ///
    /// - Throws: ``DatasetError/sizeOutOfRange(parameter:value:limit:reason:)`` unless
    ///   trainSize ≥ 1, testSize ≥ 0 and trainSize + testSize ≤ ``pooledImageCount``.
    public func paperSplit(trainSize: Int, testSize: Int, seed: UInt64) throws -> TrainTestSplit {
        let pool = pooledImageCount
        try Self.check("trainSize", trainSize, 1...pool, "the pool holds \(pool) images")
        try Self.check(
            "testSize", testSize, 0...(pool - trainSize),
            "the pool holds \(pool) images and \(trainSize) go to training")
        var generator = SeededGenerator(seed: seed, stream: "datasets.paperSplit")
        var order = Array(0..<pool)
        generator.shuffle(&order)
        return TrainTestSplit(
            train: labeledSet(pooledIndices: Array(order[0..<trainSize])),
            test: labeledSet(pooledIndices: Array(order[trainSize..<(trainSize + testSize)])))
    }

    /// `k` distinct indices of 0..<n, sorted: all of them when k = n, else the first k of a
    /// seeded permutation.
    static func sortedDraw(_ k: Int, from n: Int, using generator: inout SeededGenerator) -> [Int] {
        if k == n { return Array(0..<n) }
        var order = Array(0..<n)
        generator.shuffle(&order)
        return order[0..<k].sorted()
    }

    static func check(_ parameter: String, _ value: Int, _ limit: ClosedRange<Int>, _ reason: String) throws {
        guard limit.contains(value) else {
            throw DatasetError.sizeOutOfRange(parameter: parameter, value: value, limit: limit, reason: reason)
        }
    }
}
