import Datasets
import Foundation
import Testing

@Suite struct MNISTTests {
    /// Label counts per digit from data/mnist/README.md.
    static let trainHistogram = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    static let testHistogram = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

    @Test func bundledCountsAndLabelHistograms() throws {
        let mnist = try bundledMNIST.get()
        #expect(mnist.trainCount == 60_000)
        #expect(mnist.testCount == 10_000)
        #expect(mnist.pooledImageCount == 70_000)
        #expect(mnist.pixels.count == 70_000 * 784)
        #expect(mnist.labels.count == 70_000)
        #expect(mnist.checksumsVerified)
        var train = [Int](repeating: 0, count: 10)
        var test = [Int](repeating: 0, count: 10)
        for (i, label) in mnist.labels.enumerated() {
            if i < 60_000 { train[Int(label)] += 1 } else { test[Int(label)] += 1 }
        }
        #expect(train == Self.trainHistogram)
        #expect(test == Self.testHistogram)
        #expect(mnist.paths[.trainImages]?.hasSuffix("train-images-idx3-ubyte.gz") == true)
    }

    /// The computed sums and the hard-coded canonical ones both equal those in the README.
    @Test func checksumsMatchREADME() throws {
        let mnist = try bundledMNIST.get()
        let readme = try String(
            contentsOfFile: TestFiles.mnistDirectory + "/README.md", encoding: .utf8)
        var listed: [String: String] = [:]
        for line in readme.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count == 2, fields[0].count == 64, fields[0].allSatisfy(\.isHexDigit) {
                listed[String(fields[1])] = String(fields[0])
            }
        }
        #expect(listed.count == 4)
        for file in MNIST.File.allCases {
            let expected = try #require(listed[file.rawValue])
            #expect(MNIST.canonicalSHA256[file] == expected)
            #expect(mnist.sha256[file] == expected)
        }
    }

    /// The uncompressed sizes in the README, and the first image's pixel layout.
    @Test func uncompressedSizesAndLayout() throws {
        let sizes: [(MNIST.File, Int)] = [
            (.trainImages, 47_040_016), (.trainLabels, 60_008),
            (.testImages, 7_840_016), (.testLabels, 10_008),
        ]
        for (file, size) in sizes {
            let idx = try IDXFile.read(path: TestFiles.mnistDirectory + "/\(file.rawValue).gz")
            #expect(idx.contents.count == size)
        }
        let mnist = try bundledMNIST.get()
        let testImages = try IDXFile.read(path: TestFiles.mnistDirectory + "/t10k-images-idx3-ubyte.gz")
        #expect(testImages.shape == [10_000, 28, 28])
        // Pooled index 60000 + k is test image k.
        #expect(Array(mnist.image(pooledIndex: 60_123)) == Array(testImages.payload.dropFirst(123 * 784).prefix(784)))
    }

    @Test func loadTime() throws {
        let clock = ContinuousClock()
        let elapsed = try clock.measure { _ = try MNIST.load(directory: TestFiles.mnistDirectory) }
        print("MNIST.load with checksums: \(elapsed)")
        #expect(elapsed < .seconds(10))  // loose: the target is < 2 s in release on an idle machine
    }

    /// A copy of MNIST whose train labels have one flipped byte (stored raw, so that no gzip
    /// CRC catches it first).
    @Test func flippedByteGivesChecksumError() throws {
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in [MNIST.File.trainImages, .testImages, .testLabels] {
            try FileManager.default.copyItem(
                atPath: TestFiles.mnistDirectory + "/\(file.rawValue).gz",
                toPath: directory.appendingPathComponent(file.rawValue + ".gz").path)
        }
        var labels = try IDXFile.read(path: TestFiles.mnistDirectory + "/train-labels-idx1-ubyte.gz").contents
        labels[8 + 1234] ^= 1  // a label 0…9 stays in 0…9
        let path = try TestFiles.write(labels, to: directory, name: "train-labels-idx1-ubyte")

        let error = try #require(throws: DatasetError.self) {
            try MNIST.load(directory: directory.path)
        }
        let expected = try #require(MNIST.canonicalSHA256[.trainLabels])
        #expect(error == .checksumMismatch(path: path, expected: expected, actual: SHA256.hexDigest(of: labels)))
        #expect(error.description.hasPrefix(path + ": SHA-256 mismatch"))
        #expect(error.description.contains(expected))
        #expect(error.description.contains("re-copy"))

        // Without verification the altered copy loads, and the altered label shows.
        let altered = try MNIST.load(directory: directory.path, verifyChecksums: false)
        let original = try bundledMNIST.get()
        #expect(altered.labels[1234] == original.labels[1234] ^ 1)
        #expect(altered.sha256[.trainLabels] == SHA256.hexDigest(of: labels))
        #expect(!altered.checksumsVerified)
    }

    @Test func prefersGzipOverRaw() throws {
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in MNIST.File.allCases {
            try FileManager.default.copyItem(
                atPath: TestFiles.mnistDirectory + "/\(file.rawValue).gz",
                toPath: directory.appendingPathComponent(file.rawValue + ".gz").path)
        }
        try TestFiles.write(Array("not an IDX file".utf8), to: directory, name: "t10k-labels-idx1-ubyte")
        let mnist = try MNIST.load(directory: directory.path)
        #expect(mnist.paths[.testLabels] == directory.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path)
    }

    @Test func missingDirectoryNamesTheFirstFile() throws {
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: DatasetError.self) { try MNIST.load(directory: directory.path) }
        let path = directory.appendingPathComponent("train-images-idx3-ubyte").path + "(.gz)"
        #expect(error == .missingFile(path: path))
        #expect(error.description.contains("train-images-idx3-ubyte"))
    }
}

