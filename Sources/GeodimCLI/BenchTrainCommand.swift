import ArgumentParser
import Benchmarks
import Config
import Runner
import Foundation
import Linalg

/// `geodim bench train`: GEMM peak against achieved training throughput.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Training throughput against this machine's sgemm peak.",
        discussion: """
            Measures, in one run: sgemm GFLOP/s at large square sizes (the peak) and at each \
            network's own GEMM shapes, then training epochs of (a) 784-30-30-30-10 on 600 images, \
            (b) 784-256-256-10 and (c) 784-1024-1024-10 on 60,000, batch 256, float32, plain SGD: \
            time per epoch, samples/s, achieved GFLOP/s (forward and backward GEMM flops counted \
            exactly) against the peak, and the share of step time outside GEMM (1 − the time of \
            the same GEMMs replayed alone); and the same epochs with Path-SGD (p = 2, unfused) \
            for its time per step against SGD's. Prints Markdown tables for BENCHMARKS.md.
            """)

    @Option(name: .long, help: "Settings to run, comma-separated: a, b, c.")
    var settings = "a,b,c"

    @Option(name: .long, help: "BLAS thread counts to compare, comma-separated.")
    var threads = "1,2"

    @Option(name: .long, help: "Epochs per round for settings b and c (60,000 images).")
    var epochs = 1

    @Option(name: .long, help: "Epochs per round for setting a (600 images).")
    var smallEpochs = 100

    @Option(name: .long, help: "Rounds per measurement; each figure is a best-of over all rounds.")
    var repetitions = 3

    @Option(name: .long, help: "Square sgemm sizes for the peak, comma-separated.")
    var peakSizes = "2048,3072"

    @Flag(name: .long, inversion: .prefixedNo, help: "Also time Path-SGD on every setting and thread count.")
    var pathSgd = true

    @Option(name: .long, help: "MNIST directory, or `synthetic` for random inputs of the same shapes.")
    var data = "data/mnist"

    func run() throws {
        var options = TrainingBenchmarkOptions()
        let keys = settings.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        options.settings = try keys.map { key in
            guard let setting = TrainingSetting.all.first(where: { $0.key == key }) else {
                throw ValidationError("unknown setting '\(key)': choose from a, b, c")
            }
            return setting
        }
        options.threads = try integers(threads, name: "--threads", range: 1...64)
        options.peakSizes = try integers(peakSizes, name: "--peak-sizes", range: 64...8192)
        guard epochs >= 1, smallEpochs >= 1, repetitions >= 1 else {
            throw ValidationError("--epochs, --small-epochs and --repetitions must be at least 1")
        }
        options.epochs = epochs
        options.smallEpochs = smallEpochs
        options.repetitions = repetitions
        options.dataDirectory = data == "synthetic" ? nil : data
        options.pathSGD = pathSgd

        let command = "geodim bench train " + CommandLine.arguments.dropFirst(3).joined(separator: " ")
        say("command : \(command)")
        say("cpu     : \(Provenance.cpuModel), \(Provenance.cpuCount) logical CPUs (shared machine: numbers are best-of)")
        say("blas    : \(BLASRuntime.configuration), core \(BLASRuntime.coreName)")
        say("data    : \(options.dataDirectory.map { "MNIST from \($0)" } ?? "synthetic U[0,1) inputs, uniform labels")")
        say("")
        let result: TrainingBenchmarkResult
        do {
            result = try runTrainingBenchmark(options) { say($0) }
        } catch {
            throw GeodimExit.report(error, usage: false)
        }
        say("")
        for line in result.markdown(options: options) { say(line) }
    }

    private func integers(_ text: String, name: String, range: ClosedRange<Int>) throws -> [Int] {
        try text.split(separator: ",").map { item in
            guard let value = Int(item.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                throw ValidationError("\(name): '\(item)' is not an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }
    }
}
