import Foundation

/// The MNIST handwritten digits, loaded from the four canonical IDX files and checked, or any
/// data set in MNIST's four-file IDX layout (``IDXDataset``: Fashion-MNIST, or any images with
/// a declared class count).
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

        /// Whether the file holds images (else labels).
        var holdsImages: Bool { self == .trainImages || self == .testImages }

        /// The shape the file must have in `dataset`: n × (its image shape) images, or n labels;
        /// nil for the images of a generic data set (any shape, checked against each other).
        func shapeRequirement(in dataset: IDXDataset) -> IDXFile.ShapeRequirement? {
            guard holdsImages else { return MNIST.labelShape }
            guard let shape = dataset.imageShape else { return nil }
            return IDXFile.ShapeRequirement(
                trailing: shape, description: "n×" + shape.map(String.init).joined(separator: "×") + " images")
        }
    }

    /// The shape a label file must have.
    private static let labelShape = IDXFile.ShapeRequirement(trailing: [], description: "n labels (rank 1)")

    /// Which data set the files hold.
    public let dataset: IDXDataset
    /// Pixels per image, the input dimension (784 for MNIST and Fashion-MNIST).
    public let featureCount: Int
    /// Labels lie in 0..<classCount (10 for MNIST).
    public let classCount: Int

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
    /// All pixels, pooled index major: image i is `pixels[f·i ..< f·(i+1)]`, f = ``featureCount``
    /// (784 for MNIST, rows of 28).
    public let pixels: [UInt8]
    /// The digit of each pooled image.
    public let labels: [UInt8]

    /// Train plus test images: 70,000 for MNIST.
    public var pooledImageCount: Int { trainCount + testCount }

    /// The pixels of one pooled image, row-major (28 × 28 for MNIST).
    public func image(pooledIndex i: Int) -> ArraySlice<UInt8> {
        pixels[featureCount * i ..< featureCount * (i + 1)]
    }

    /// Loads the four MNIST files from `directory`, preferring `<name>.gz` over `<name>` when
    /// both exist.
    ///
    /// Each file is validated as IDX (see ``IDXFile``); with `verifyChecksums` the SHA-256 of
    /// its uncompressed contents must equal the data set's canonical one (a generic data set
    /// has none); images must be n × 28 × 28 for the known sets, of one shape across both
    /// files for a generic one; labels n and in 0..<classCount, with matching n per set.
    ///
    /// A checksum that belongs to another known data set's file is reported as that data set
    /// ("the Fashion-MNIST file, not MNIST's"), not as a damaged file.
    ///
    /// - Throws: ``DatasetError`` naming the offending file.
    public static func load(directory: String, dataset: IDXDataset = .mnist, verifyChecksums: Bool = true) throws -> MNIST {
        var sums: [File: String] = [:]
        var paths: [File: String] = [:]
        func read(_ file: File) throws -> IDXFile {
            let path = try resolvePath(of: file, in: directory)
            let idx = try IDXFile.read(path: path, requiring: file.shapeRequirement(in: dataset))
            let sum = SHA256.hexDigest(of: idx.contents)
            if verifyChecksums, let expected = dataset.canonicalSHA256?[file], sum != expected {
                if let other = IDXDataset.identify(file, sha256: sum) {
                    throw DatasetError.otherDataset(path: path, found: other.description, foundName: other.name, expected: dataset.description)
                }
                throw DatasetError.checksumMismatch(path: path, expected: expected, actual: sum)
            }
            sums[file] = sum
            paths[file] = path
            return idx
        }
        let (trainImages, trainLabels, imageShape) = try imagesAndLabels(
            read(.trainImages), read(.trainLabels), classCount: dataset.classCount)
        let (testImages, testLabels, testShape) = try imagesAndLabels(
            read(.testImages), read(.testLabels), classCount: dataset.classCount)
        guard testShape == imageShape else {
            throw DatasetError.wrongShape(
                path: paths[.testImages] ?? directory, shape: [testLabels.count] + testShape,
                expected: "n×" + imageShape.map(String.init).joined(separator: "×") + " images, as in the train file")
        }
        var pixels: [UInt8] = []
        pixels.reserveCapacity(trainImages.count + testImages.count)
        pixels.append(contentsOf: trainImages)
        pixels.append(contentsOf: testImages)
        return MNIST(
            dataset: dataset, featureCount: imageShape.reduce(1, *), classCount: dataset.classCount,
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

    /// Checks the shapes, counts and label range of one image/label pair; returns the pixels,
    /// the labels and the shape of one image.
    private static func imagesAndLabels(
        _ images: IDXFile, _ labels: IDXFile, classCount: Int
    ) throws -> (ArraySlice<UInt8>, [UInt8], [Int]) {
        guard images.shape.count >= 2, images.shape.dropFirst().allSatisfy({ $0 > 0 }) else {
            throw DatasetError.wrongShape(path: images.path, shape: images.shape, expected: "n images of at least one pixel (rank ≥ 2)")
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
        return (images.payload, labelValues, Array(images.shape.dropFirst()))
    }
}
