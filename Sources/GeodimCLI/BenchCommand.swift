import ArgumentParser

/// `geodim bench train|bfd`: speed measurements, recorded in BENCHMARKS.md.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training and BFD speed on this machine (numbers go into BENCHMARKS.md).",
        subcommands: [BenchTrainCommand.self, BenchBFDCommand.self])
}
