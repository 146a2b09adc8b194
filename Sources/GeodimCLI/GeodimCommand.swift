import ArgumentParser

/// `geodim`: train ReLU networks on MNIST and measure their batch functional dimension.
public struct GeodimCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "geodim",
        abstract: "Train ReLU MLPs on MNIST and measure the batch functional dimension (BFD) at checkpoints.",
        discussion: """
            The BFD of a network on a batch X is the rank of the Jacobian of its outputs on X with \
            respect to all parameters. See README.md and docs/log-format.md.
            """,
        version: "0.1.0",
        subcommands: [
            TrainCommand.self, ResumeCommand.self, SweepCommand.self, InspectCommand.self, BFDCommand.self,
            BenchCommand.self, KeysCommand.self, ExportCommand.self,
        ])

    public init() {}
}
