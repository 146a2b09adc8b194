import Foundation
import Testing
import TestSupport

/// `geodim sweep`: listing, one point by index (a Slurm array task), all points with a
/// summary, and continuing a sweep.
@Suite("geodim sweep, end to end", .serialized)
struct SweepTests {
    private let sweepConfig = runnerConfig.replacingOccurrences(of: "  epochs: 4", with: "  epochs: 2")
        + "\nsweep:\n  optimizer.lr: [0.05, 1.0e+6]\n  training.log_every: [1, 3]\n"

    @Test("--list, --index, a full run with its summary, and a second run that skips finished points")
    func sweepRunsEveryPointOnce() throws {
        let scratch = try Scratch("sweep", config: sweepConfig)
        let list = try scratch.geodim(["sweep", scratch.configPath, "--list"] + scratch.placement)
        #expect(list.status == 0, "\(list.stderr)")
        let rows = list.stdout.split(separator: "\n").dropFirst(2)
        #expect(rows.count == 4, "\(list.stdout)")
        // First key slowest.
        let expected = [("0.05", "1"), ("0.05", "3"), ("1.0e+6", "1"), ("1.0e+6", "3")]
        for (row, (lr, every)) in zip(rows, expected) {
            let cells = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            #expect(cells.count == 5 && cells[1] == lr && cells[2] == every && cells[3] == "pending", "\(row)")
        }
        let firstLine = try #require(list.stdout.split(separator: "\n").first.map(String.init))
        let sweepDirectory = try #require(firstLine.components(separatedBy: ", in ").last)
        #expect(sweepDirectory.hasPrefix(scratch.runs + "/runner/sweep-"))

        // One point, as an array task would run it.
        let one = try scratch.geodim(["sweep", scratch.configPath, "--index", "1"] + scratch.placement)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(FileManager.default.fileExists(atPath: sweepDirectory + "/point-001/log.h5"))
        #expect(!FileManager.default.fileExists(atPath: sweepDirectory + "/point-000"))
        let index = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sweepDirectory + "/sweep.json"))) as? [String: Any])
        #expect(index["format"] as? String == "geodim-sweep" && index["keys"] as? [String] == ["optimizer.lr", "training.log_every"])
        let points = index["points"] as? [[String: Any]] ?? []
        #expect(points.count == 4 && points[2]["directory"] as? String == "point-002")
        #expect((points[2]["values"] as? [String: Any])?["optimizer.lr"] as? Double == 1e6)

        // --list --json: the same points as objects, with each point's state.
        let json = try scratch.geodim(["sweep", scratch.configPath, "--list", "--json"] + scratch.placement)
        #expect(json.status == 0, "\(json.stderr)")
        let listed = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stdout)")
        #expect(listed.count == 4, "\(json.stdout)")
        for (i, point) in listed.enumerated() {
            let values = point["values"] as? [String: Any] ?? [:]
            let (lr, every) = expected[i]
            #expect(point["index"] as? Int == i && point["directory"] as? String == sweepDirectory + "/point-00\(i)", "\(point)")
            #expect(values.count == 2 && values["optimizer.lr"] as? Double == Double(lr) && values["training.log_every"] as? Int == Int(every),
                    "\(point)")
            #expect(point["label"] as? String == "optimizer.lr=\(lr) training.log_every=\(every)", "\(point)")
            #expect(point["overrides"] as? [String] == ["optimizer.lr=\(lr)", "training.log_every=\(every)"], "\(point)")
            #expect(point["status"] as? String == (i == 1 ? "completed" : "pending"), "\(point)")
        }
        // The values are those of sweep.json.
        for (point, indexed) in zip(listed, points) {
            #expect(NSDictionary(dictionary: point["values"] as? [String: Any] ?? [:])
                        .isEqual(to: indexed["values"] as? [String: Any] ?? ["": 0]), "\(point) vs \(indexed)")
        }
        let misplaced = try scratch.geodim(["sweep", scratch.configPath, "--json"] + scratch.placement)
        #expect(misplaced.status == 64 && misplaced.stderr.contains("--json goes with --list"), "\(misplaced.stderr)")

        // Everything: the diverging points are reported, the others complete; exit 1.
        let all = try scratch.geodim(["sweep", scratch.configPath] + scratch.placement)
        #expect(all.status == 1, "\(all.stderr)")
        #expect(all.stdout.contains("sweep point 1: already completed"), "\(all.stdout)")
        #expect(all.stderr.contains("2 of 4 sweep point(s) did not complete"), "\(all.stderr)")
        let table = all.stdout.split(separator: "\n").drop { !$0.hasPrefix("sweep runner (") }
        #expect(table.count == 6, "summary table:\n\(all.stdout)")
        let statuses = table.dropFirst(2).map { $0.split(separator: " ", omittingEmptySubsequences: true)[3] }
        #expect(statuses == ["completed", "completed", "diverged", "diverged"], "\(table)")
        #expect(table.dropFirst(2).first?.contains("/60") == true, "BFD as rank/row cap (6 inputs x 10 logits):\n\(table)")

        // Each point's log records where it belongs.
        let meta = try runPython(script: #"""
            import sys, geodim_log
            m = geodim_log.read_run(sys.argv[1], spectra=False, params=False, inputs=False).meta
            print(m["sweep_index"], m["sweep_point"], m["sweep_directory"])
            """#, arguments: [sweepDirectory + "/point-003/log.h5"])
        #expect(meta.stdout.hasPrefix("3 optimizer.lr=1.0e+6 training.log_every=3 " + sweepDirectory), "\(meta.stdout)\(meta.stderr)")

        // Running it again touches nothing.
        let again = try scratch.geodim(["sweep", scratch.configPath, "--summary"] + scratch.placement)
        #expect(again.status == 0 && again.stdout.contains("completed"))
        let rerun = try scratch.geodim(["sweep", scratch.configPath] + scratch.placement)
        #expect(rerun.stdout.components(separatedBy: "already").count == 5, "\(rerun.stdout)")
    }

    @Test("a stopped point is resumed by the next sweep run and ends as an uninterrupted run of its config does")
    func stoppedPointIsContinued() throws {
        let scratch = try Scratch("sweep-resume", config: sweepConfig)
        let stopped = try scratch.geodim(["sweep", scratch.configPath, "--index", "0", "--stop-at-step", "7"] + scratch.placement)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        let list = try scratch.geodim(["sweep", scratch.configPath, "--list"] + scratch.placement)
        let row = try #require(list.stdout.split(separator: "\n").dropFirst(2).first, "\(list.stdout)")
        let cells = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(cells[3] == "interrupted", "\(row)")
        let directory = try #require(cells.last)
        let json = try scratch.geodim(["sweep", scratch.configPath, "--list", "--json"] + scratch.placement)
        let first = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?.first, "\(json.stdout)")
        #expect(first["status"] as? String == "interrupted" && first["directory"] as? String == directory, "\(first)")

        let resumed = try scratch.geodim(["sweep", scratch.configPath, "--index", "0"] + scratch.placement)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("continuing the interrupted run") && resumed.stdout.contains("resuming at step 7"), "\(resumed.stdout)")

        // The same point trained by geodim train from the base config and the point's overrides.
        let single = try Scratch("sweep-single", config: sweepConfig.components(separatedBy: "\nsweep:")[0])
        let reference = try single.geodim(
            ["train", single.configPath, "--run-dir", single.runs + "/straight", "optimizer.lr=0.05", "training.log_every=1"]
                + scratch.placement)
        #expect(reference.status == 0, "\(reference.stderr)")
        try expectSameRun(single.runs + "/straight", directory)
    }

    @Test("two processes on one sweep directory: every point completes once, none is called failed, both exit 0, the logs equal a sequential sweep's")
    func concurrentSweepsShareTheWork() throws {
        let grid = runnerConfig.replacingOccurrences(of: "  epochs: 4", with: "  epochs: 2")
            + "\nsweep:\n  optimizer.lr: [0.05, 0.1]\n  seed: [0, 1, 2, 3, 4]\n"
        let scratch = try Scratch("sweep-concurrent", config: grid)
        let first = try BackgroundProgram(
            try geodimExecutable(), ["sweep", scratch.configPath] + scratch.placement, directory: packageRoot().path)
        let second = try BackgroundProgram(
            try geodimExecutable(), ["sweep", scratch.configPath] + scratch.placement, directory: packageRoot().path)
        let results = [first.wait(), second.wait()]
        for result in results {
            #expect(result.status == 0, "exit \(result.status): \(result.stderr)\n\(result.stdout)")
            #expect(!result.stdout.contains("failed") && !result.stderr.contains("did not complete"), "\(result.stdout)\(result.stderr)")
            let table = result.stdout.split(separator: "\n").drop { !$0.hasPrefix("sweep runner (") }.dropFirst(2)
            let statuses = table.map { $0.split(separator: " ", omittingEmptySubsequences: true)[3] }
            #expect(statuses == Array(repeating: "completed", count: 10), "\(result.stdout)")
        }
        // They met: at least one point was found running in the other process.
        #expect(results.contains { $0.stdout.contains("running elsewhere") }, "\(results[0].stdout)\n\(results[1].stdout)")
        // The same grid, one process, somewhere else.
        let sequential = try Scratch("sweep-sequential", config: grid)
        let alone = try sequential.geodim(["sweep", sequential.configPath] + sequential.placement)
        #expect(alone.status == 0, "\(alone.stderr)")
        let list = try scratch.geodim(["sweep", scratch.configPath, "--list", "--json"] + scratch.placement)
        let aloneList = try sequential.geodim(["sweep", sequential.configPath, "--list", "--json"] + sequential.placement)
        let shared = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stdout)")
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(aloneList.stdout.utf8)) as? [[String: Any]])
        #expect(shared.count == 10 && reference.count == 10)
        for (a, b) in zip(shared, reference) {
            #expect(a["status"] as? String == "completed", "\(a)")
            try expectSameRun(try #require(b["directory"] as? String), try #require(a["directory"] as? String))
        }
    }

    @Test("a grid from --set on a plain config: --index runs a point, and the same command finds it again (a requeued task)")
    func commandLineGrid() throws {
        let config = runnerConfig.replacingOccurrences(of: "  epochs: 4", with: "  epochs: 2")
        let scratch = try Scratch("sweep-set", config: config)
        let axes = ["--set", "seed=0,1", "--set", "optimizer.lr=0.05,0.02"]
        let one = try scratch.geodim(["sweep", scratch.configPath, "--index", "2"] + axes + scratch.placement)
        #expect(one.status == 0, "\(one.stderr)")
        let list = try scratch.geodim(["sweep", scratch.configPath, "--list", "--json"] + axes + scratch.placement)
        let points = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stdout)")
        #expect(points.map { $0["status"] as? String } == ["pending", "pending", "completed", "pending"], "\(points)")
        #expect(points[2]["label"] as? String == "seed=1 optimizer.lr=0.05")
        let again = try scratch.geodim(["sweep", scratch.configPath, "--index", "2"] + axes + scratch.placement)
        #expect(again.status == 0 && again.stdout.contains("already completed"), "\(again.stdout)")
        // The point is the run geodim train makes of the same config and values.
        let single = try scratch.geodim(
            ["train", scratch.configPath, "--run-dir", scratch.runs + "/straight", "seed=1", "optimizer.lr=0.05"] + scratch.placement)
        #expect(single.status == 0, "\(single.stderr)")
        try expectSameRun(scratch.runs + "/straight", try #require(points[2]["directory"] as? String))
    }
}
