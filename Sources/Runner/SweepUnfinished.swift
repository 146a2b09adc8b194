import Config
import Foundation
import RunLog

extension SweepRunner {
    /// Whether a point in state `status` (as ``status(of:)`` reports it) is done for good:
    /// `completed`, or `diverged` (final too: the same config diverges the same way, and a
    /// rerun of the point skips it). Every other state — `pending`, `starting`, `running`,
    /// `stopped`, `interrupted`, `failed`, `unreadable` — is unfinished.
    public static func isFinal(status: String) -> Bool {
        status == RunStatus.completed.rawValue || status == RunStatus.diverged.rawValue
    }

    /// The points of `plan` that are not done for good (see ``isFinal(status:)``), in index
    /// order: those `geodim sweep CONFIG --index i` would still run, resume or wait for.
    public static func unfinishedPoints(_ plan: SweepPlan) -> [SweepPlan.SweepPoint] {
        plan.points.filter { !isFinal(status: status(of: $0)) }
    }

    /// `--list --unfinished`: the indices of the unfinished points as one `sbatch --array=`
    /// list (`0,3-5,9`), or no line at all when every point is done.
    public static func unfinishedLines(_ plan: SweepPlan) -> [String] {
        let indices = unfinishedPoints(plan).map(\.index)
        return indices.isEmpty ? [] : [arrayIndexList(indices)]
    }

    /// `--list --unfinished --json`: the objects of ``listJSON(_:)`` for the unfinished
    /// points only (`[]` when every point is done).
    public static func unfinishedJSON(_ plan: SweepPlan) throws -> Data {
        try listJSON(plan, only: Set(unfinishedPoints(plan).map(\.index)))
    }
}

/// `indices` (in any order, repeats allowed) written as Slurm's `--array` accepts them:
/// sorted, comma-separated, runs of consecutive indices as `first-last` (`[1, 3, 4, 5]` →
/// `1,3-5`); the empty string for none.
public func arrayIndexList(_ indices: [Int]) -> String {
    let sorted = Array(Set(indices)).sorted()
    var parts: [String] = []
    var start = 0
    while start < sorted.count {
        var end = start
        while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
        parts.append(end == start ? String(sorted[start]) : "\(sorted[start])-\(sorted[end])")
        start = end + 1
    }
    return parts.joined(separator: ",")
}
