import Datasets
import Foundation
import Testing

/// Helpers for tests that need files on disk: the package root, scratch directories, IDX
/// images of given bytes, and gzip via the system's `gzip`.
enum TestFiles {
    /// The folder holding Package.swift, found by walking up from this source file.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
            url = url.deletingLastPathComponent()
        }
        return url
    }()

    /// The bundled MNIST directory.
    static var mnistDirectory: String { packageRoot.appendingPathComponent("data/mnist").path }

    /// A fresh empty directory under the system's temporary directory.
    static func scratchDirectory(_ label: String = #function) throws -> URL {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("geodim-datasets-\(safe)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` to `directory/name` and returns the path.
    @discardableResult
    static func write(_ bytes: [UInt8], to directory: URL, name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// The bytes of an IDX file: magic `00 00 type rank`, big-endian sizes, then `payload`.
    static func idx(type: UInt8 = 0x08, shape: [Int], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for size in shape {
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: size >> $0) }
        }
        return bytes + payload
    }

    /// `bytes` compressed by the system's `gzip -n` (an implementation independent of ours).
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        try run("/bin/gzip", ["-n", "-c"], input: bytes)
    }

    /// The lowercase hex SHA-256 of `bytes` according to the system's `sha256sum`.
    static func systemSHA256(_ bytes: [UInt8]) throws -> String {
        let output = try run("/usr/bin/sha256sum", [], input: bytes)
        return String(decoding: output.prefix(64), as: UTF8.self)
    }

    /// Runs a program with `input` on stdin (through a file, so large inputs cannot deadlock)
    /// and returns its stdout.
    private static func run(_ program: String, _ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let directory = try scratchDirectory("run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputPath = try write(input, to: directory, name: "in")
        let outputURL = directory.appendingPathComponent("out")
        try #require(FileManager.default.createFile(atPath: outputURL.path, contents: nil))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(program) failed")
        return [UInt8](try Data(contentsOf: outputURL))
    }
}

/// The bundled MNIST, loaded once for all tests that read it.
let bundledMNIST: Result<MNIST, any Error> = Result {
    try MNIST.load(directory: TestFiles.mnistDirectory)
}
