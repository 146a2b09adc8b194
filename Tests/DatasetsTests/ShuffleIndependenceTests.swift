import Datasets
import Foundation
import Testing
import TestSupport

/// The per-epoch shuffles are independent across epochs and seeds, measured with statistics
/// whose null distributions are known, and set beside the same statistics of a reference:
/// the standard library's `shuffle(using:)` driven by SplitMix64 (`TestRandom`), which shares
/// no code with `epochOrder`.
///
/// n = 60,000 (the MNIST training set), epochs 1–12 and seeds 0–5 as training uses them.
/// Thresholds: every statistic is turned into a z-score (or a χ² upper-tail bound); a check
/// fails beyond 5 standard deviations, p ≈ 6·10⁻⁷ per check, 2·10⁻⁴ over the ~300 checks.
@Suite("epoch shuffles are independent across epochs and seeds")
struct ShuffleIndependenceTests {
    static let n = 60_000
    static let epochs = Array(1...12)
    static let seeds: [UInt64] = Array(0...5)
    static let zLimit = 5.0

    /// position[i] = where sample i lands in `order`.
    static func positions(_ order: [Int]) -> [Int] {
        var position = [Int](repeating: 0, count: order.count)
        for (k, sample) in order.enumerated() { position[sample] = k }
        return position
    }

    /// Pearson's r between two position vectors, times √(n − 1): N(0, 1) for independent
    /// uniform permutations (large n).
    static func correlationZ(_ a: [Int], _ b: [Int]) -> Double {
        let count = Double(a.count)
        let mean = (count - 1) / 2
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in 0..<a.count {
            let x = Double(a[i]) - mean, y = Double(b[i]) - mean
            sab += x * y
            saa += x * x
            sbb += y * y
        }
        return sab / (saa * sbb).squareRoot() * (count - 1).squareRoot()
    }

    /// Where each sample lands in two orders, binned into 10 × 10 position deciles: Pearson's
    /// χ² of independence (81 degrees of freedom), as a z-score by Wilson–Hilferty.
    static func landingZ(_ a: [Int], _ b: [Int]) -> Double {
        let bins = 10
        var table = [Int](repeating: 0, count: bins * bins)
        for i in 0..<a.count { table[(a[i] * bins / a.count) * bins + b[i] * bins / b.count] += 1 }
        let expected = Double(a.count) / Double(bins * bins)
        let chi2 = table.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        return wilsonHilferty(chi2, degrees: Double((bins - 1) * (bins - 1)))
    }

    /// The z-score of a χ²_k value (Wilson–Hilferty: (χ²/k)^(1/3) is nearly normal).
    static func wilsonHilferty(_ chi2: Double, degrees k: Double) -> Double {
        (pow(chi2 / k, 1.0 / 3) - (1 - 2 / (9 * k))) / (2 / (9 * k)).squareRoot()
    }

    /// The samples in the last `k` positions of an order: the last batch of any batch size
    /// ≥ k (Fisher–Yates fills the end first, so every batch size shares this tail).
    static func tail(_ order: [Int], _ k: Int) -> Set<Int> { Set(order.suffix(k)) }

    /// The orders of every (seed, epoch) pair, from geodim and from the reference, drawn once
    /// for all the tests.
    static let geodimOrders = makeOrders(reference: false)
    static let referenceOrders = makeOrders(reference: true)

    static func orders(reference: Bool) -> [[Int]] { reference ? referenceOrders : geodimOrders }

    private static func makeOrders(reference: Bool) -> [[Int]] {
        var all: [[Int]] = []
        for seed in seeds {
            for epoch in epochs {
                if reference {
                    var random = TestRandom(seed: seed &* 1_000 &+ UInt64(epoch))
                    var order = Array(0..<n)
                    order.shuffle(using: &random)
                    all.append(order)
                } else {
                    all.append(epochOrder(count: n, epoch: epoch, seed: seed))
                }
            }
        }
        return all
    }

