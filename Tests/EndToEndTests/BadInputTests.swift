import Foundation
import Testing
import TestSupport

/// Bad input exits non-zero with one clear line naming the problem, and leaves no run
/// directory or log behind.
@Suite("geodim rejects bad input cleanly")
struct BadInputTests {
    private let validConfig = smallValidConfig(name: "bad")

    /// Runs `geodim train` with `config` (and a data directory) and checks the common
    /// contract: the given exit status, exactly one stderr line containing every fragment,
    /// and nothing written under the runs directory.
    private func expectRejection(
        config: String, dataDirectory: String? = nil, overrides: [String] = [], status: Int32,
        mentions fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let scratch = try makeTemporaryDirectory("bad")
        let configPath = scratch + "/config.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let runs = scratch + "/runs"
        let data = dataDirectory ?? packageRoot().path + "/data/mnist"
        let result = try runProgram(
            try geodimExecutable(),
            ["train", configPath, "logging.runs_directory=\(runs)", "data.directory=\(data)"] + overrides)
        #expect(result.status == status, "exit status \(result.status), stderr: \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line on stderr, got:\n\(result.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "stderr lacks \"\(fragment)\": \(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: runs), "a runs directory was created", sourceLocation: sourceLocation)
        try? FileManager.default.removeItem(atPath: scratch)
    }

    @Test func misspeltKeyIsNamedWithASuggestion() throws {
        let config = validConfig.replacingOccurrences(of: "  lr: 0.1", with: "  lr: 0.1\n  momentun: 0.9")
        try expectRejection(config: config, status: 64, mentions: ["optimizer.momentun", "optimizer.momentum", "config.yaml"])
    }

    @Test func negativeLearningRateIsNamed() throws {
        try expectRejection(config: validConfig, overrides: ["optimizer.lr=-0.1"], status: 64, mentions: ["optimizer.lr", "-0.1"])
    }

    @Test func zeroWidthAndZeroBatchAreNamed() throws {
        try expectRejection(config: validConfig, overrides: ["model.hidden=[8, 0]"], status: 64, mentions: ["model.hidden"])
        try expectRejection(config: validConfig, overrides: ["training.batch_size=0"], status: 64, mentions: ["training.batch_size"])
    }

    @Test func missingConfigFileIsNamed() throws {
        let result = try runProgram(try geodimExecutable(), ["train", "/nonexistent/geodim.yaml"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/geodim.yaml"))
    }

    /// A copy of the bundled MNIST with one file damaged by `damage`.
    private func damagedMNIST(_ file: String, _ damage: (inout [UInt8]) -> Void) throws -> String {
        let directory = try makeTemporaryDirectory("mnist")
        let source = packageRoot().path + "/data/mnist"
        for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.hasSuffix(".gz") {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: directory + "/" + name)
        }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file)))
        damage(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + file))
        return directory
    }

    @Test func corruptedGzipIsNamed() throws {
        let data = try damagedMNIST("t10k-labels-idx1-ubyte.gz") { bytes in bytes[bytes.count / 2] ^= 0xFF }
        try expectRejection(config: validConfig, dataDirectory: data, status: 1, mentions: ["t10k-labels-idx1-ubyte.gz"])
    }

    @Test func truncatedImageFileIsNamed() throws {
        let data = try damagedMNIST("train-images-idx3-ubyte.gz") { bytes in bytes.removeLast(bytes.count / 3) }
        try expectRejection(config: validConfig, dataDirectory: data, status: 1, mentions: ["train-images-idx3-ubyte.gz"])
    }

    @Test func missingDataFileIsNamed() throws {
        let data = try damagedMNIST("train-labels-idx1-ubyte.gz") { _ in }
        try FileManager.default.removeItem(atPath: data + "/train-labels-idx1-ubyte.gz")
        try expectRejection(config: validConfig, dataDirectory: data, status: 1, mentions: ["train-labels-idx1-ubyte"])
    }

    @Test func inspectRejectsAFileThatIsNotALog() throws {
        let scratch = try makeTemporaryDirectory("notlog")
        let path = scratch + "/x.h5"
        try "not hdf5".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runProgram(try geodimExecutable(), ["inspect", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(path) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
