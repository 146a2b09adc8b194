import ArgumentParser
import Config
import Runner
import Foundation
import RunLog

/// `geodim resume RUN_DIR [dotted.key=value ...] [--force]`.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a stopped run bit-exactly from its resume state.",
        discussion: """
            Training k steps, stopping, and resuming gives bitwise the same parameters and log \
            as training without a stop. The config is the run directory's config.yaml with the \
            overrides applied; if it differs from the run's, the resume is refused with the keys \
            that differ, unless --force (keys that fix the network, data or log layout never \
            change). To train a finished run longer: geodim resume RUN_DIR training.epochs=N --force.
            """)

    @Argument(help: "The run directory (holding log.h5 and resume.state).")
    var runDirectory: String

    @Argument(help: "Overrides, as dotted.key=value (changing the config needs --force).")
    var overrides: [String] = []

    @Flag(name: .long, help: "Continue even though the config differs from the run's.")
    var force = false

    @OptionGroup var control: RunControlOptions

    func run() throws {
        let invocation = control.invocation
        let summary: RunSummary
        do {
            summary = try TrainingRun.resume(
                directory: runDirectory, overrides: overrides, force: force, invocation: invocation, say: say)
        } catch {
            throw GeodimExit.reportRunError(error)
        }
        try GeodimExit.finish(summary)
    }
}

extension RunInvocation {
    /// This process's command line, and argv[0] as the way to call geodim again.
    static var current: RunInvocation {
        RunInvocation(
            commandLine: CommandLine.arguments.map(shellQuoted).joined(separator: " "),
            program: CommandLine.arguments.first ?? "geodim")
    }
}

extension GeodimExit {
    /// Exit status of a run stopped by SIGINT, SIGTERM or SIGHUP.
    static let interrupted = ExitCode(130)

    /// Reports a failure of a run (or of starting one) and returns its exit code: 64 for
    /// problems with the config (a refusal by the preflight included: sizes that overflow,
    /// log chunks HDF5 cannot store, not enough memory), the run directory or the sweep given, 130 for an interrupt
    /// before anything started, 1 otherwise.
    static func reportRunError(_ error: Error) -> ExitCode {
        switch error {
        case RunnerError.interruptedBeforeStart:
            FileHandle.standardError.write(Data("geodim: \(error)\n".utf8))
            return interrupted
        case is ConfigError, is SweepError, is PreflightError:
            return report(error, usage: true)
        case let runner as RunnerError:
            switch runner {
            case .configChanged, .notARunDirectory, .nothingToResume, .diverged:
                return report(error, usage: true)
            default:
                return report(error, usage: false)
            }
        default:
            return report(error, usage: false)
        }
    }

    /// Exits 130 with the resume command on stderr for a run stopped by a signal; returns for a
    /// completed one or one stopped as asked (--stop-at-step).
    static func finish(_ summary: RunSummary) throws {
        guard summary.status == .interrupted, !summary.stoppedOnRequest else { return }
        FileHandle.standardError.write(Data("geodim: interrupted; resume with: \(summary.resumeCommand)\n".utf8))
        throw interrupted
    }
}
