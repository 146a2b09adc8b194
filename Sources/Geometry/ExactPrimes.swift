import Foundation
import ModularLinalg
import SeededRandom

// MARK: - The primes the exact BFD reduces modulo, and the bound on being unlucky with them

/// The primes of one bit length, [2^(bits−1), 2^bits), from which the exact engine draws its
/// moduli uniformly without replacement.
///
/// The default, 23 bits, is the largest for which FFLAS-FFPACK's balanced residues (|x| < 2^22)
/// let dgemm sum 2^9 products before reducing, so rank runs at the speed of the smallest
/// primes. Longer primes (up to 26 bits) are rarer to be unlucky with, which sharpens the
/// failure bound of an uncertified rank, but each costs several times more (BENCHMARKS.md).
public struct ExactPrimes: Sendable, Equatable {
    /// The bit length: every prime in ``range`` has exactly this many bits.
    public let bits: Int

    /// 23: primes in [2^22, 2^23).
    public static let defaultBits = 23
    /// The bit lengths the shim's ModularBalanced<double> supports and the sieve keeps small.
    public static let allowedBits = 20...26

    /// The primes of `bits` bits. Throws for a length outside ``allowedBits``.
    public init(bits: Int = ExactPrimes.defaultBits) throws {
        guard ExactPrimes.allowedBits.contains(bits) else {
            throw GeometryError.invalidArgument(
                "the exact engine's prime length must be in \(ExactPrimes.allowedBits.lowerBound)...\(ExactPrimes.allowedBits.upperBound) bits (got \(bits))")
        }
        self.bits = bits
    }

    /// [2^(bits−1), 2^bits).
    public var range: Range<UInt64> { (1 << UInt64(bits - 1))..<(1 << UInt64(bits)) }

    /// Every prime in ``range``, ascending (a sieve, computed once per length and kept).
    public var all: [UInt32] { sieveCache.primes(bits: bits, range: range) }

    /// `count` distinct primes from ``range``, uniformly at random from the stream
    /// "exact-primes" of `seed`: the same seed gives the same primes.
    public func draw(_ count: Int, seed: UInt64) -> [UInt64] {
        let pool = all
        var generator = SeededGenerator(seed: seed, stream: "exact-primes")
        var chosen: [UInt64] = []
        var taken = Set<Int>()
        while chosen.count < min(count, pool.count) {
            let index = generator.nextIndex(below: pool.count)
            if taken.insert(index).inserted { chosen.append(UInt64(pool[index])) }
        }
        return chosen
    }

    /// The probability that `primeCount` distinct primes drawn uniformly from ``range`` all
    /// divide a nonzero integer of at most `integerBits` bits: each prime of the range exceeds
    /// 2^(bits−1), so at most B = ⌊integerBits / (bits − 1)⌋ of them divide it, and the chance
    /// is at most Π_(j < k) (B − j)/(N − j), N the primes in the range. 1 when the bound says
    /// nothing.
    public func failureBound(integerBits: Double, primeCount k: Int) -> Double {
        guard integerBits.isFinite else { return 1 }
        let divisors = (integerBits / Double(bits - 1)).rounded(.down)
        let total = Double(all.count)
        var bound = 1.0
        for j in 0..<k {
            bound *= min(1, max(0, divisors - Double(j)) / (total - Double(j)))
        }
        return min(1, bound)
    }
}

/// The sieved prime lists, one per bit length, computed on first use.
private final class SieveCache: @unchecked Sendable {
    private let lock = NSLock()
    private var lists: [Int: [UInt32]] = [:]

    func primes(bits: Int, range: Range<UInt64>) -> [UInt32] {
        lock.lock()
        defer { lock.unlock() }
        if let list = lists[bits] { return list }
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
        let list = (low..<high).compactMap { composite[$0 - low] ? nil : UInt32($0) }
        lists[bits] = list
        return list
    }
}

private let sieveCache = SieveCache()
