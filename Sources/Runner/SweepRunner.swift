import Config
import Foundation
import RunLog

/// Running the points of a ``SweepPlan``: one (`--index`), or all in turn, each in its own run
/// directory; and the tables `--list` and the end of a sweep print.
///
/// A point is run from scratch when its directory has no log yet, skipped when its log says
/// `completed` or `diverged` (both final: the same config diverges the same way), and resumed
/// from its resume state otherwise (`interrupted`, `failed`, or `running` left by a killed
/// job). Running a sweep again therefore continues it, and a requeued Slurm task picks up
/// where it was stopped.
///
/// A point another live process is running (it holds the point's lock, e.g. a requeued Slurm
/// array task overlapping its predecessor, or two `geodim sweep` runs of one grid) is
/// "running elsewhere", never "failed": `runAll` goes on with the other points and comes back
/// to it, and both `runAll` and ``runWaiting(index:of:invocation:force:pollInterval:say:)``
/// wait until it is released, then skip it if it finished or continue it if it stopped.
public enum SweepRunner {
    /// How running one point ended.
    public enum Outcome: Sendable, Equatable {
        case completed
        /// Skipped: its log already said `completed` or `diverged`.
        case alreadyDone(String)
        case interrupted
        /// Stopped as asked (`stopAtStep`), resumably.
        case stopped
        case diverged(String)
        case failed(String)
        /// Another live process holds the point's lock.
        case runningElsewhere

        /// The word the summary shows.
        public var word: String {
            switch self {
            case .completed: return "completed"
            case .alreadyDone(let status): return status
            case .interrupted, .stopped: return "interrupted"
            case .diverged: return "diverged"
            case .failed: return "failed"
            case .runningElsewhere: return "running elsewhere"
            }
        }
    }

    /// Runs, resumes or skips point `index`.
    public static func run(
        index: Int, of plan: SweepPlan, invocation: RunInvocation, force: Bool = false, say: @escaping (String) -> Void
    ) throws -> Outcome {
        guard plan.points.indices.contains(index) else {
            throw SweepError(
                source: plan.source, problem: "there is no point \(index): the grid has \(plan.points.count) (0...\(plan.points.count - 1))",
                hint: "list them with geodim sweep \(plan.source) --list")
        }
        try plan.writeIndex()
        let point = plan.points[index]
        var pointInvocation = invocation
        pointInvocation.metadata += [
            ("sweep_identity", plan.identity), ("sweep_directory", plan.directory),
            ("sweep_index", String(index)), ("sweep_point", point.label), ("sweep_config", plan.source),
        ]
        say("sweep point \(index)/\(plan.points.count - 1): \(point.label)")
        let logPath = point.directory + "/log.h5"
        // Ask the lock first: a log being written without SWMR cannot be opened by a reader.
        if RunLock.isHeld(directory: point.directory) {
            say("sweep point \(index): running elsewhere (another process holds \(point.directory))")
            return .runningElsewhere
        }
        if FileManager.default.fileExists(atPath: logPath),
           let status = try? RunLogHeader.read(path: logPath).status,
           status == RunStatus.completed.rawValue || status == RunStatus.diverged.rawValue {
            say("sweep point \(index): already \(status); \(point.directory)")
            return .alreadyDone(status)
        }
        do {
            let summary: RunSummary
            if FileManager.default.fileExists(atPath: point.directory + "/resume.state") {
                let status = try RunLogHeader.read(path: logPath).status
                say("sweep point \(index): continuing the \(status) run in \(point.directory)")
                summary = try TrainingRun.resume(
                    directory: point.directory, overrides: [], force: force, invocation: pointInvocation, say: say)
            } else {
                summary = try TrainingRun.run(
                    config: point.config, overrides: point.overrides, invocation: pointInvocation,
                    runDirectory: point.directory, reuseUnstarted: true, say: say)
            }
            if summary.status == .interrupted { return summary.stoppedOnRequest ? .stopped : .interrupted }
            return .completed
        } catch let error as ExperimentError {
            if case .diverged = error { return .diverged(String(describing: error)) }
            if RunLock.isHeld(directory: point.directory) { return .runningElsewhere }
            throw error
        } catch RunnerError.nothingToResume {
            // Another process finished it between the status check above and our resume.
            say("sweep point \(index): already completed; \(point.directory)")
            return .alreadyDone(RunStatus.completed.rawValue)
        } catch RunnerError.runDirectoryBusy {
            say("sweep point \(index): running elsewhere (another process took \(point.directory) first)")
            return .runningElsewhere
        } catch {
            // Another process may have started the point between the check above and our
            // start (creating its log, taking its lock): that is not a failure of ours.
            if RunLock.isHeld(directory: point.directory) {
                say("sweep point \(index): running elsewhere (another process took \(point.directory) first)")
                return .runningElsewhere
            }
            throw error
        }
    }

