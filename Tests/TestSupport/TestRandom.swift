import Foundation

/// SplitMix64: a tiny deterministic generator for test data, deliberately independent of
/// the project's own `SeededGenerator` so that test inputs do not share code with what they test.
public struct TestRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform Double in `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// A standard normal Double (Box–Muller, one value per call).
    public mutating func normal() -> Double {
        var u1 = unit()
        while u1 == 0 { u1 = unit() }
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * unit())
    }

    /// A uniform Double in [0, 1) (the same as ``unit()``).
    public mutating func uniform() -> Double { unit() }

    /// A uniform Double in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// A uniform integer in `range` (modulo reduction: a negligible bias for small ranges).
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// `count` standard normals.
    public mutating func normals(_ count: Int) -> [Double] { (0..<count).map { _ in normal() } }

    /// A uniform integer in 0..<bound.
    public mutating func index(below bound: Int) -> Int { Int.random(in: 0..<bound, using: &self) }
}

/// `count` deterministic values drawn uniformly from `range` with ``TestRandom``.
public func deterministicArray<S: BinaryFloatingPoint>(
    count: Int, seed: UInt64, in range: ClosedRange<Double> = -1...1, as _: S.Type = S.self
) -> [S] {
    var random = TestRandom(seed: seed)
    return (0..<count).map { _ in S(random.uniform(range)) }
}

/// Overwrites every element of `array` with a deterministic value from `range`.
public func fillDeterministic<S: BinaryFloatingPoint>(
    _ array: inout [S], seed: UInt64, in range: ClosedRange<Double> = -1...1
) {
    var random = TestRandom(seed: seed)
    for i in array.indices { array[i] = S(random.uniform(range)) }
}
