/// A failure of modular linear algebra: an invalid modulus or residue, a dimension that does not
/// fit its buffer, or an error FFLAS-FFPACK reported (with its message).
public enum ModularLinalgError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The modulus is not an odd prime in [3, 2^26).
    case invalidPrime(UInt64)
    /// A residue with no inverse (≡ 0).
    case notInvertible(UInt64, prime: UInt64)
    /// NaN or ±∞ has no residue.
    case notFinite(Double)
    /// A buffer whose length does not match the dimensions given.
    case shapeMismatch(what: String, expected: Int, actual: Int)
    /// FFLAS-FFPACK (through the shim) reported a failure.
    case library(routine: String, code: Int, message: String)

    public var description: String {
        switch self {
        case .invalidPrime(let p):
            return "\(p) is not an odd prime below 2^26 (the modulus FFLAS-FFPACK's ModularBalanced<double> accepts)"
        case let .notInvertible(a, p):
            return "\(a) is 0 modulo \(p) and has no inverse"
        case .notFinite(let x):
            return "\(x) is not a finite number, so it has no residue modulo a prime"
        case let .shapeMismatch(what, expected, actual):
            return "\(what) has \(actual) elements but \(expected) were expected"
        case let .library(routine, code, message):
            return "\(routine) failed (code \(code)): \(message)"
        }
    }
}