    /// Runs point `index` like ``run(index:of:invocation:force:say:)``, but while another
    /// process holds it, waits (polling every `pollInterval` seconds) and then runs, resumes or
    /// skips it as its log then says. Returns `interrupted` if a signal arrives while waiting.
    public static func runWaiting(
        index: Int, of plan: SweepPlan, invocation: RunInvocation, force: Bool = false,
        pollInterval: Double = 1, say: @escaping (String) -> Void
    ) throws -> Outcome {
        Interrupts.install()
        var waiting = false
        while true {
            if Interrupts.requested { return .interrupted }
            if plan.points.indices.contains(index), RunLock.isHeld(directory: plan.points[index].directory) {
                if !waiting {
                    say("sweep point \(index): running elsewhere; waiting for that process to finish or stop it")
                    waiting = true
                }
                usleep(UInt32(pollInterval * 1_000_000))
                continue
            }
            let outcome = try run(index: index, of: plan, invocation: invocation, force: force, say: say)
            if outcome != .runningElsewhere { return outcome }
        }
    }

    /// Runs every point in turn (skipping finished ones, resuming stopped ones, coming back to
    /// those running elsewhere and waiting for them), then prints the summary table. Stops early, with outcome `interrupted` last, on SIGINT/SIGTERM/SIGHUP.
    /// A point that fails does not stop the others.
    public static func runAll(
        _ plan: SweepPlan, invocation: RunInvocation, say: @escaping (String) -> Void
    ) throws -> [Outcome] {
        Interrupts.install()
        var outcomes: [Outcome] = []
        var elsewhere: [Int] = []  // points another process was running, to come back to
        // First every point in turn, passing over those running elsewhere; then those, waiting.
        for pass in 0..<2 {
            for index in pass == 0 ? Array(plan.points.indices) : elsewhere {
                if Interrupts.requested {
                    outcomes.append(.interrupted)
                    break
                }
                let outcome: Outcome
                do {
                    outcome = pass == 0
                        ? try run(index: index, of: plan, invocation: invocation, say: say)
                        : try runWaiting(index: index, of: plan, invocation: invocation, say: say)
                } catch RunnerError.interruptedBeforeStart {
                    outcome = .interrupted
                } catch {
                    say("sweep point \(index): failed: \(error)")
                    outcome = .failed(String(describing: error))
                }
                if outcome == .runningElsewhere {
                    elsewhere.append(index)
                    continue
                }
                outcomes.append(outcome)
                if outcome == .interrupted { break }
            }
            if outcomes.last == .interrupted { break }
        }
        say("")
        for line in summaryLines(plan) { say(line) }
        return outcomes
    }

    // MARK: - Tables

