import ArgumentParser
import Benchmarks
import Config
import Runner
import Foundation
import Geometry
import Linalg
import Network

/// `geodim bench bfd`: each BFD method (and Gram side or exact matrix) on an MLP, the paper's
/// network by default, at several batch sizes.
///
/// Every (n, method) pair runs in a child process of its own, so its peak memory is its own.
struct BenchBFDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bfd",
        abstract: "Time each BFD method on 784-30-30-30-10 (or --hidden) at n = 100, 600, 2000 MNIST test inputs.",
        discussion: """
            Methods, spelled as bfd.method: jacobian (explicit float64 J + dgesdd, the reference), gram \
            (structured Gram matrix + full spectrum by dsyevd), gram_inertia (structured Gram matrix, rank \
            certified by LDLᵀ inertia counts), exact (rank modulo random primes, --exact-primes at most; \
            'clear' reads certified). The gram methods run once per --gram-sides entry (bfd.gram_side), \
            exact once per --exact-matrices entry (bfd.exact_matrix). The network is at Glorot-uniform \
            initialisation (seed 0).
            """)

    @Option(help: "Comma-separated numbers of inputs.")
    var sizes = "100,600,2000"

    @Option(help: "Comma-separated methods (jacobian, gram, gram_inertia, exact).")
    var methods = ChoiceList([BenchBFDMethod.jacobian, .gram, .gramInertia])

    @Option(help: "Comma-separated hidden widths of the 784-…-10 network.")
    var hidden = "30,30,30"

    @Option(help: "Comma-separated Gram sides the gram methods run with (auto, rows, parameters).")
    var gramSides = ChoiceList([GramSideChoice.auto])

    @Option(help: "Comma-separated matrices the exact method runs with (auto, gram_rows, jacobian).")
    var exactMatrices = ChoiceList([ExactMatrixChoice.auto])

    @Option(help: "Largest n for jacobian (its J needs m·P doubles).")
    var jacobianMax = 600

    @Option(help: "Largest n for gram (a full spectrum of an m × m matrix).")
    var eighMax = 600

    @Option(help: "Output variant.")
    var variant = OutputVariant.logits

    @Option(help: "BLAS threads.")
    var threads = 2

    @Option(help: "Primes the exact method tries while its rank is not certified (1...16).")
    var exactPrimes = 2

    @Option(help: "MNIST directory.")
    var data = "data/mnist"

    @Option(help: .hidden)
    var single: String?

    func run() throws {
        if let single {
            // Child mode: "n:method:side"; prints one JSON row.
            let parts = single.split(separator: ":").map(String.init)
            guard parts.count == 3, let n = Int(parts[0]), let method = BenchBFDMethod(rawValue: parts[1]) else {
                throw ValidationError("--single expects n:method:side")
            }
            let workload = try BFDBenchmarkWorkload(n: n, dataDirectory: data, hidden: try hiddenWidths())
            let row = try workload.run(
                method, variant: variant, threads: threads, exactPrimes: exactPrimes,
                gramSide: GramSideChoice(rawValue: parts[2]) ?? .auto,
                exactMatrix: ExactMatrixChoice(rawValue: parts[2]) ?? .auto)
            let encoder = JSONEncoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let json = try encoder.encode(row)
            FileHandle.standardOutput.write(json + Data("\n".utf8))
            return
        }
        let sizeList = try sizes.split(separator: ",").map { text -> Int in
            guard let n = Int(text), n > 0 else { throw ValidationError("--sizes: '\(text)' is not a positive integer") }
            return n
        }
        let methodList = methods.values
        let widths = try hiddenWidths()
        let architecture = MLPArchitecture(inputSize: 784, hiddenWidths: widths, outputSize: 10)
        say("geodim bench bfd: \(architecture.description) (P = \(architecture.parameterCount)), Glorot init seed 0, first n MNIST test images, \(variant.rawValue), \(threads) BLAS thread(s)")
        say("CPU: \(Provenance.cpuModel), OpenBLAS \(BLASRuntime.coreName)")
        say(padLeft("n", 6) + " " + padLeft("m", 7) + " " + "method".padding(toLength: 13, withPad: " ", startingAt: 0) + " "
            + "side".padding(toLength: 11, withPad: " ", startingAt: 0) + " "
            + padLeft("rank", 7) + " " + padLeft("clear", 6) + " " + padLeft("gap", 10) + " " + padLeft("seconds", 10) + " "
            + padLeft("peak GB", 9))
        var rows: [BFDBenchmarkRow] = []
        for n in sizeList {
            for method in methodList {
                if method == .jacobian && n > jacobianMax || method == .gram && n > eighMax {
                    say(padLeft(String(n), 6) + " " + padLeft(String(n * 10), 7) + " "
                        + method.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0) + " " + "-".padding(toLength: 11, withPad: " ", startingAt: 0) + " skipped (raise --jacobian-max / --eigh-max)")
                    continue
                }
                let sides: [String] = switch method {
                case .gram, .gramInertia: gramSides.values.map(\.rawValue)
                case .exact: exactMatrices.values.map(\.rawValue)
                case .jacobian: ["-"]
                }
                for side in sides {
                    let row = try runChild(n: n, method: method, side: side)
                    rows.append(row)
                    say(padLeft(String(row.n), 6) + " " + padLeft(String(row.rows), 7) + " "
                        + row.method.padding(toLength: 13, withPad: " ", startingAt: 0) + " "
                        + row.side.padding(toLength: 11, withPad: " ", startingAt: 0) + " " + padLeft(String(row.rank), 7) + " "
                        + padLeft(row.clear ? "yes" : "NO", 6) + " " + padLeft(String(format: "%.3g", row.gapRatio), 10) + " "
                        + padLeft(String(format: "%.2f", row.seconds), 10) + " "
                        + padLeft(String(format: "%.2f", Double(row.peakBytes) / 1e9), 9))
                }
            }
        }
        say("")
        for n in sizeList {
            let atN = rows.filter { $0.n == n }
            guard let reference = atN.first(where: { $0.method == BenchBFDMethod.jacobian.rawValue })
                ?? atN.first(where: { $0.method == BenchBFDMethod.gram.rawValue }) else { continue }
            for row in atN where row.method != reference.method || row.side != reference.side {
                say("n = \(n): \(row.method) (\(row.side)) is " + String(format: "%.1f", reference.seconds / row.seconds)
                    + "× faster than \(reference.method) (\(reference.side)), rank "
                    + (row.rank == reference.rank ? "equal" : "DIFFERENT") + " (\(row.rank) vs \(reference.rank))")
            }
        }
    }

    /// The `--hidden` widths.
    private func hiddenWidths() throws -> [Int] {
        let widths = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.count == hidden.split(separator: ",").count, widths.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--hidden: '\(hidden)' is not a comma-separated list of widths ≥ 1 (e.g. 30,30,30)")
        }
        return widths
    }

    private func runChild(n: Int, method: BenchBFDMethod, side: String) throws -> BFDBenchmarkRow {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if !FileManager.default.isExecutableFile(atPath: process.executableURL?.path ?? "") {
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        process.arguments = ["bench", "bfd", "--single", "\(n):\(method.rawValue):\(side)", "--hidden", hidden,
                             "--variant", variant.rawValue,
                             "--threads", String(threads), "--exact-primes", String(exactPrimes), "--data", data]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("bench child for n = \(n), \(method.rawValue) (\(side)) failed with status \(process.terminationStatus)")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(BFDBenchmarkRow.self, from: output)
    }
}

/// A benchmark failure, printed as one line.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
