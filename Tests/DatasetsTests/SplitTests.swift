import Datasets
import Testing

@Suite struct SplitTests {
    /// Rows, labels and source indices agree with the pooled MNIST they came from.
    func expectConsistent(_ set: LabeledSet, with mnist: MNIST, sampleRows: Int = 50) {
        #expect(set.featureCount == 784)
        #expect(set.inputs.count == set.count * 784)
        #expect(set.sourceIndices.count == set.count)
        for k in stride(from: 0, to: set.count, by: max(1, set.count / sampleRows)) {
            let i = set.sourceIndices[k]
            #expect(set.labels[k] == Int32(mnist.labels[i]))
            #expect(set.row(k).elementsEqual(mnist.image(pooledIndex: i).map { Float($0) / 255 }))
        }
        #expect(set.inputs.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func standardSplitAll() throws {
        let mnist = try bundledMNIST.get()
        let split = try mnist.standardSplit(seed: 1)
        #expect(split.train.count == 60_000 && split.test.count == 10_000)
        #expect(split.train.sourceIndices == Array(0..<60_000))
        #expect(split.test.sourceIndices == Array(60_000..<70_000))
        expectConsistent(split.train, with: mnist)
        expectConsistent(split.test, with: mnist)
    }

    @Test func standardSplitSubsets() throws {
        let mnist = try bundledMNIST.get()
        let split = try mnist.standardSplit(trainSize: 1000, testSize: 300, seed: 7)
        #expect(split.train.count == 1000 && split.test.count == 300)
        #expect(split.train.sourceIndices == split.train.sourceIndices.sorted())
        #expect(Set(split.train.sourceIndices).count == 1000)
        #expect(split.train.sourceIndices.allSatisfy { (0..<60_000).contains($0) })
        #expect(split.test.sourceIndices == split.test.sourceIndices.sorted())
        #expect(Set(split.test.sourceIndices).count == 300)
        #expect(split.test.sourceIndices.allSatisfy { (60_000..<70_000).contains($0) })
        expectConsistent(split.train, with: mnist)
        expectConsistent(split.test, with: mnist)
        // The draw spreads over the file rather than taking a prefix.
        #expect((split.train.sourceIndices.last ?? 0) > 50_000)

        #expect(try mnist.standardSplit(trainSize: 1000, testSize: 300, seed: 7) == split)
        let other = try mnist.standardSplit(trainSize: 1000, testSize: 300, seed: 8)
        #expect(other.train.sourceIndices != split.train.sourceIndices)
        #expect(other.test.sourceIndices != split.test.sourceIndices)
        // Separate streams: the test size does not move the train draw, nor vice versa.
        let moreTest = try mnist.standardSplit(trainSize: 1000, testSize: nil, seed: 7)
        #expect(moreTest.train == split.train)
        #expect(moreTest.test.count == 10_000)
    }

    @Test func paperSplit() throws {
        let mnist = try bundledMNIST.get()
        let split = try mnist.paperSplit(trainSize: 600, testSize: 2000, seed: 3)
        #expect(split.train.count == 600 && split.test.count == 2000)
        let train = Set(split.train.sourceIndices)
        let test = Set(split.test.sourceIndices)
        #expect(train.count == 600 && test.count == 2000)
        #expect(train.isDisjoint(with: test))
        #expect((train.union(test)).allSatisfy { (0..<70_000).contains($0) })
        // Both files contribute (about 1/7 of a pooled draw comes from t10k).
        let fromTestFile = split.test.sourceIndices.filter { $0 >= 60_000 }.count
        #expect(fromTestFile > 200 && fromTestFile < 400)
        expectConsistent(split.train, with: mnist)
        expectConsistent(split.test, with: mnist)

        #expect(try mnist.paperSplit(trainSize: 600, testSize: 2000, seed: 3) == split)
        let other = try mnist.paperSplit(trainSize: 600, testSize: 2000, seed: 4)
        #expect(other.train.sourceIndices != split.train.sourceIndices)
        // The whole pool splits into two disjoint halves that cover it.
        let whole = try mnist.paperSplit(trainSize: 69_999, testSize: 1, seed: 3)
        #expect(Set(whole.train.sourceIndices + whole.test.sourceIndices).count == 70_000)
    }

    @Test(arguments: [
        (0, 10, "trainSize = 0", "1...60000"),
        (60_001, 10, "trainSize = 60001", "1...60000"),
        (10, 10_001, "testSize = 10001", "0...10000"),
        (10, -1, "testSize = -1", "0...10000"),
    ])
    func standardSplitRejectsSizes(train: Int, test: Int, parameter: String, range: String) throws {
        let mnist = try bundledMNIST.get()
        let error = try #require(throws: DatasetError.self) {
            try mnist.standardSplit(trainSize: train, testSize: test, seed: 0)
        }
        #expect(error.description.hasPrefix(parameter + " is out of range " + range))
    }

    @Test(arguments: [
        (0, 10, "trainSize = 0", "1...70000"),
        (70_001, 0, "trainSize = 70001", "1...70000"),
        (60_000, 10_001, "testSize = 10001", "0...10000"),
    ])
    func paperSplitRejectsSizes(train: Int, test: Int, parameter: String, range: String) throws {
        let mnist = try bundledMNIST.get()
        let error = try #require(throws: DatasetError.self) {
            try mnist.paperSplit(trainSize: train, testSize: test, seed: 0)
        }
        #expect(error.description.hasPrefix(parameter + " is out of range " + range))
    }
}