    /// The state of a point from its directory: `pending`, `starting` or `running` (a process
    /// holds it), `stopped` (its log says running but nothing holds it: the job was killed),
    /// or the log's status.
    public static func status(of point: SweepPlan.SweepPoint) -> String {
        let logPath = point.directory + "/log.h5"
        let exists = FileManager.default.fileExists(atPath: logPath)
        // A log being written without SWMR is locked against readers: ask the run's lock first.
        if RunLock.isHeld(directory: point.directory) { return exists ? "running" : "starting" }
        guard exists else { return "pending" }
        guard let header = try? RunLogHeader.read(path: logPath) else { return "unreadable" }
        return header.status == RunStatus.running.rawValue ? "stopped" : header.status
    }

    /// `--list`: one line per point with its index, values, status and directory.
    public static func listLines(_ plan: SweepPlan) -> [String] {
        var lines = [
            "sweep \(plan.base.name): \(plan.points.count) point(s) over \(plan.keys.joined(separator: " x ")), "
                + "in \(plan.directory)",
        ]
        var table = [["index"] + plan.keys + ["status", "directory"]]
        for point in plan.points {
            table.append([String(point.index)] + point.assignments.map(\.value) + [status(of: point), point.directory])
        }
        lines += formatTable(table)
        return lines
    }

    /// `--list --json`: a JSON array with one object per point, in index order: `index`,
    /// `label` (`key=value key=value`), `values` (swept dotted key -> value, as in sweep.json),
    /// `overrides` (the point's `key=value`s), `directory` (the point's run directory) and
    /// `status` (as in ``status(of:)``). With `only`, just the points of those indices.
    public static func listJSON(_ plan: SweepPlan, only: Set<Int>? = nil) throws -> Data {
        let points: [[String: Any]] = plan.points.filter { only?.contains($0.index) ?? true }.map { point in
            [
                "index": point.index,
                "label": point.label,
                "values": point.jsonValues,
                "overrides": point.assignments.map { "\($0.key)=\($0.value)" },
                "directory": point.directory,
                "status": status(of: point),
            ]
        }
        return try JSONSerialization.data(withJSONObject: points, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The summary table: per point its values, status, last checkpoint's epoch and test
    /// accuracy, the BFD of each input set (first output variant) there, and the run's wall time.
    public static func summaryLines(_ plan: SweepPlan) -> [String] {
        let output = plan.base.bfd.outputs.first?.rawValue ?? "logits"
        let sources = plan.base.bfd.enabled ? plan.base.bfd.inputs.map(\.rawValue) : []
        var table = [["index"] + plan.keys + ["status", "epoch", "test_acc"] + sources.map { "bfd_\($0)_\(output)" } + ["wall_s"]]
        for point in plan.points {
            var row = [String(point.index)] + point.assignments.map(\.value) + [status(of: point)]
            let reading = try? RunLogReading.read(path: point.directory + "/log.h5")
            if let reading, let last = reading.epochs.indices.last {
                row += [String(reading.epochs[last]), String(format: "%.4f", reading.testAccuracy[last])]
                for source in sources {
                    let series = reading.series.first { $0.source == source && $0.output == output }
                    if let series, last < series.ranks.count {
                        row.append("\(series.ranks[last])\(series.clear[last] == 1 ? "" : "?")/\(series.rowCap)")
                    } else {
                        row.append("-")
                    }
                }
                let meta = Dictionary(reading.meta, uniquingKeysWith: { first, _ in first })
                let wall = meta["wall_time_s"].flatMap(Double.init).map { $0.isFinite ? String(format: "%.1f", $0) : "-" } ?? "-"
                row.append(wall)
            } else {
                row += ["-", "-"] + sources.map { _ in "-" } + ["-"]
            }
            table.append(row)
        }
        return ["sweep \(plan.base.name) (\(plan.directory)): BFD at the last checkpoint as rank/row cap (? = no clear gap)"]
            + formatTable(table)
    }

    private static func formatTable(_ rows: [[String]]) -> [String] {
        guard let width = rows.map(\.count).max() else { return [] }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}

extension RunLock {
    /// Whether some process holds the lock of `directory` now.
    static func isHeld(directory: String) -> Bool {
        let descriptor = open(directory + "/.lock", O_RDWR)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK || errno == EAGAIN
    }
}
