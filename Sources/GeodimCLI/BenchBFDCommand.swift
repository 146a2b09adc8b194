import ArgumentParser

/// `geodim bench bfd`: each BFD method on the paper's network at several batch sizes.
struct BenchBFDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bfd", abstract: "Time each BFD method on 784-30-30-30-10 at n = 100, 600, 2000.")

    func run() throws {
        throw CleanExit.message("geodim bench bfd: not implemented yet")
    }
}
