import ArgumentParser

/// `geodim bench train`: GEMM peak against achieved training throughput.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Training throughput against this machine's sgemm peak.")

    func run() throws {
        throw CleanExit.message("geodim bench train: not implemented yet")
    }
}
