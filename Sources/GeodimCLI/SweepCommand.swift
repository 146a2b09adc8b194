import ArgumentParser
import Config
import Runner
import Foundation

/// `geodim sweep CONFIG [overrides] [--list | --summary | --index i]`.
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
            On a cluster, run one point per array task: \
            geodim sweep CONFIG --index $SLURM_ARRAY_TASK_ID (see docs/runner.md).
            """)

    @Argument(help: "The sweep config (YAML with a top-level `sweep:` mapping).")
    var config: String

    @Argument(help: "Overrides of the base config, as dotted.key=value (not of swept keys).")
    var overrides: [String] = []

    @Flag(name: .long, help: "Print the points, their directories and states, and exit.")
    var list = false

    @Flag(name: .long, help: "With --list: print the points as a JSON array (index, label, values, overrides, directory, status).")
    var json = false

    @Flag(name: .long, help: "Print the summary table of the points' logs, and exit.")
    var summary = false

    @Option(name: .long, help: "Run only point i (0-based), e.g. --index $SLURM_ARRAY_TASK_ID.")
    var index: Int?

    @Flag(name: .long, help: "With --index: resume the point even if its config was changed.")
    var force = false

    @OptionGroup var control: RunControlOptions

    func validate() throws {
        if [list, summary, index != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --list, --summary and --index")
        }
        if json && !list { throw ValidationError("--json goes with --list") }
        if force && index == nil { throw ValidationError("--force goes with --index") }
        if control.stopAtStep != nil && index == nil { throw ValidationError("--stop-at-step goes with --index") }
    }

    func run() throws {
        let plan: SweepPlan
        do {
            plan = try SweepPlan.load(path: config, overrides: overrides)
        } catch {
            throw GeodimExit.reportRunError(error)
        }
        if list && json {
            let data: Data
            do {
                data = try SweepRunner.listJSON(plan)
            } catch {
                throw GeodimExit.reportRunError(error)
            }
            say(String(decoding: data, as: UTF8.self))
            return
        }
        if list {
            for line in SweepRunner.listLines(plan) { say(line) }
            return
        }
        if summary {
            for line in SweepRunner.summaryLines(plan) { say(line) }
            return
        }
        let continueCommand = ([CommandLine.arguments.first ?? "geodim", "sweep", config] + overrides)
            .map(shellQuoted).joined(separator: " ")
        if let index {
            let outcome: SweepRunner.Outcome
            do {
                let invocation = control.invocation
                outcome = try SweepRunner.run(index: index, of: plan, invocation: invocation, force: force, say: say)
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
