import Foundation
import Testing
import TestSupport

/// `geodim sweep CONFIG --list --unfinished [--json]`: the points to resubmit, checked against
/// the statuses the points' own logs hold.
@Suite("geodim sweep --list --unfinished", .serialized)
struct SweepUnfinishedTests {
    /// Six points: lr 0.05, 1e6 (diverges) and 0.02, each with seeds 0 and 1.
    private let grid = runnerConfig.replacingOccurrences(of: "  epochs: 4", with: "  epochs: 2")
        + "\nsweep:\n  optimizer.lr: [0.05, 1.0e+6, 0.02]\n  seed: [0, 1]\n"

    /// The indices an `--array` list names (comma-separated indices and `a-b` ranges).
    private func expand(_ list: String) -> Set<Int>? {
        var indices = Set<Int>()
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            guard let first = bounds.first, let last = bounds.last, bounds.count == (part.contains("-") ? 2 : 1) else { return nil }
            indices.formUnion(first...last)
        }
        return indices
    }

    /// Each point's status as its log says (h5py, through geodim_log), `pending` without a log.
    private func logStatuses(_ directories: [String]) throws -> [String] {
        let result = try runPython(script: #"""
            import os, sys, geodim_log
            for d in sys.argv[1:]:
                log = os.path.join(d, "log.h5")
                print(geodim_log.read_run(log, spectra=False, params=False, inputs=False).status if os.path.exists(log) else "pending")
            """#, arguments: directories)
        guard result.status == 0 else { throw TestSupportError("reading the statuses failed: \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test("the listing is the set of points whose logs are neither completed nor diverged, in sbatch --array form; empty once all are done")
    func unfinishedPointsAreThoseTheLogsCallUnfinished() throws {
        let scratch = try Scratch("sweep-unfinished", config: grid)
        let sweep = ["sweep", scratch.configPath]
        func unfinished(json: Bool = false) throws -> ProgramResult {
            try scratch.geodim(sweep + ["--list", "--unfinished"] + (json ? ["--json"] : []) + scratch.placement)
        }

        let fresh = try unfinished()
        #expect(fresh.status == 0 && fresh.stdout == "0-5\n", "\(fresh.stdout)\(fresh.stderr)")
        let list = try scratch.geodim(sweep + ["--list", "--json"] + scratch.placement)
        let points = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stdout)")
        let directories = try points.map { try #require($0["directory"] as? String) }
        #expect(directories.count == 6)

        // 1 completes, 2 diverges, 4 is stopped part-way; 0, 3 and 5 never start.
        let completed = try scratch.geodim(sweep + ["--index", "1"] + scratch.placement)
        #expect(completed.status == 0, "\(completed.stderr)")
        let diverged = try scratch.geodim(sweep + ["--index", "2"] + scratch.placement)
        #expect(diverged.status == 1, "\(diverged.stderr)")
        let stopped = try scratch.geodim(sweep + ["--index", "4", "--stop-at-step", "7"] + scratch.placement)
        #expect(stopped.status == 0, "\(stopped.stderr)")

        let statuses = try logStatuses(directories)
        #expect(statuses == ["pending", "completed", "diverged", "pending", "interrupted", "pending"], "\(statuses)")
        let expected = Set(statuses.indices.filter { !["completed", "diverged"].contains(statuses[$0]) })

        let text = try unfinished()
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "one line: \(text.stdout)")
        #expect(expand(String(lines[0])) == expected, "\(text.stdout) vs \(expected.sorted())")
        #expect(text.stdout == "0,3-5\n", "\(text.stdout)")

        let json = try unfinished(json: true)
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stdout)")
        #expect(Set(objects.compactMap { $0["index"] as? Int }) == expected && objects.count == expected.count, "\(json.stdout)")
        for object in objects {
            let index = try #require(object["index"] as? Int)
            #expect(object["status"] as? String == statuses[index], "\(object)")
            #expect(object["directory"] as? String == directories[index], "\(object)")
        }

        // Resubmitting exactly those (as the array would): nothing is left, and the listing is empty.
        for index in expected.sorted() {
            let run = try scratch.geodim(sweep + ["--index", String(index)] + scratch.placement)
            #expect(run.status == (index == 3 ? 1 : 0), "point \(index): \(run.stderr)")
        }
        let after = try logStatuses(directories)
        #expect(after == ["completed", "completed", "diverged", "diverged", "completed", "completed"], "\(after)")
        let none = try unfinished()
        #expect(none.status == 0 && none.stdout.isEmpty, "\(none.stdout)\(none.stderr)")
        let noneJSON = try unfinished(json: true)
        #expect(noneJSON.status == 0, "\(noneJSON.stderr)")
        #expect((try JSONSerialization.jsonObject(with: Data(noneJSON.stdout.utf8)) as? [Any])?.isEmpty == true, "\(noneJSON.stdout)")

        let misplaced = try scratch.geodim(sweep + ["--unfinished"] + scratch.placement)
        #expect(misplaced.status == 64 && misplaced.stderr.contains("--unfinished goes with --list"), "\(misplaced.stderr)")
    }
}