/// MNIST-format files in a scratch directory, small enough to build by hand.
@Suite struct SyntheticMNISTTests {
    /// Writes four small IDX files (raw) and returns the directory. Image k of a set has
    /// every pixel equal to `base + k` (train base 0, test base 100); label k is k % labelModulo.
    static func writeSet(
        trainImages: [Int] = [3, 28, 28], trainLabels: [Int] = [3],
        testImages: [Int] = [2, 28, 28], testLabels: [Int] = [2], badLabel: UInt8? = nil, labelModulo: Int = 10
    ) throws -> URL {
        let directory = try TestFiles.scratchDirectory("synthetic")
        func images(_ shape: [Int], base: Int) -> [UInt8] {
            let per = shape.dropFirst().reduce(1, *)
            return TestFiles.idx(
                shape: shape, payload: (0..<shape[0]).flatMap { k in [UInt8](repeating: UInt8(base + k), count: per) })
        }
        func labels(_ shape: [Int]) -> [UInt8] {
            var values = (0..<shape.reduce(1, *)).map { UInt8($0 % labelModulo) }
            if let badLabel, !values.isEmpty { values[values.count - 1] = badLabel }
            return TestFiles.idx(shape: shape, payload: values)
        }
        try TestFiles.write(images(trainImages, base: 0), to: directory, name: "train-images-idx3-ubyte")
        try TestFiles.write(labels(trainLabels), to: directory, name: "train-labels-idx1-ubyte")
        try TestFiles.write(images(testImages, base: 100), to: directory, name: "t10k-images-idx3-ubyte")
        try TestFiles.write(labels(testLabels), to: directory, name: "t10k-labels-idx1-ubyte")
        return directory
    }

    @Test func pooledIndexing() throws {
        let directory = try Self.writeSet()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mnist = try MNIST.load(directory: directory.path, verifyChecksums: false)
        #expect(mnist.trainCount == 3 && mnist.testCount == 2 && mnist.pooledImageCount == 5)
        #expect(mnist.labels == [0, 1, 2, 0, 1])
        for (i, value) in [0, 1, 2, 100, 101].enumerated() {
            #expect(mnist.image(pooledIndex: i).allSatisfy { Int($0) == value })
        }
        let set = mnist.labeledSet(pooledIndices: [4, 0])
        #expect(set.inputs[0] == Float(101.0 / 255.0) && set.inputs[784] == 0)
        #expect(set.labels == [1, 0] && set.sourceIndices == [4, 0])
    }

    @Test func checksumsAreVerifiedByDefault() throws {
        let directory = try Self.writeSet()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: DatasetError.self) { try MNIST.load(directory: directory.path) }
        guard case .checksumMismatch(let path, let expected, _) = error else {
            Issue.record("expected a checksum mismatch, got \(error)")
            return
        }
        #expect(path.hasSuffix("/train-images-idx3-ubyte"))
        #expect(expected == MNIST.canonicalSHA256[.trainImages])
    }

    @Test func countMismatch() throws {
        let directory = try Self.writeSet(testLabels: [3])
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: DatasetError.self) {
            try MNIST.load(directory: directory.path, verifyChecksums: false)
        }
        let images = directory.appendingPathComponent("t10k-images-idx3-ubyte").path
        let labels = directory.appendingPathComponent("t10k-labels-idx1-ubyte").path
        #expect(error == .countMismatch(imagesPath: images, imageCount: 2, labelsPath: labels, labelCount: 3))
        #expect(error.description.hasPrefix(images + ": holds 2 images but " + labels + " holds 3 labels"))
    }

    @Test(arguments: [[3, 28, 27], [3, 784], [3, 28, 28, 1]])
    func wrongImageShape(shape: [Int]) throws {
        let directory = try Self.writeSet(trainImages: shape)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: DatasetError.self) {
            try MNIST.load(directory: directory.path, verifyChecksums: false)
        }
        let path = directory.appendingPathComponent("train-images-idx3-ubyte").path
        #expect(error == .wrongShape(path: path, shape: shape, expected: "n×28×28 images"))
        #expect(error.description.hasPrefix(path + ": wrong array shape"))
        #expect(error.description.contains("n×28×28"))
    }

    @Test func labelsMustBeRankOne() throws {
        let directory = try Self.writeSet(trainLabels: [3, 1])
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: DatasetError.self) {
            try MNIST.load(directory: directory.path, verifyChecksums: false)
        }
        #expect(error.path == directory.appendingPathComponent("train-labels-idx1-ubyte").path)
    }

    @Test func labelOutOfRange() throws {
        let directory = try Self.writeSet(badLabel: 10)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: DatasetError.self) {
            try MNIST.load(directory: directory.path, verifyChecksums: false)
        }
        let path = directory.appendingPathComponent("train-labels-idx1-ubyte").path
        #expect(error == .labelOutOfRange(path: path, index: 2, value: 10, classCount: 10))
        #expect(error.description.hasPrefix(path + ": label 10 at index 2"))
    }
}
