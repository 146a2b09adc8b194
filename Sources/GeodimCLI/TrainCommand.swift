import ArgumentParser
import Experiment
import Foundation

/// `geodim train CONFIG.yaml [dotted.key=value ...]`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the network a YAML config describes, measuring the BFD at its checkpoints.",
        discussion: """
            Overrides replace config values, e.g. `optimizer.lr=0.05 seed=3 model.hidden=[10,10]`. \
            The run directory (resolved config.yaml, log.h5, train.log) is created under \
            logging.runs_directory/<name>/<timestamp>.
            """)

    @Argument(help: "The experiment config (YAML).")
    var config: String

    @Argument(help: "Overrides, as dotted.key=value.")
    var overrides: [String] = []

    @Option(name: .long, help: "BLAS threads (overrides the config's `threads`).")
    var threads: Int?

    @Option(name: .long, help: "Parent directory of run directories (overrides logging.runs_directory).")
    var runsDir: String?

    func run() throws {
        var allOverrides = overrides
        if let threads { allOverrides.append("threads=\(threads)") }
        if let runsDir { allOverrides.append("logging.runs_directory=\(runsDir)") }
        let experiment: ExperimentConfig
        do {
            experiment = try ExperimentConfig.load(path: config, overrides: allOverrides)
        } catch {
            throw GeodimExit.report(error, usage: true)
        }
        do {
            _ = try TrainingRun.run(
                config: experiment, overrides: allOverrides,
                commandLine: CommandLine.arguments.joined(separator: " "), say: say)
        } catch {
            throw GeodimExit.report(error, usage: false)
        }
    }
}
