// MARK: - Arithmetic modulo a word-size prime, and the exact image of a binary float in it

/// The integers modulo an odd prime p < 2^26, residues canonical in [0, p).
///
/// Residues travel as `UInt64` in scalar code and as `Double` in matrices (what FFLAS-FFPACK
/// computes on); both hold the same exact integers.
public struct PrimeField: Sendable, Hashable, CustomStringConvertible {
    /// The modulus.
    public let prime: UInt64

    /// The field modulo `prime`. Throws unless `prime` is an odd prime in [3, 2^26).
    public init(prime: UInt64) throws {
        guard prime >= 3, prime < PrimeField.primeLimit, isPrime(prime) else {
            throw ModularLinalgError.invalidPrime(prime)
        }
        self.prime = prime
        self.inverseOfTwo = (prime + 1) / 2
    }

    /// The modulus bound of the FFLAS-FFPACK shim (exclusive): 2^26.
    public static let primeLimit: UInt64 = 1 << 26

    /// 2⁻¹ mod p.
    let inverseOfTwo: UInt64

    public var description: String { "F_\(prime)" }

    /// (a + b) mod p.
    @inlinable public func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let s = a + b
        return s >= prime ? s - prime : s
    }

    /// (a − b) mod p.
    @inlinable public func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 { a >= b ? a - b : a + prime - b }

    /// (a · b) mod p (a, b < p < 2^26, so the product fits in 52 bits).
    @inlinable public func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 { (a &* b) % prime }

    /// −a mod p.
    @inlinable public func negate(_ a: UInt64) -> UInt64 { a == 0 ? 0 : prime - a }

    /// a^e mod p.
    public func power(_ a: UInt64, _ exponent: UInt64) -> UInt64 {
        powerBySquaring(a % prime, exponent, multiply)
    }

    /// a⁻¹ mod p (Fermat). Throws for a ≡ 0.
    public func inverse(_ a: UInt64) throws -> UInt64 {
        guard a % prime != 0 else { throw ModularLinalgError.notInvertible(a, prime: prime) }
        return power(a, prime - 2)
    }

    /// The residue of a signed integer.
    public func residue(_ value: Int64) -> UInt64 {
        let r = value % Int64(prime)
        return UInt64(r < 0 ? r + Int64(prime) : r)
    }

    /// The residue of the rational number x, exactly: every finite binary float is m·2^e with an
    /// integer m, and maps to m·(2⁻¹)^(−e) mod p. Throws for NaN and ±∞.
    public func residue(exactly x: Double) throws -> UInt64 {
        guard x.isFinite else { throw ModularLinalgError.notFinite(x) }
        if x == 0 { return 0 }
        let (significand, exponent) = integerSignificand(x)
        let m = residue(Int64(significand % prime) * (x < 0 ? -1 : 1))
        return multiply(m, powerOfTwo(exponent))
    }

    /// 2^e mod p for any integer e (negative e through 2⁻¹).
    public func powerOfTwo(_ exponent: Int) -> UInt64 {
        exponent >= 0 ? power(2, UInt64(exponent)) : power(inverseOfTwo, UInt64(-exponent))
    }
}

/// |x| = significand · 2^exponent with an odd integer significand < 2^53 (x finite, nonzero):
/// the exact dyadic form of a binary float.
public func integerSignificand(_ x: Double) -> (significand: UInt64, exponent: Int) {
    let magnitude = x.magnitude
    var significand: UInt64
    var exponent: Int
    if magnitude.exponentBitPattern == 0 {  // subnormal: m · 2^(−1074)
        significand = magnitude.significandBitPattern
        exponent = -1074
    } else {
        significand = magnitude.significandBitPattern | (1 << 52)
        exponent = Int(magnitude.exponent) - 52
    }
    let shift = significand.trailingZeroBitCount
    significand >>= UInt64(shift)
    exponent += shift
    return (significand, exponent)
}

/// Deterministic Miller–Rabin for 64-bit integers (the first twelve primes as bases suffice
/// below 3.3·10^24).
public func isPrime(_ n: UInt64) -> Bool {
    if n < 2 { return false }
    let smallPrimes: [UInt64] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
    for q in smallPrimes where n % q == 0 { return n == q }
    var d = n - 1
    var s = 0
    while d & 1 == 0 {
        d >>= 1
        s += 1
    }
    func mulmod(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return n.dividingFullWidth((high, low)).remainder
    }
    witnesses: for a in smallPrimes {
        var x = powerBySquaring(a % n, d, mulmod)
        if x == 1 || x == n - 1 { continue }
        for _ in 1..<max(s, 1) {
            x = mulmod(x, x)
            if x == n - 1 { continue witnesses }
        }
        return false
    }
    return true
}

/// base^exponent by binary exponentiation under `multiply` (a modular product); base is
/// already reduced.
private func powerBySquaring(_ base: UInt64, _ exponent: UInt64, _ multiply: (UInt64, UInt64) -> UInt64) -> UInt64 {
    var result: UInt64 = 1
    var square = base
    var e = exponent
    while e > 0 {
        if e & 1 == 1 { result = multiply(result, square) }
        square = multiply(square, square)
        e >>= 1
    }
    return result
}
