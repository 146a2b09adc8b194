import ModularLinalg
import SeededRandom

// MARK: - The primes the exact BFD reduces modulo, and the bound on being unlucky with them

/// The primes of the exact engine: every prime in [2^22, 2^23), drawn uniformly without
/// replacement. Below 2^23, FFLAS-FFPACK's balanced residues (|x| < 2^22) let dgemm sum 2^9
/// products before reducing, so rank runs at the speed of the smallest primes; larger primes
/// make each one rarer to be unlucky with but cost more (BENCHMARKS.md).
public enum ExactPrimes {
    /// The range the primes are drawn from, [2^22, 2^23).
    public static let range: Range<UInt64> = (1 << 22)..<(1 << 23)

    /// Every prime in ``range``, ascending (a sieve, computed once).
    public static let all: [UInt32] = {
        let low = Int(range.lowerBound), high = Int(range.upperBound)
        var composite = [Bool](repeating: false, count: high - low)
        var q = 2
        while q * q < high {
            var multiple = max(q * q, (low + q - 1) / q * q)
            while multiple < high {
                composite[multiple - low] = true
                multiple += q
            }
            q += 1
        }
        return (low..<high).compactMap { composite[$0 - low] ? nil : UInt32($0) }
    }()

    /// `count` distinct primes from ``range``, uniformly at random from the stream "exact-primes"
    /// of `seed`: the same seed gives the same primes.
    public static func draw(_ count: Int, seed: UInt64) -> [UInt64] {
        var generator = SeededGenerator(seed: seed, stream: "exact-primes")
        var chosen: [UInt64] = []
        var taken = Set<Int>()
        while chosen.count < min(count, all.count) {
            let index = generator.nextIndex(below: all.count)
            if taken.insert(index).inserted { chosen.append(UInt64(all[index])) }
        }
        return chosen
    }

    /// The probability that `primeCount` distinct primes drawn uniformly from ``range`` all
    /// divide a nonzero integer of at most `bits` bits: at most B = ⌊bits / 22⌋ primes of the
    /// range divide it, so the chance is at most Π_(j < k) (B − j)/(N − j), N the primes in the
    /// range. 1 when the bound says nothing.
    public static func failureBound(integerBits bits: Double, primeCount k: Int) -> Double {
        guard bits.isFinite else { return 1 }
        let divisors = (bits / 22).rounded(.down)  // every prime of the range exceeds 2^22
        let total = Double(all.count)
        var bound = 1.0
        for j in 0..<k {
            let factor = max(0, divisors - Double(j)) / (total - Double(j))
            bound *= min(1, factor)
        }
        return min(1, bound)
    }
}