    /// The pairs compared: consecutive epochs of one seed, and one epoch across seeds.
    static var pairs: [(Int, Int)] {
        let e = epochs.count
        var result: [(Int, Int)] = []
        for s in 0..<seeds.count {
            for k in 0..<(e - 1) { result.append((s * e + k, s * e + k + 1)) }
        }
        for k in 0..<e {
            for s in 0..<(seeds.count - 1) { result.append((s * e + k, (s + 1) * e + k)) }
        }
        return result
    }

    @Test("positions are uncorrelated between epochs and between seeds, as in the reference")
    func positionCorrelation() {
        for reference in [false, true] {
            let positions = Self.orders(reference: reference).map(Self.positions)
            let z = Self.pairs.map { Self.correlationZ(positions[$0.0], positions[$0.1]) }
            let worst = z.map(abs).max() ?? 0
            #expect(worst < Self.zLimit, "\(reference ? "reference" : "geodim"): largest |z| \(worst)")
            // Σ z² over the pairs is χ² with one degree per pair if they are N(0, 1).
            let sum = z.reduce(0) { $0 + $1 * $1 }
            let aggregate = Self.wilsonHilferty(sum, degrees: Double(z.count))
            #expect(abs(aggregate) < Self.zLimit, "\(reference ? "reference" : "geodim"): Σz² = \(sum) over \(z.count) pairs")
        }
    }

    @Test("where each sample lands in one epoch says nothing of where it lands in another")
    func landingPositions() {
        for reference in [false, true] {
            let positions = Self.orders(reference: reference).map(Self.positions)
            let z = Self.pairs.map { Self.landingZ(positions[$0.0], positions[$0.1]) }
            #expect((z.max() ?? 0) < Self.zLimit, "\(reference ? "reference" : "geodim"): largest z \(z.max() ?? 0)")
            // The z-scores themselves average 0 with variance 1 under independence.
            let mean = z.reduce(0, +) / Double(z.count)
            #expect(abs(mean) * Double(z.count).squareRoot() < Self.zLimit, "mean landing z \(mean)")
        }
    }

    @Test("the last batches of different epochs and seeds share samples only by chance")
    func lastBatchOverlap() {
        // The tail of 96 rows is the partial last batch of 60,000 at batch 128 or 256.
        let k = 96
        for reference in [false, true] {
            let tails = Self.orders(reference: reference).map { Self.tail($0, k) }
            var overlap = 0
            var pairCount = 0
            for a in 0..<tails.count {
                for b in (a + 1)..<tails.count {
                    overlap += tails[a].intersection(tails[b]).count
                    pairCount += 1
                }
            }
            // Hypergeometric per pair: mean k²/n, variance k²/n · (n−k)²/(n(n−1)). Overlaps of
            // different pairs are uncorrelated (given one tail, the other pair's overlap has
            // the same law whatever that tail is), so the variances add.
            let nn = Double(Self.n), kk = Double(k)
            let mean = kk * kk / nn
            let variance = mean * (nn - kk) * (nn - kk) / (nn * (nn - 1))
            let z = (Double(overlap) - mean * Double(pairCount)) / (variance * Double(pairCount)).squareRoot()
            #expect(abs(z) < Self.zLimit, "\(reference ? "reference" : "geodim"): \(overlap) shared samples over \(pairCount) pairs, z \(z)")
        }
    }

    @Test("each sample's position is uniform over epochs: χ² of the position deciles per sample block")
    func positionUniformity() {
        // 100 blocks of 600 consecutive samples × 10 position deciles, counted over every order.
        let blocks = 100, bins = 10
        for reference in [false, true] {
            var table = [Int](repeating: 0, count: blocks * bins)
            for order in Self.orders(reference: reference) {
                for (k, sample) in order.enumerated() {
                    table[(sample * blocks / Self.n) * bins + k * bins / Self.n] += 1
                }
            }
            let total = Double(Self.seeds.count * Self.epochs.count * Self.n)
            let expected = total / Double(blocks * bins)
            let chi2 = table.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
            let z = Self.wilsonHilferty(chi2, degrees: Double((blocks - 1) * (bins - 1)))
            #expect(abs(z) < Self.zLimit, "\(reference ? "reference" : "geodim"): χ² \(chi2), z \(z)")
        }
    }
}
