import Datasets
import Foundation
import Testing

/// One malformed IDX file: its bytes, the error it must raise, and words its message must
/// contain.
struct MalformedIDXCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let expectedError: @Sendable (String) -> DatasetError
    let messageWords: [String]
    var testDescription: String { name }
}

@Suite struct IDXFileTests {
    static let validShape = [2, 3]
    static let validPayload: [UInt8] = [0, 1, 2, 250, 254, 255]

    static let malformed: [MalformedIDXCase] = [
        MalformedIDXCase(
            name: "wrong magic", bytes: [0x01, 0x00, 0x08, 0x01, 0, 0, 0, 1, 7],
            expectedError: { .wrongMagic(path: $0, firstBytes: [0x01, 0x00, 0x08, 0x01]) },
            messageWords: ["not an IDX file", "01 00 08 01"]),
        MalformedIDXCase(
            name: "text file", bytes: Array("hello world\n".utf8),
            expectedError: { .wrongMagic(path: $0, firstBytes: [0x68, 0x65, 0x6c, 0x6c]) },
            messageWords: ["not an IDX file", "68 65 6c 6c"]),
        MalformedIDXCase(
            name: "float32 elements", bytes: TestFiles.idx(type: 0x0D, shape: [1], payload: [0, 0, 0, 0]),
            expectedError: { .unsupportedElementType(path: $0, code: 0x0D) },
            messageWords: ["unsupported IDX element type", "0x0D", "float32"]),
        MalformedIDXCase(
            name: "header cut in the sizes", bytes: Array(TestFiles.idx(shape: [2, 3, 4], payload: []).prefix(9)),
            expectedError: { .truncatedHeader(path: $0, expectedBytes: 16, actualBytes: 9) },
            messageWords: ["truncated IDX header", "9 bytes", "16"]),
        MalformedIDXCase(
            name: "two-byte file", bytes: [0, 0],
            expectedError: { .truncatedHeader(path: $0, expectedBytes: 4, actualBytes: 2) },
            messageWords: ["truncated IDX header"]),
        MalformedIDXCase(
            name: "rank zero", bytes: [0, 0, 8, 0, 1, 2],
            expectedError: { .invalidDimensions(path: $0, reason: "rank 0 (no dimensions)") },
            messageWords: ["invalid IDX dimensions", "rank 0"]),
        MalformedIDXCase(
            name: "size overflow", bytes: TestFiles.idx(shape: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], payload: []),
            expectedError: {
                .invalidDimensions(
                    // (2³² − 1)² already exceeds Int.max, so the second size is the culprit.
                    path: $0, reason: "the sizes [4294967295, 4294967295] overflow the element count")
            },
            messageWords: ["invalid IDX dimensions", "overflow"]),
        MalformedIDXCase(
            name: "truncated payload", bytes: TestFiles.idx(shape: validShape, payload: Array(validPayload.dropLast())),
            expectedError: { .truncatedPayload(path: $0, shape: [2, 3], expectedBytes: 6, actualBytes: 5) },
            messageWords: ["truncated IDX payload", "2×3", "6 bytes", "found 5"]),
        MalformedIDXCase(
            name: "trailing garbage", bytes: TestFiles.idx(shape: validShape, payload: validPayload + [9, 9]),
            expectedError: { .extraBytes(path: $0, shape: [2, 3], expectedBytes: 6, actualBytes: 8) },
            messageWords: ["2 extra bytes", "2×3", "found 8"]),
    ]

    @Test func readsRawAndGzipFiles() throws {
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = TestFiles.idx(shape: Self.validShape, payload: Self.validPayload)
        // The names are deliberately misleading: detection must go by content.
        let rawPath = try TestFiles.write(bytes, to: directory, name: "raw.gz")
        let gzipPath = try TestFiles.write(try TestFiles.gzip(bytes), to: directory, name: "compressed.idx")
        for (path, compressed) in [(rawPath, false), (gzipPath, true)] {
            let file = try IDXFile.read(path: path)
            #expect(file.shape == Self.validShape)
            #expect(Array(file.payload) == Self.validPayload)
            #expect(file.contents == bytes)
            #expect(file.payloadOffset == 12)
            #expect(file.wasCompressed == compressed)
            #expect(file.path == path)
        }
    }

    @Test(arguments: malformed, [false, true])
    func malformedFileIsRejected(_ testCase: MalformedIDXCase, compressed: Bool) throws {
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = compressed ? try TestFiles.gzip(testCase.bytes) : testCase.bytes
        let path = try TestFiles.write(bytes, to: directory, name: compressed ? "bad.gz" : "bad")
        let error = try #require(throws: DatasetError.self) { try IDXFile.read(path: path) }
        #expect(error == testCase.expectedError(path))
        #expect(error.path == path)
        let message = error.description
        #expect(message.hasPrefix(path + ": "))
        #expect(message.contains("hint:"))
        #expect(!message.contains("\n"))
        for word in testCase.messageWords {
            #expect(message.contains(word), "\(message) lacks \(word)")
        }
    }

    @Test func missingFile() throws {
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nothing-here").path
        let error = try #require(throws: DatasetError.self) { try IDXFile.read(path: path) }
        #expect(error == .missingFile(path: path))
        #expect(error.description.hasPrefix(path + ": file not found"))
        #expect(error.description.contains("hint:"))
    }

    @Test func directoryIsUnreadable() throws {
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: DatasetError.self) { try IDXFile.read(path: directory.path) }
        #expect(error == .unreadableFile(path: directory.path, reason: "it is a directory"))
    }

    @Test func emptyShapeAndZeroSizeAreValid() throws {
        let file = try IDXFile(contents: TestFiles.idx(shape: [0, 28, 28], payload: []), path: "mem")
        #expect(file.shape == [0, 28, 28])
        #expect(file.payload.isEmpty)
    }
}
