import Foundation
import Testing
import TestSupport

/// The smoke test of `make reproduce`: `scripts/reproduce.py --quick` runs every sweep of
/// configs/reproduce/ at reduced size (about two minutes on two cores) and draws the report.
@Suite("reproduce.py --quick", .serialized, .enabled(if: matplotlibAvailable, "needs matplotlib: bash scripts/setup.sh --plots"))
struct ReproduceTests {
    @Test("every sweep runs, every figure is drawn, and the paper's rule respects the softmax row cap")
    func quickReproduction() throws {
        let output = try makeTemporaryDirectory("reproduce")
        let run = try runProgram(
            "/usr/bin/env", ["python3", "scripts/reproduce.py", "--quick", "--output", output],
            directory: packageRoot().path)
        #expect(run.status == 0, "reproduce.py failed: \(run.stderr)")
        for name in ["training-sgd", "training-adam", "width", "input-noise", "random-labels"] {
            let data = FileManager.default.contents(atPath: "\(output)/report/\(name).png") ?? Data()
            #expect(Array(data.prefix(4)) == [0x89, 0x50, 0x4E, 0x47] && data.count > 10_000, "\(name).png")
        }
        let results = try String(contentsOfFile: output + "/report/results.md", encoding: .utf8)
        #expect(results.contains("- Logs: 38 runs"), "\(results.suffix(600))")
        // The paper's rule, recomputed by numpy from the first SGD log: one rank per checkpoint,
        // none above n·(d − 1) = 900, the exact rank of the softmax outputs of 100 inputs.
        let stateData = try #require(FileManager.default.contents(atPath: output + "/runs/reproduce-state.json"))
        let state = try #require(try JSONSerialization.jsonObject(with: stateData) as? [String: Any])
        let rows = try #require(state["paper_rule"] as? [[String: Any]])
        #expect(rows.count == 8)
        #expect(rows.allSatisfy { ($0["rank_numpy"] as? Int).map { $0 > 0 && $0 <= 900 } ?? false }, "\(rows)")
        #expect((rows.first?["rank_numpy"] as? Int) == 900, "at initialisation the softmax rank is its cap")
    }
}
