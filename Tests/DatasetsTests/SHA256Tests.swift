import Datasets
import Foundation
import Testing

@Suite struct SHA256Tests {
    /// The FIPS 180-2 appendix B examples (and the empty message).
    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func fipsVectors(message: String, digest: String) {
        #expect(SHA256.hexDigest(of: Array(message.utf8)) == digest)
    }

    @Test func oneMillionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hexDigest(of: message) == expected)
        // Fed in uneven pieces, the incremental hasher must agree.
        var hasher = SHA256()
        var start = 0
        var piece = 1
        while start < message.count {
            let end = min(start + piece, message.count)
            hasher.update(Array(message[start..<end]))
            start = end
            piece = piece * 3 % 997 + 1
        }
        #expect(SHA256.hex(hasher.finalize()) == expected)
    }

    /// Lengths around the padding boundaries (55/56/64 bytes), checked against `sha256sum`.
    @Test func agreesWithSystemSha256sum() throws {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_003] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(SHA256.hexDigest(of: bytes) == (try TestFiles.systemSHA256(bytes)), "length \(length)")
        }
    }

    /// The `.gz` files' sums against data/mnist/SHA256SUMS (written by another tool).
    @Test func bundledGzipFilesMatchSHA256SUMS() throws {
        let directory = URL(fileURLWithPath: TestFiles.mnistDirectory)
        let sums = try String(contentsOf: directory.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        let lines = sums.split(separator: "\n")
        #expect(lines.count == 4)
        for line in lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            try #require(fields.count == 2)
            let data = try Data(contentsOf: directory.appendingPathComponent(String(fields[1])))
            #expect(SHA256.hexDigest(of: [UInt8](data)) == String(fields[0]), "\(fields[1])")
        }
    }
}
