/// Everything that can go wrong while reading, checking or splitting a data set.
///
/// Each case carries the path of the file concerned (or the parameter at fault), and
/// ``description`` renders one line: the file, the problem, and a hint for the fix.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file exists at the path (for MNIST, neither the `.gz` nor the raw name).
    case missingFile(path: String)
    /// The file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// The file starts with the gzip magic but does not inflate cleanly (bad data, bad
    /// CRC-32 or length check, truncated stream, or trailing garbage).
    case corruptGzip(path: String, reason: String)
    /// The (uncompressed) contents do not start with the IDX magic `00 00 <type> <rank>`.
    case wrongMagic(path: String, firstBytes: [UInt8])
    /// The IDX element type code is not 0x08 (unsigned byte), the only type supported.
    case unsupportedElementType(path: String, code: UInt8)
    /// The contents end before the IDX header (magic plus one 32-bit size per dimension).
    case truncatedHeader(path: String, expectedBytes: Int, actualBytes: Int)
    /// The header's dimension count or sizes are unusable (rank 0, or a size product that
    /// overflows).
    case invalidDimensions(path: String, reason: String)
    /// Fewer payload bytes than the header's shape requires.
    case truncatedPayload(path: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// More payload bytes than the header's shape requires.
    case extraBytes(path: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// The array has the wrong shape for its role (images must be n×28×28, labels n).
    case wrongShape(path: String, shape: [Int], expected: String)
    /// An image file and its label file disagree on the number of samples.
    case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
    /// A label is not a class index in 0..<classCount.
    case labelOutOfRange(path: String, index: Int, value: UInt8, classCount: Int)
    /// The SHA-256 of the uncompressed contents differs from the canonical one.
    case checksumMismatch(path: String, expected: String, actual: String)
    /// The file is intact but belongs to another known data set (its checksum is that data
    /// set's): `found` and `expected` name the data sets, `foundName` is the config's name.
    case otherDataset(path: String, found: String, foundName: String, expected: String)
    /// A requested size (train size, test size, extras, …) is outside what the data allow.
    case sizeOutOfRange(parameter: String, value: Int, limit: ClosedRange<Int>, reason: String)

    /// The file the error concerns, if any.
    public var path: String? {
        switch self {
        case .missingFile(let path), .unreadableFile(let path, _), .corruptGzip(let path, _),
            .wrongMagic(let path, _), .unsupportedElementType(let path, _),
            .truncatedHeader(let path, _, _), .invalidDimensions(let path, _),
            .truncatedPayload(let path, _, _, _), .extraBytes(let path, _, _, _),
            .wrongShape(let path, _, _), .labelOutOfRange(let path, _, _, _),
            .checksumMismatch(let path, _, _), .otherDataset(let path, _, _, _):
            return path
        case .countMismatch(let imagesPath, _, _, _):
            return imagesPath
        case .sizeOutOfRange:
            return nil
        }
    }

    /// One line: `<file>: <problem> (hint: <fix>)`.
    public var description: String {
        let recopy = "re-copy it from the canonical source (data/mnist/ in the geodim repository)"
        switch self {
        case .missingFile(let path):
            return "\(path): file not found (hint: check the data directory; the four MNIST "
                + "files ship in data/mnist/ of the geodim repository)"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read file: \(reason) (hint: check its permissions)"
        case .corruptGzip(let path, let reason):
            return "\(path): corrupt gzip data: \(reason) (hint: the compressed file is "
                + "damaged; \(recopy), or test it with `gzip -t`)"
        case .wrongMagic(let path, let firstBytes):
            return "\(path): not an IDX file: starts with \(Self.hex(firstBytes)), expected "
                + "00 00 <type> <rank> (hint: is this the right file? IDX files start with two zero bytes)"
        case .unsupportedElementType(let path, let code):
            return "\(path): unsupported IDX element type \(Self.typeName(code)); only 0x08 "
                + "(unsigned byte) is supported (hint: MNIST images and labels are unsigned "
                + "bytes, so this is not an MNIST file)"
        case .truncatedHeader(let path, let expected, let actual):
            return "\(path): truncated IDX header: \(actual) bytes, the header needs \(expected) "
                + "(hint: the file is incomplete; \(recopy))"
        case .invalidDimensions(let path, let reason):
            return "\(path): invalid IDX dimensions: \(reason) (hint: the header is damaged; \(recopy))"
        case .truncatedPayload(let path, let shape, let expected, let actual):
            return "\(path): truncated IDX payload: shape \(Self.shapeText(shape)) needs "
                + "\(expected) bytes of data, found \(actual) (hint: the file is incomplete; \(recopy))"
        case .extraBytes(let path, let shape, let expected, let actual):
            return "\(path): \(actual - expected) extra bytes after the IDX payload: shape "
                + "\(Self.shapeText(shape)) needs \(expected) bytes of data, found \(actual) "
                + "(hint: the file has trailing garbage; \(recopy))"
        case .wrongShape(let path, let shape, let expected):
            return "\(path): wrong array shape \(Self.shapeText(shape)), expected \(expected) "
                + "(hint: images and labels may be swapped, or this is not MNIST)"
        case .countMismatch(let imagesPath, let imageCount, let labelsPath, let labelCount):
            return "\(imagesPath): holds \(imageCount) images but \(labelsPath) holds "
                + "\(labelCount) labels (hint: the two files must come from the same set, "
                + "train-* with train-*, t10k-* with t10k-*)"
        case .labelOutOfRange(let path, let index, let value, let classCount):
            return "\(path): label \(value) at index \(index) is not in 0..<\(classCount) "
                + "(hint: the file is damaged or not a label file; \(recopy))"
        case .checksumMismatch(let path, let expected, let actual):
            return "\(path): SHA-256 mismatch of the uncompressed contents: expected \(expected), "
                + "got \(actual) (hint: the file matches no known data set's: it is damaged, \(recopy); "
                + "for another data set in this layout set data.dataset: idx and data.classes)"
        case .otherDataset(let path, let found, let foundName, let expected):
            return "\(path): this is the \(found) file, not the \(expected) one; the file is intact "
                + "(hint: set data.dataset: \(foundName), or point data.directory at the \(expected) files)"
        case .sizeOutOfRange(let parameter, let value, let limit, let reason):
            return "\(parameter) = \(value) is out of range \(limit.lowerBound)...\(limit.upperBound): "
                + "\(reason) (hint: choose a value within the range)"
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "nothing (empty file)" }
        return bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }

    private static func typeName(_ code: UInt8) -> String {
        let digits = String(code, radix: 16, uppercase: true)
        let hexCode = "0x" + (digits.count == 1 ? "0" + digits : digits)
        let names: [UInt8: String] = [
            0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16", 0x0C: "int32",
            0x0D: "float32", 0x0E: "float64",
        ]
        return "\(hexCode) (\(names[code] ?? "not an IDX type"))"
    }

    private static func shapeText(_ shape: [Int]) -> String {
        shape.map(String.init).joined(separator: "×")
    }
}
