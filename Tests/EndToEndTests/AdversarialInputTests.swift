import Foundation
import Testing
import TestSupport

/// The adversarial pass of issue 15, one test per case: inputs that crashed geodim (the YAML
/// parser's stack), or got an unclear message, now get one clear line and the right exit
/// status, and leave nothing behind.
@Suite("adversarial inputs: one clear line, never a crash")
struct AdversarialInputTests {
    private let validConfig = smallValidConfig(name: "adversarial")

    /// The outcome of one `geodim` invocation against the contract: `status`, one stderr line
    /// holding every fragment (and at most `maximumLength` characters), no runs directory made.
    private struct Rejection {
        let scratch: String
        var runs: String { scratch + "/runs" }

        init() throws { scratch = try makeTemporaryDirectory("adversarial") }

        func expect(
            _ arguments: [String], status: Int32, mentions fragments: [String], maximumLength: Int = 400,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let result = try runProgram(try geodimExecutable(), arguments, directory: scratch)
            #expect(result.status == status, "exit \(result.status) for \(arguments.map { $0.prefix(80) }): \(result.stderr.prefix(2000))",
                    sourceLocation: sourceLocation)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "expected one line on stderr, got:\n\(result.stderr.prefix(3000))", sourceLocation: sourceLocation)
            #expect(result.stderr.count <= maximumLength, "a \(result.stderr.count)-character message: \(result.stderr.prefix(3000))",
                    sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(result.stderr.contains(fragment), "stderr lacks \"\(fragment)\": \(result.stderr.prefix(2000))",
                        sourceLocation: sourceLocation)
            }
            #expect(!FileManager.default.fileExists(atPath: runs), "a runs directory was created", sourceLocation: sourceLocation)
        }

        func write(_ text: String, to name: String) throws -> String {
            let path = scratch + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        var placement: [String] { ["logging.runs_directory=\(runs)", "data.directory=\(packageRoot().path)/data/mnist"] }
    }

    // MARK: - The config parser cannot be crashed (was: exit 139, a stack overflow in Yams)

    @Test("YAML nested 5,000 deep, in flow, block and sequence-marker form, is refused before parsing")
    func deeplyNestedYAML() throws {
        let check = try Rejection()
        let flow = try check.write("name: x\nmodel:\n  hidden: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n", to: "flow.yaml")
        try check.expect(["train", flow] + check.placement, status: 64, mentions: ["flow.yaml", "nested more than"])
        let markers = try check.write(String(repeating: "- ", count: 5000) + "x\n", to: "markers.yaml")
        try check.expect(["train", markers] + check.placement, status: 64, mentions: ["markers.yaml", "nested more than"])
        // A staircase of block mappings, 1,400 levels (about 1 MB, under the size bound).
        let block = (0..<1400).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        let blockPath = try check.write(block, to: "block.yaml")
        try check.expect(["train", blockPath] + check.placement, status: 64, mentions: ["block.yaml", "nested more than"])
        let mixed = try check.write("a:\n" + (1..<40).map { String(repeating: " ", count: 2 * $0) + "- [" }.joined(separator: "\n") + String(repeating: "{x: [", count: 40) + "\n", to: "mixed.yaml")
        try check.expect(["train", mixed] + check.placement, status: 64, mentions: ["mixed.yaml", "nested more than"])
        // The same in an override's value and in a sweep file.
        let config = try check.write(validConfig, to: "config.yaml")
        try check.expect(["train", config, "model.hidden=" + String(repeating: "[", count: 5000)] + check.placement,
                         status: 64, mentions: ["override", "nested more than"])
        let sweep = try check.write(validConfig + "\nsweep:\n  seed: " + String(repeating: "[", count: 5000) + "\n", to: "sweep.yaml")
        try check.expect(["sweep", sweep, "--list"] + check.placement, status: 64, mentions: ["sweep.yaml", "nested more than"])
    }

    @Test("a billion-laughs alias bomb, a 3 MB config and /dev/zero are refused at once")
    func oversizedYAML() throws {
        let check = try Rejection()
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<9 { bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        bomb += "model:\n  hidden: *a8\n"
        let bombPath = try check.write(bomb, to: "bomb.yaml")
        try check.expect(["train", bombPath] + check.placement, status: 64, mentions: ["bomb.yaml", "aliases"])
        let big = try check.write(validConfig + "\n# " + String(repeating: "x", count: 3_000_000) + "\n", to: "big.yaml")
        try check.expect(["train", big] + check.placement, status: 64, mentions: ["big.yaml", "larger than"])
        try check.expect(["train", "/dev/zero"] + check.placement, status: 64, mentions: ["/dev/zero", "larger than"])
    }

    @Test("a config path that is a directory says so")
    func configPathIsADirectory() throws {
        let check = try Rejection()
        try FileManager.default.createDirectory(atPath: check.scratch + "/configs.d", withIntermediateDirectories: true)
        try check.expect(["train", check.scratch + "/configs.d"] + check.placement, status: 64, mentions: ["configs.d", "is a directory"])
    }

    // MARK: - Command line (was: ArgumentParser's four lines)

    @Test("--stop-at-step -5, =-5 and a missing value: one line, exit 64")
    func negativeStopStep() throws {
        let check = try Rejection()
        let config = try check.write(validConfig, to: "config.yaml")
        try check.expect(["train", config, "--stop-at-step", "-5"] + check.placement, status: 64, mentions: ["--stop-at-step", "-5"])
        try check.expect(["train", config, "--stop-at-step=-5"] + check.placement, status: 64, mentions: ["--stop-at-step", "-5"])
        try check.expect(["train", config] + check.placement + ["--stop-at-step"], status: 64, mentions: ["--stop-at-step", "geodim train --help"])
        try check.expect(["train", config, "--no-such-flag"] + check.placement, status: 64, mentions: ["--no-such-flag", "geodim train --help"])
        let sweep = try check.write(validConfig + "\nsweep:\n  seed: [0, 1]\n", to: "sweep.yaml")
        try check.expect(["sweep", sweep, "--index", "-1"] + check.placement, status: 64, mentions: ["no point -1"])
    }

    // MARK: - File system (was: "NSCocoaErrorDomain error 512")

    @Test("a runs directory that is a file is named as a file")
    func runsDirectoryIsAFile() throws {
        let check = try Rejection()
        let config = try check.write(validConfig, to: "config.yaml")
        let file = try check.write("", to: "runs-file")
        try check.expect(["train", config, "--runs-dir", file] + check.placement, status: 1, mentions: [file, "is a file, not a directory"])
        try check.expect(["train", config, "--run-dir", file + "/run"] + check.placement, status: 1, mentions: [file, "is a file, not a directory"])
        try check.expect(["train", config, "logging.runs_directory=\(file)/deeper", "data.directory=\(packageRoot().path)/data/mnist"],
                         status: 1, mentions: [file, "is a file, not a directory"])
    }

    // MARK: - IDX headers (was: 1,261 characters of dims; "trailing garbage" for a wrong shape)

    /// The bundled MNIST with `train-images-idx3-ubyte` replaced by the raw bytes `bytes`.
    private func mnist(withTrainImages bytes: [UInt8], in check: Rejection) throws -> String {
        let directory = check.scratch + "/mnist"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let source = packageRoot().path + "/data/mnist"
        for name in ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: directory + "/" + name)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/train-images-idx3-ubyte"))
        return directory
    }

    private func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    @Test("an IDX rank byte 0xFF is one short line")
    func idxRank255() throws {
        let check = try Rejection()
        let header: [UInt8] = [0, 0, 0x08, 0xFF] + (0..<255).flatMap { _ in bigEndian(2) }
        let data = try mnist(withTrainImages: header + [UInt8](repeating: 0, count: 64), in: check)
        let config = try check.write(validConfig, to: "config.yaml")
        try check.expect(["train", config, "logging.runs_directory=\(check.runs)", "data.directory=\(data)"],
                         status: 1, mentions: ["train-images-idx3-ubyte", "rank 255"], maximumLength: 300)
    }

    @Test("IDX images of 28×27 are a wrong shape, not trailing garbage")
    func idxWrongTrailingShape() throws {
        let check = try Rejection()
        // 10 images' worth of 28×28 bytes under a 10×28×27 header: the payload is 280 bytes
        // longer than the header says, which used to be reported as trailing garbage.
        let header: [UInt8] = [0, 0, 0x08, 3] + bigEndian(10) + bigEndian(28) + bigEndian(27)
        let data = try mnist(withTrainImages: header + [UInt8](repeating: 7, count: 10 * 28 * 28), in: check)
        let config = try check.write(validConfig, to: "config.yaml")
        try check.expect(["train", config, "logging.runs_directory=\(check.runs)", "data.directory=\(data)"],
                         status: 1, mentions: ["train-images-idx3-ubyte", "wrong array shape 10×28×27", "n×28×28"])
    }

    // MARK: - Damaged logs (was: "'/' does not exist"; "log.h5/log.h5"; a raw errno 21)

    @Test("a log without its status attribute, and a log.h5 that is a directory, are named")
    func damagedLogs() throws {
        let check = try Rejection()
        let config = try check.write(validConfig, to: "config.yaml")
        let run = check.scratch + "/made/run"
        let trained = try runProgram(try geodimExecutable(), ["train", config, "--run-dir", run, "--stop-at-step", "2"] + check.placement)
        #expect(trained.status == 0, "\(trained.stderr)")
        try? FileManager.default.removeItem(atPath: check.runs)  // in case --run-dir made the placement's runs directory
        let strip = try runPython(script: """
            import sys, h5py
            with h5py.File(sys.argv[1], "a") as f:
                del f.attrs["status"]
            """, arguments: [run + "/log.h5"])
        #expect(strip.status == 0, "\(strip.stderr)")
        for arguments in [["inspect", run], ["inspect", run + "/log.h5"], ["resume", run]] {
            try check.expect(arguments, status: 1, mentions: ["log.h5", "no string root attribute `status`"])
        }
        let hollow = check.scratch + "/hollow"
        try FileManager.default.createDirectory(atPath: hollow + "/log.h5", withIntermediateDirectories: true)
        for arguments in [["inspect", hollow], ["inspect", hollow + "/log.h5"], ["resume", hollow]] {
            try check.expect(arguments, status: 1, mentions: [hollow + "/log.h5", "is a directory"])
        }
    }
}
