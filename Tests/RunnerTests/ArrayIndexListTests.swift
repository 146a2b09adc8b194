import Foundation
import Testing

import Runner
import TestSupport

/// `arrayIndexList`, the `sbatch --array=` form `geodim sweep --list --unfinished` prints.
@Suite("sbatch --array index lists")
struct ArrayIndexListTests {
    /// Slurm's reading of an `--array` list without steps or throttle: comma-separated
    /// indices and inclusive `first-last` ranges. Written independently of the code under test.
    private func expand(_ list: String) -> [Int]? {
        if list.isEmpty { return [] }
        var indices: [Int] = []
        for part in list.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch bounds.count {
            case 1:
                guard let value = bounds[0] else { return nil }
                indices.append(value)
            case 2:
                guard let first = bounds[0], let last = bounds[1], first < last else { return nil }
                indices += Array(first...last)
            default:
                return nil
            }
        }
        return indices
    }

    @Test func examples() {
        #expect(arrayIndexList([]) == "")
        #expect(arrayIndexList([7]) == "7")
        #expect(arrayIndexList([1, 3, 4, 5]) == "1,3-5")
        #expect(arrayIndexList([5, 4, 3, 1, 4]) == "1,3-5")
        #expect(arrayIndexList([0, 1]) == "0-1")
        #expect(arrayIndexList([0, 2, 4, 5, 6, 7, 9, 10]) == "0,2,4-7,9-10")
    }

    @Test("random subsets: the list expands to exactly the set, sorted, with maximal runs")
    func randomSubsets() throws {
        var random = TestRandom(seed: 16)
        for trial in 0..<500 {
            let size = 1 + Int(random.next() % 60)
            let density = random.unit()
            let set = (0..<size).filter { _ in random.unit() < density }
            let shuffled = (set + set.prefix(Int(random.next() % 3))).shuffled(using: &random)
            let list = arrayIndexList(shuffled)
            let expanded = try #require(expand(list), "trial \(trial): \(list) is not an --array list")
            #expect(expanded == set, "trial \(trial): \(shuffled) gave \(list)")
            // Maximal runs: one part per run of consecutive indices, so no part could be merged.
            let runs = zip(set, set.dropFirst()).filter { $0.1 != $0.0 + 1 }.count + (set.isEmpty ? 0 : 1)
            #expect(list.split(separator: ",").count == runs, "trial \(trial): \(list) for \(set)")
            #expect(!list.contains(" ") && !list.hasPrefix(",") && !list.hasSuffix(","), "\(list)")
        }
    }
}
