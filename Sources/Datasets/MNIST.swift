import Foundation

/// The MNIST handwritten digits, loaded from the four canonical IDX files and checked.
///
/// The 60,000 training and 10,000 test images are kept as raw bytes in one pooled array:
/// pooled index i < ``trainCount`` is image i of the train file, otherwise image
/// i − ``trainCount`` of the t10k file. Splits (``standardSplit(trainSize:testSize:seed:)``,
/// ``paperSplit(trainSize:testSize:seed:)``) turn pooled indices into a ``LabeledSet``.
public struct MNIST: Sendable {
    /// Image height and width in pixels.
    public static let imageSide = 28
    /// Pixels per image, the input dimension: 28 × 28 = 784.
    public static let featureCount = 784
    /// The number of classes (digits 0…9).
    public static let classCount = 10
    /// Images in the canonical train file.
    public static let canonicalTrainCount = 60_000
    /// Images in the canonical t10k (test) file.
    public static let canonicalTestCount = 10_000

    /// The four files of the data set, by their canonical (uncompressed) names.
    public enum File: String, CaseIterable, Sendable {
        case trainImages = "train-images-idx3-ubyte"
        case trainLabels = "train-labels-idx1-ubyte"
        case testImages = "t10k-images-idx3-ubyte"
        case testLabels = "t10k-labels-idx1-ubyte"

        /// The shape the file must have: n×28×28 images or n labels.
        var shapeRequirement: IDXFile.ShapeRequirement {
            switch self {
            case .trainImages, .testImages: return MNIST.imageShape
            case .trainLabels, .testLabels: return MNIST.labelShape
            }
        }
    }

    /// The shape each file must have.
    private static let imageShape = IDXFile.ShapeRequirement(
        trailing: [imageSide, imageSide], description: "n×\(imageSide)×\(imageSide) images")
    private static let labelShape = IDXFile.ShapeRequirement(trailing: [], description: "n labels (rank 1)")

    /// The directory the files were read from.
    public let directory: String
    /// The path actually read for each file (the `.gz` name when both exist).
    public let paths: [File: String]
    /// The SHA-256 of each file's uncompressed contents, as computed while loading (lowercase
    /// hex), for the run log.
    public let sha256: [File: String]
    /// Whether ``sha256`` was checked against ``canonicalSHA256``.
    public let checksumsVerified: Bool
    /// Images in the train file (60,000 for MNIST).
    public let trainCount: Int
    /// Images in the test file (10,000 for MNIST).
    public let testCount: Int
    /// All pixels, pooled index major: image i is `pixels[784·i ..< 784·(i+1)]`, rows of 28.
    public let pixels: [UInt8]
    /// The digit of each pooled image.
    public let labels: [UInt8]

    /// Train plus test images: 70,000 for MNIST.
    public var pooledImageCount: Int { trainCount + testCount }

    /// The pixels of one pooled image, row-major 28 × 28.
    public func image(pooledIndex i: Int) -> ArraySlice<UInt8> {
        pixels[Self.featureCount * i ..< Self.featureCount * (i + 1)]
    }

    /// Loads the four MNIST files from `directory`, preferring `<name>.gz` over `<name>` when
    /// both exist.
    ///
    /// Each file is validated as IDX (see ``IDXFile``); with `verifyChecksums` the SHA-256 of
    /// its uncompressed contents must equal ``canonicalSHA256``; images must be n × 28 × 28,
    /// labels n and in 0..<10, with matching n per set.
    ///
    /// - Throws: ``DatasetError`` naming the offending file.
    public static func load(directory: String, verifyChecksums: Bool = true) throws -> MNIST {
        var sums: [File: String] = [:]
        var paths: [File: String] = [:]
        func read(_ file: File) throws -> IDXFile {
            let path = try resolvePath(of: file, in: directory)
            let idx = try IDXFile.read(path: path, requiring: file.shapeRequirement)
            let sum = SHA256.hexDigest(of: idx.contents)
            if verifyChecksums, let expected = canonicalSHA256[file], sum != expected {
                throw DatasetError.checksumMismatch(path: path, expected: expected, actual: sum)
            }
            sums[file] = sum
            paths[file] = path
            return idx
        }
        let (trainImages, trainLabels) = try imagesAndLabels(read(.trainImages), read(.trainLabels))
        let (testImages, testLabels) = try imagesAndLabels(read(.testImages), read(.testLabels))
        var pixels: [UInt8] = []
        pixels.reserveCapacity(trainImages.count + testImages.count)
        pixels.append(contentsOf: trainImages)
        pixels.append(contentsOf: testImages)
        return MNIST(
            directory: directory, paths: paths, sha256: sums, checksumsVerified: verifyChecksums,
            trainCount: trainLabels.count, testCount: testLabels.count,
            pixels: pixels, labels: trainLabels + testLabels)
    }

    /// `<directory>/<name>.gz` if it exists, else `<directory>/<name>`.
    private static func resolvePath(of file: File, in directory: String) throws -> String {
        let base = URL(fileURLWithPath: directory).appendingPathComponent(file.rawValue).path
        for candidate in [base + ".gz", base] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw DatasetError.missingFile(path: base + "(.gz)")
    }

    /// Checks the shapes, counts and label range of one image/label pair.
    private static func imagesAndLabels(
        _ images: IDXFile, _ labels: IDXFile
    ) throws -> (ArraySlice<UInt8>, [UInt8]) {
        guard imageShape.accepts(images.shape) else {
            throw DatasetError.wrongShape(path: images.path, shape: images.shape, expected: imageShape.description)
        }
        guard labelShape.accepts(labels.shape) else {
            throw DatasetError.wrongShape(path: labels.path, shape: labels.shape, expected: labelShape.description)
        }
        guard images.shape[0] == labels.shape[0] else {
            throw DatasetError.countMismatch(
                imagesPath: images.path, imageCount: images.shape[0],
                labelsPath: labels.path, labelCount: labels.shape[0])
        }
        let labelValues = Array(labels.payload)
        if let bad = labelValues.firstIndex(where: { Int($0) >= classCount }) {
            throw DatasetError.labelOutOfRange(
                path: labels.path, index: bad, value: labelValues[bad], classCount: classCount)
        }
        return (images.payload, labelValues)
    }
}
