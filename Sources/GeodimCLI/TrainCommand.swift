import ArgumentParser
import Config
import Runner
import Foundation

/// `geodim train CONFIG.yaml [dotted.key=value ...]`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the network a YAML config describes, measuring the BFD at its checkpoints.",
        discussion: """
            Overrides replace config values, e.g. `optimizer.lr=0.05 seed=3 model.hidden=[10,10]`. \
            The run directory (resolved config.yaml, log.h5, train.log, resume.state) is created under \
            logging.runs_directory/<name>/<timestamp>, or exactly at --run-dir. \
            Ctrl-C (SIGINT), SIGTERM or SIGHUP finishes the current step, saves the run and prints the \
            `geodim resume` command that continues it (exit status 130); a second one stops at once. \
            SIGQUIT (Ctrl-\\) stops at once (exit status 131), leaving the last checkpoint to resume from.
            """)

    @Argument(help: "The experiment config (YAML).")
    var config: String

    @Argument(help: "Overrides, as dotted.key=value.")
    var overrides: [String] = []

    @Option(name: .long, help: "BLAS threads (overrides the config's `threads`).")
    var threads: Int?

    @Option(name: .long, help: "Parent directory of run directories (overrides logging.runs_directory).")
    var runsDir: String?

    @Option(name: .long, help: "Use exactly this run directory (it must not exist).")
    var runDir: String?

    @OptionGroup var control: RunControlOptions

    @Flag(name: .long, help: "Write every epoch's sample order to <run dir>/batch_order.npy (int64, epochs × samples), for checking the trainer against scripts/reference_trainer.py.")
    var dumpBatches = false

    func run() throws {
        var invocation = control.invocation
        invocation.dumpBatches = dumpBatches
        var allOverrides = overrides
        if let threads { allOverrides.append("threads=\(threads)") }
        if let runsDir { allOverrides.append("logging.runs_directory=\(runsDir)") }
        let experiment: ExperimentConfig
        do {
            experiment = try ExperimentConfig.load(path: config, overrides: allOverrides)
        } catch {
            throw GeodimExit.report(error, usage: true)
        }
        let summary: RunSummary
        do {
            summary = try TrainingRun.run(
                config: experiment, overrides: allOverrides, invocation: invocation, runDirectory: runDir, say: say)
        } catch {
            throw GeodimExit.reportRunError(error)
        }
        try GeodimExit.finish(summary)
    }
}
