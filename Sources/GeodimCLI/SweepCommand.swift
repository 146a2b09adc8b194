import ArgumentParser
import Config
import Runner
import Foundation

/// `geodim sweep CONFIG [overrides] [--list [--unfinished] | --summary | --index i]`.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of configs: list its points, run one (--index), or run them all in turn.",
        discussion: """
            A sweep config is an ordinary config plus a top-level `sweep:` mapping of dotted keys \
            to lists of values, e.g. `sweep: {model.hidden: [[10], [30]], seed: [0, 1, 2]}`; every \
            combination is a point (first key slowest). Each point runs in its own directory \
            <runs_directory>/<name>/sweep-<id>/point-<i>, tied together by sweep.json. Finished \
            points are skipped and stopped ones resumed, so running a sweep again continues it. \
            `--set key=v1,v2` gives an axis on the command line (Hydra's multirun), replacing that \
            key's list under sweep: or adding it; the same command names the same sweep directory. \
            On a cluster, run one point per array task: \
            sbatch --array=0-N scripts/slurm/sweep.sbatch CONFIG, which runs \
            geodim sweep CONFIG --index $SLURM_ARRAY_TASK_ID; `--list --unfinished` prints the \
            indices to resubmit (see docs/runner.md).
            """)

    @Argument(help: "The sweep config (YAML with a top-level `sweep:` mapping).")
    var config: String

    @Argument(help: "Overrides of the base config, as dotted.key=value (not of swept keys).")
    var overrides: [String] = []

    @Option(name: .customLong("set"), parsing: .unconditionalSingleValue,
            help: "A sweep axis from the command line, key=v1,v2,… (repeatable): replaces that key's list under sweep:, or adds the key; a config without sweep: becomes a sweep.")
    var axes: [String] = []

    @Flag(name: .long, help: "Print the points, their directories and states, and exit.")
    var list = false

    @Flag(name: .long, help: "With --list: print the points as a JSON array (index, label, values, overrides, directory, status); with --summary: each point's status and last checkpoint (every BFD column) as a JSON array.")
    var json = false

    @Flag(name: .long, help: "With --list: only the points not done for good (neither completed nor diverged), as one line of indices that sbatch --array= accepts (e.g. 1,3-5), nothing when every point is done; with --json, their objects. Resubmit them with: sbatch --array=$(geodim sweep CONFIG --list --unfinished) scripts/slurm/sweep.sbatch CONFIG.")
    var unfinished = false

    @Flag(name: .long, help: "Print the summary table of the points' logs, and exit.")
    var summary = false

    @Option(name: .long, parsing: .unconditional, help: "Run only point i (0-based), e.g. --index $SLURM_ARRAY_TASK_ID.")
    var index: Int?

    @Flag(name: .long, help: "With --index: resume the point even if its config was changed.")
    var force = false

    @OptionGroup var control: RunControlOptions

    func validate() throws {
        if [list, summary, index != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --list, --summary and --index")
        }
        if json && !list && !summary { throw ValidationError("--json goes with --list or --summary") }
        if unfinished && !list { throw ValidationError("--unfinished goes with --list") }
        if force && index == nil { throw ValidationError("--force goes with --index") }
        if control.stopAtStep != nil && index == nil { throw ValidationError("--stop-at-step goes with --index") }
    }

    func run() throws {
        let plan: SweepPlan
        do {
            plan = try SweepPlan.load(path: config, overrides: overrides, axes: axes)
        } catch {
            throw GeodimExit.reportRunError(error)
        }
        if list && json {
            let data: Data
            do {
                data = try unfinished ? SweepRunner.unfinishedJSON(plan) : SweepRunner.listJSON(plan)
            } catch {
                throw GeodimExit.reportRunError(error)
            }
            say(String(decoding: data, as: UTF8.self))
            return
        }
        if list {
            for line in unfinished ? SweepRunner.unfinishedLines(plan) : SweepRunner.listLines(plan) { say(line) }
            return
        }
        if summary && json {
            do {
                say(String(decoding: try InspectExport.sweepSummaryJSON(plan), as: UTF8.self))
            } catch {
                throw GeodimExit.reportRunError(error)
            }
            return
        }
        if summary {
            for line in SweepRunner.summaryLines(plan) { say(line) }
            return
        }
        let continueCommand = ([CommandLine.arguments.first ?? "geodim", "sweep", config] + overrides
            + axes.flatMap { ["--set", $0] })
            .map(shellQuoted).joined(separator: " ")
        if let index {
            let outcome: SweepRunner.Outcome
            do {
                let invocation = control.invocation
                outcome = try SweepRunner.runWaiting(index: index, of: plan, invocation: invocation, force: force, say: say)
            } catch {
                throw GeodimExit.reportRunError(error)
            }
            switch outcome {
            case .completed, .alreadyDone, .stopped: return
            case .interrupted:
                FileHandle.standardError.write(Data("geodim: interrupted; continue this point with: \(continueCommand) --index \(index)\n".utf8))
                throw GeodimExit.interrupted
            case .diverged(let message), .failed(let message):
                FileHandle.standardError.write(Data("geodim: error: \(message)\n".utf8))
                throw GeodimExit.failure
            case .runningElsewhere:  // runWaiting waits these out
                return
            }
        }
        let outcomes: [SweepRunner.Outcome]
        do {
            var invocation = RunInvocation.current
            invocation.ignoreMemoryCheck = control.ignoreMemoryCheck
            outcomes = try SweepRunner.runAll(plan, invocation: invocation, say: say)
        } catch {
            throw GeodimExit.reportRunError(error)
        }
        if outcomes.last == .interrupted {
            say("sweep interrupted; continue it with: \(continueCommand)")
            FileHandle.standardError.write(Data("geodim: interrupted; continue the sweep with: \(continueCommand)\n".utf8))
            throw GeodimExit.interrupted
        }
        let unfinished = outcomes.filter {
            switch $0 {
            case .completed, .alreadyDone("completed"): return false
            default: return true
            }
        }
        if !unfinished.isEmpty {
            FileHandle.standardError.write(Data("geodim: error: \(unfinished.count) of \(plan.points.count) sweep point(s) did not complete (see the summary)\n".utf8))
            throw GeodimExit.failure
        }
    }
}
