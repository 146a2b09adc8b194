import Foundation

/// An IDX array file (the format of the MNIST files), read whole and validated.
///
/// Layout: two zero bytes, an element type code (only 0x08, unsigned byte, is supported),
/// the rank r, then r big-endian 32-bit sizes, then the payload in row-major order. The
/// file may be gzip-compressed; compression is detected by its magic `1f 8b`, not by name.
public struct IDXFile: Sendable {
    /// The IDX type code of unsigned bytes, the only element type supported.
    public static let unsignedByteTypeCode: UInt8 = 0x08
    /// The most dimensions accepted: data sets in IDX use 1 (labels) to 4 (colour images); a
    /// larger rank byte is a damaged header.
    public static let maximumRank = 8

    /// What a file's shape must be for its role, checked as soon as the header is read (before
    /// the payload's length): the sizes after the first (the sample count).
    public struct ShapeRequirement: Sendable, Equatable {
        /// The sizes of every dimension but the first, e.g. [28, 28] for MNIST images, [] for labels.
        public var trailing: [Int]
        /// The shape as messages name it, e.g. "n×28×28 images".
        public var description: String

        public init(trailing: [Int], description: String) {
            self.trailing = trailing
            self.description = description
        }

        /// Whether `shape` is a sample count followed by ``trailing``.
        public func accepts(_ shape: [Int]) -> Bool {
            shape.count == trailing.count + 1 && Array(shape.dropFirst()) == trailing
        }
    }

    /// The path the file was read from.
    public let path: String
    /// Whether the file on disk was gzip-compressed.
    public let wasCompressed: Bool
    /// The array's shape, outermost dimension first (MNIST images: [n, 28, 28]).
    public let shape: [Int]
    /// The whole uncompressed contents, header included (what checksums are taken of).
    public let contents: [UInt8]
    /// Where the payload starts in ``contents``: 4 + 4·rank.
    public let payloadOffset: Int

    /// The elements in row-major order.
    public var payload: ArraySlice<UInt8> { contents[payloadOffset...] }

    /// Reads and validates the IDX file at `path`, inflating it first if it is gzip data.
    ///
    /// - Parameter requirement: the shape the file's role needs; a header with another shape is
    ///   a ``DatasetError/wrongShape(path:shape:expected:)`` error, whatever the payload.
    /// - Throws: ``DatasetError`` naming the file: missing, unreadable, corrupt gzip, wrong
    ///   magic, unsupported element type, truncated header, invalid dimensions, wrong shape,
    ///   truncated payload or extra bytes.
    public static func read(path: String, requiring requirement: ShapeRequirement? = nil) throws -> IDXFile {
        let raw = try readBytes(path: path)
        if Gzip.isCompressed(raw) {
            return try IDXFile(
                contents: Gzip.decompress(raw, path: path), path: path, wasCompressed: true, requiring: requirement)
        }
        return try IDXFile(contents: raw, path: path, wasCompressed: false, requiring: requirement)
    }

    /// Parses uncompressed IDX contents; `path` only names the source in errors.
    public init(
        contents: [UInt8], path: String, wasCompressed: Bool = false, requiring requirement: ShapeRequirement? = nil
    ) throws {
        guard contents.count >= 4 else {
            if contents.count >= 2 && (contents[0] != 0 || contents[1] != 0) {
                throw DatasetError.wrongMagic(path: path, firstBytes: contents)
            }
            throw DatasetError.truncatedHeader(path: path, expectedBytes: 4, actualBytes: contents.count)
        }
        guard contents[0] == 0, contents[1] == 0 else {
            throw DatasetError.wrongMagic(path: path, firstBytes: Array(contents.prefix(4)))
        }
        guard contents[2] == Self.unsignedByteTypeCode else {
            throw DatasetError.unsupportedElementType(path: path, code: contents[2])
        }
        let rank = Int(contents[3])
        guard rank > 0 else {
            throw DatasetError.invalidDimensions(path: path, reason: "rank 0 (no dimensions)")
        }
        guard rank <= Self.maximumRank else {
            throw DatasetError.invalidDimensions(
                path: path, reason: "rank \(rank), more than the \(Self.maximumRank) dimensions an IDX data set has")
        }
        let headerLength = 4 + 4 * rank
        guard contents.count >= headerLength else {
            throw DatasetError.truncatedHeader(
                path: path, expectedBytes: headerLength, actualBytes: contents.count)
        }
        var shape: [Int] = []
        var elementCount = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let size = Int(contents[o]) << 24 | Int(contents[o + 1]) << 16
                | Int(contents[o + 2]) << 8 | Int(contents[o + 3])
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw DatasetError.invalidDimensions(
                    path: path, reason: "the sizes \(shape + [size]) overflow the element count")
            }
            shape.append(size)
            elementCount = product
        }
        if let requirement, !requirement.accepts(shape) {
            throw DatasetError.wrongShape(path: path, shape: shape, expected: requirement.description)
        }
        let payloadLength = contents.count - headerLength
        if payloadLength < elementCount {
            throw DatasetError.truncatedPayload(
                path: path, shape: shape, expectedBytes: elementCount, actualBytes: payloadLength)
        }
        if payloadLength > elementCount {
            throw DatasetError.extraBytes(
                path: path, shape: shape, expectedBytes: elementCount, actualBytes: payloadLength)
        }
        self.path = path
        self.wasCompressed = wasCompressed
        self.shape = shape
        self.contents = contents
        self.payloadOffset = headerLength
    }

    /// The file's bytes as stored on disk.
    private static func readBytes(path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.missingFile(path: path)
        }
        guard !isDirectory.boolValue else {
            throw DatasetError.unreadableFile(path: path, reason: "it is a directory")
        }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DatasetError.unreadableFile(path: path, reason: error.localizedDescription)
        }
    }
}
