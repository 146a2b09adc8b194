import Datasets
import Foundation
import Testing

@Suite struct GzipTests {
    static let sample: [UInt8] = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }

    /// Inflating must undo the system's gzip exactly.
    @Test func roundTripsSystemGzip() throws {
        let compressed = try TestFiles.gzip(Self.sample)
        #expect(Gzip.isCompressed(compressed))
        #expect(!Gzip.isCompressed(Self.sample))
        #expect(try Gzip.decompress(compressed, path: "mem") == Self.sample)
    }

    /// Concatenated members inflate to the concatenation; the small last member's ISIZE
    /// under-reports the total, so the output buffer has to grow.
    @Test func concatenatedMembers() throws {
        var generator = SystemRandomNumberGenerator()
        let first = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let second: [UInt8] = Array("tail".utf8)
        let joined = try TestFiles.gzip(first) + TestFiles.gzip(second)
        #expect(try Gzip.decompress(joined, path: "mem") == first + second)
    }

    @Test func emptyContent() throws {
        #expect(try Gzip.decompress(TestFiles.gzip([]), path: "mem") == [])
    }

    /// Damaged gzip files, each raising ``DatasetError/corruptGzip`` that names the file and
    /// the problem, also when read as an IDX file.
    @Test(arguments: [
        "crc", "length", "truncated", "trailing", "deflate",
    ])
    func corruptFileIsRejected(damage: String) throws {
        var bytes = try TestFiles.gzip(TestFiles.idx(shape: [5000], payload: Self.sample))
        let expectedWords: [String]
        switch damage {
        case "crc":
            bytes[bytes.count - 8] ^= 0xFF  // first byte of the CRC-32 trailer
            expectedWords = ["incorrect data check", "CRC-32"]
        case "length":
            bytes[bytes.count - 4] ^= 0x01  // first byte of ISIZE
            expectedWords = ["incorrect length check"]
        case "truncated":
            bytes.removeLast(bytes.count / 2)
            expectedWords = ["end early", "truncated"]
        case "trailing":
            bytes += Array("junk".utf8)
            expectedWords = ["4 bytes of trailing data"]
        default:
            // Block type 3 is reserved: set both BTYPE bits of the first deflate block.
            bytes[10] |= 0b110
            expectedWords = ["inflate failed"]
        }
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try TestFiles.write(bytes, to: directory, name: "damaged.gz")
        let error = try #require(throws: DatasetError.self) { try IDXFile.read(path: path) }
        guard case .corruptGzip(let errorPath, _) = error else {
            Issue.record("expected corruptGzip, got \(error)")
            return
        }
        #expect(errorPath == path)
        let message = error.description
        #expect(message.hasPrefix(path + ": corrupt gzip data: "))
        #expect(message.contains("hint:"))
        for word in expectedWords {
            #expect(message.contains(word), "\(message) lacks \(word)")
        }
    }
}
