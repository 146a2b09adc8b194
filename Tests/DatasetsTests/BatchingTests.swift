import Datasets
import Testing

@Suite struct BatchingTests {
    @Test func epochOrderIsADeterministicPermutation() {
        let order = epochOrder(count: 600, epoch: 3, seed: 42)
        #expect(order.sorted() == Array(0..<600))
        #expect(order != Array(0..<600))
        #expect(order == epochOrder(count: 600, epoch: 3, seed: 42))
        #expect(order != epochOrder(count: 600, epoch: 4, seed: 42))
        #expect(order != epochOrder(count: 600, epoch: 3, seed: 43))
        #expect(epochOrder(count: 0, epoch: 0, seed: 1) == [])
        #expect(epochOrder(count: 1, epoch: 0, seed: 1) == [0])
    }

    /// Each position is roughly uniform over the samples across epochs.
    @Test func epochOrderIsUnbiased() {
        var firstCounts = [Int](repeating: 0, count: 4)
        for epoch in 0..<4000 { firstCounts[epochOrder(count: 4, epoch: epoch, seed: 9)[0]] += 1 }
        // Expected 1000 each, binomial std ≈ 27.
        #expect(firstCounts.allSatisfy { abs($0 - 1000) < 150 })
    }

    @Test func batchRangesCoverEachPositionOnce() {
        let ranges = batchRanges(count: 600, batchSize: 256)
        #expect(ranges == [0..<256, 256..<512, 512..<600])
        #expect(batchRanges(count: 512, batchSize: 256).count == 2)
        #expect(batchRanges(count: 0, batchSize: 256) == [])
    }

    @Test func gatherRowsCopiesTheChosenRows() {
        let d = 5
        let set = LabeledSet(
            inputs: (0..<(10 * d)).map { Float($0) }, labels: (0..<10).map { Int32(9 - $0) },
            sourceIndices: Array(100..<110), featureCount: d)
        var inputs = [Float](repeating: -1, count: 4 * d)
        var labels = [Int32](repeating: -1, count: 4)
        let order = [7, 2, 9]
        gatherRows(from: set, indices: order[...], into: &inputs)
        gatherLabels(from: set, indices: order[...], into: &labels)
        for (k, i) in order.enumerated() {
            #expect(Array(inputs[(k * d)..<((k + 1) * d)]) == Array(set.row(i)))
            #expect(labels[k] == set.labels[i])
        }
        #expect(inputs[(3 * d)...].allSatisfy { $0 == -1 })  // the spare row is untouched
        #expect(labels[3] == -1)
    }
}
