import Datasets
import Foundation
import Testing
import TestSupport

/// Data sets other than MNIST in its four-file layout: Fashion-MNIST by its checksums, any IDX
/// images by a declared class count, and a known data set given where another was asked for,
/// told apart from a damaged file.
@Suite struct IDXDatasetTests {
    static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

    @Test("an idx data set of 8×8 images and 3 classes loads with its own feature and class counts")
    func genericDataSet() throws {
        let directory = try SyntheticMNISTTests.writeSet(
            trainImages: [4, 8, 8], trainLabels: [4], testImages: [2, 8, 8], testLabels: [2], labelModulo: 3)
        defer { try? FileManager.default.removeItem(at: directory) }
        let set = try MNIST.load(directory: directory.path, dataset: .generic(classCount: 3))
        #expect(set.featureCount == 64 && set.classCount == 3 && set.dataset == .generic(classCount: 3))
        #expect(set.trainCount == 4 && set.testCount == 2 && set.pixels.count == 6 * 64)
        #expect(set.labeledSet(pooledIndices: [5]).inputs.count == 64)
        // The same files as MNIST: 8×8 is not MNIST's shape.
        #expect(throws: DatasetError.wrongShape(
            path: directory.appendingPathComponent("train-images-idx3-ubyte").path, shape: [4, 8, 8], expected: "n×28×28 images")) {
            try MNIST.load(directory: directory.path, verifyChecksums: false)
        }
        // Two classes declared, label 2 present.
        let error = try #require(throws: DatasetError.self) { try MNIST.load(directory: directory.path, dataset: .generic(classCount: 2)) }
        guard case .labelOutOfRange(_, _, 2, 2) = error else {
            Issue.record("expected label 2 out of 0..<2, got \(error)")
            return
        }
    }

    @Test("train and test images of different shapes are named")
    func shapesMustAgree() throws {
        let directory = try SyntheticMNISTTests.writeSet(
            trainImages: [4, 8, 8], trainLabels: [4], testImages: [2, 8, 9], testLabels: [2], labelModulo: 3)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: DatasetError.self) { try MNIST.load(directory: directory.path, dataset: .generic(classCount: 3)) }
        #expect(error.description.contains("2×8×9") && error.description.contains("as in the train file"), "\(error)")
    }

    @Test("MNIST given as Fashion-MNIST is named as MNIST, not as a damaged file")
    func mnistIsRecognised() throws {
        let error = try #require(throws: DatasetError.self) {
            try MNIST.load(directory: packageRoot().path + "/data/mnist", dataset: .fashionMNIST)
        }
        #expect(error == .otherDataset(
            path: packageRoot().path + "/data/mnist/train-images-idx3-ubyte.gz", found: "MNIST", foundName: "mnist",
            expected: "Fashion-MNIST"))
        #expect(error.description.contains("set data.dataset: mnist"), "\(error)")
    }

    @Test("Fashion-MNIST (Debian's dataset-fashion-mnist) loads by its checksums: 60,000 + 10,000 images, 6,000 and 1,000 per class",
          .enabled(if: FileManager.default.fileExists(atPath: fashionDirectory + "/train-images-idx3-ubyte.gz")))
    func fashionMNIST() throws {
        let set = try MNIST.load(directory: Self.fashionDirectory, dataset: .fashionMNIST)
        #expect(set.trainCount == 60_000 && set.testCount == 10_000 && set.featureCount == 784 && set.classCount == 10)
        // Fashion-MNIST is balanced: a fact of the data set, independent of the checksums.
        var trainCounts = [Int](repeating: 0, count: 10), testCounts = [Int](repeating: 0, count: 10)
        for (i, label) in set.labels.enumerated() {
            if i < 60_000 { trainCounts[Int(label)] += 1 } else { testCounts[Int(label)] += 1 }
        }
        #expect(trainCounts == [Int](repeating: 6000, count: 10) && testCounts == [Int](repeating: 1000, count: 10))
        // Its checksums are the system's sha256sum of the inflated files.
        for file in MNIST.File.allCases {
            let raw = try gunzip(Self.fashionDirectory + "/" + file.rawValue + ".gz")
            #expect(set.sha256[file] == (try systemSHA256(raw)), "\(file)")
        }
        // As MNIST, it is named as Fashion-MNIST.
        let error = try #require(throws: DatasetError.self) { try MNIST.load(directory: Self.fashionDirectory) }
        #expect(error.description.contains("this is the Fashion-MNIST file, not the MNIST one")
            && error.description.contains("data.dataset: fashion_mnist"), "\(error)")
    }

    /// The inflated contents of `path`, by the system's gzip (not geodim's inflater).
    private func gunzip(_ path: String) throws -> [UInt8] {
        let out = NSTemporaryDirectory() + "/geodim-gunzip-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try runProgram("/bin/sh", ["-c", "gzip -dc \"$0\" > \"$1\"", path, out])
        #expect(result.status == 0, "\(result.stderr)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    private func systemSHA256(_ bytes: [UInt8]) throws -> String { try TestFiles.systemSHA256(bytes) }
}
