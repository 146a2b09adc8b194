import Datasets
import Foundation
import Testing

@Suite struct RandomLabelTests {
    @Test func extrasComeFromTheUnusedPoolWithUniformLabels() throws {
        let mnist = try bundledMNIST.get()
        let split = try mnist.paperSplit(trainSize: 600, testSize: 2000, seed: 1)
        let extended = try mnist.withRandomLabelExtras(
            split.train, extraCount: 5000, excluding: [split.test], seed: 2)
        #expect(extended.count == 5600)
        #expect(Array(extended.sourceIndices.prefix(600)) == split.train.sourceIndices)
        #expect(Array(extended.labels.prefix(600)) == split.train.labels)
        #expect(Array(extended.inputs.prefix(600 * 784)) == split.train.inputs)

        let extraIndices = Array(extended.sourceIndices.dropFirst(600))
        let extraLabels = Array(extended.labels.dropFirst(600))
        #expect(Set(extraIndices).count == 5000)
        #expect(Set(extraIndices).isDisjoint(with: split.train.sourceIndices + split.test.sourceIndices))
        #expect(extraLabels.allSatisfy { (0..<10).contains($0) })
        // Uniform labels: ~500 per class (binomial std ≈ 21), and ~10 % agree with the digit.
        let histogram = (0..<10).map { c in extraLabels.filter { $0 == c }.count }
        #expect(histogram.allSatisfy { abs($0 - 500) < 110 })
        let agreeing = zip(extraIndices, extraLabels).filter { Int32(mnist.labels[$0]) == $1 }.count
        #expect(abs(agreeing - 500) < 110)
        // The extra rows are the images they name.
        let k = 600 + 1234
        #expect(extended.row(k).elementsEqual(mnist.image(pooledIndex: extended.sourceIndices[k]).map { Float($0) / 255 }))

        #expect(try mnist.withRandomLabelExtras(split.train, extraCount: 5000, excluding: [split.test], seed: 2) == extended)
        let other = try mnist.withRandomLabelExtras(split.train, extraCount: 5000, excluding: [split.test], seed: 3)
        #expect(other.sourceIndices != extended.sourceIndices)
    }

    /// On a 3 + 2 image synthetic set, two train images and one excluded leave two unused.
    @Test func tooManyExtrasIsAnError() throws {
        let directory = try SyntheticMNISTTests.writeSet()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mnist = try MNIST.load(directory: directory.path, verifyChecksums: false)
        let train = mnist.labeledSet(pooledIndices: [0, 1])
        let test = mnist.labeledSet(pooledIndices: [4])
        let error = try #require(throws: DatasetError.self) {
            try mnist.withRandomLabelExtras(train, extraCount: 3, excluding: [test], seed: 0)
        }
        #expect(error.description.hasPrefix("extraCount = 3 is out of range 0...2"))
        let all = try mnist.withRandomLabelExtras(train, extraCount: 2, excluding: [test], seed: 0)
        #expect(Set(all.sourceIndices.dropFirst(2)) == [2, 3])
    }
}
