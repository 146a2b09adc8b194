/// A `Duration` as a number of seconds (attosecond resolution kept to a Double's precision):
/// the one conversion every timing in geodim uses.
@inlinable
public func seconds(_ duration: Duration) -> Double {
    let (whole, fraction) = duration.components
    return Double(whole) + Double(fraction) * 1e-18
}
