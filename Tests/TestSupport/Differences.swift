import Foundation

// MARK: - Differences between a result and its reference
//
// All helpers take any two collections of floating-point values of equal length (they may
// differ in element type, e.g. a Float result against a Double reference) and answer in
// Double.

/// max |a_i|, 0 for an empty collection.
public func maxAbs<A: Collection>(_ a: A) -> Double where A.Element: BinaryFloatingPoint {
    a.reduce(0.0) { Swift.max($0, abs(Double($1))) }
}

/// ‖a‖₂, accumulated in Double.
public func euclideanNorm<A: Collection>(_ a: A) -> Double where A.Element: BinaryFloatingPoint {
    a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
}

/// max_i |a_i − b_i|. NaN anywhere gives NaN, so a comparison with a tolerance fails.
public func maxAbsDifference<A: Collection, B: Collection>(_ a: A, _ b: B) -> Double
where A.Element: BinaryFloatingPoint, B.Element: BinaryFloatingPoint {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    var result = 0.0
    for (x, y) in zip(a, b) {
        let difference = abs(Double(x) - Double(y))
        if difference.isNaN { return .nan }
        result = Swift.max(result, difference)
    }
    return result
}

/// max_i |a_i − b_i| / max(|a_i|, |b_i|, floor): the worst entry-wise relative difference;
/// `floor` keeps entries that are both (nearly) zero from dividing by zero.
public func maxRelativeDifference<A: Collection, B: Collection>(
    _ a: A, _ b: B, floor: Double = .leastNormalMagnitude
) -> Double where A.Element: BinaryFloatingPoint, B.Element: BinaryFloatingPoint {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    var result = 0.0
    for (x, y) in zip(a, b) {
        let (u, v) = (Double(x), Double(y))
        let relative = abs(u - v) / Swift.max(abs(u), abs(v), floor)
        if relative.isNaN { return .nan }
        result = Swift.max(result, relative)
    }
    return result
}

/// ‖a − b‖₂ / max(‖a‖₂, ‖b‖₂, floor): a relative difference of whole vectors (e.g. one
/// gradient block) that tiny entries cannot dominate.
public func relativeNormDifference<A: Collection, B: Collection>(
    _ a: A, _ b: B, floor: Double = .leastNormalMagnitude
) -> Double where A.Element: BinaryFloatingPoint, B.Element: BinaryFloatingPoint {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    let difference = zip(a, b).reduce(0.0) { sum, pair in
        let d = Double(pair.0) - Double(pair.1)
        return sum + d * d
    }.squareRoot()
    return difference / Swift.max(euclideanNorm(a), euclideanNorm(b), floor)
}

/// One fixed-format line: `label: 1.234e-07 (tolerance 1.0e-05)`, with `  FAILED` appended
/// when value > tolerance or value is NaN.
public func formatDifference(_ label: String, _ value: Double, tolerance: Double) -> String {
    "\(label): \(String(format: "%.3e", value)) (tolerance \(String(format: "%.1e", tolerance)))"
        + (value <= tolerance ? "" : "  FAILED")
}

/// Prints ``formatDifference(_:_:tolerance:)``'s line and returns whether value ≤ tolerance
/// (false for NaN), for `#expect(reportDifference(...))`.
@discardableResult
public func reportDifference(_ label: String, _ value: Double, tolerance: Double) -> Bool {
    print(formatDifference(label, value, tolerance: tolerance))
    return value <= tolerance
}

/// Collects the lines of one test and prints them in a single write, so that the reports
/// of tests running in parallel do not interleave. Use one per test (it is not Sendable):
///
///     let log = DifferenceLog("forward 7-5-4-3")
///     defer { log.flush() }
///     #expect(log.check("logits max|Δ|", maxAbsDifference(a, b), tolerance: 1e-12))
public final class DifferenceLog {
    private var lines: [String]

    public init(_ title: String) { lines = [title] }

    /// Records ``formatDifference(_:_:tolerance:)``'s line (indented) and returns whether
    /// value ≤ tolerance (false for NaN).
    @discardableResult
    public func check(_ label: String, _ value: Double, tolerance: Double) -> Bool {
        lines.append("  " + formatDifference(label, value, tolerance: tolerance))
        return value <= tolerance
    }

    /// Records a free-form line (indented).
    public func note(_ line: String) { lines.append("  " + line) }

    /// Prints everything recorded so far at once and starts over with no lines.
    public func flush() {
        print(lines.joined(separator: "\n"))
        lines = []
    }
}
