import COpenBLAS

/// An estimate of the largest eigenvalue of a symmetric positive semi-definite matrix by
/// power iteration (dsymv on the upper triangle), from a fixed start vector with entries
/// frac((i + 1)·φ) − ½ (the golden-ratio sequence, normalised).
///
/// Not the vector of ones: that vector lies in the kernel of the row-side Gram matrix of every
/// centred or softmax Jacobian (each sample's d rows sum to zero), where the iteration would
/// return 0. The golden-ratio vector has no such structure.
///
/// a is (n, n), row-major, upper triangle read. Returns the Rayleigh quotient after
/// `iterations` steps: a lower bound on λ_max that, for the Gram matrices geodim builds,
/// is within a few percent after a dozen steps. Cost: `iterations`·2n² flops.
public func largestEigenvalueEstimate(_ a: [Double], n: Int, iterations: Int = 12) throws -> Double {
    let routine = "dsymv"
    guard a.count == n * n else {
        throw LinalgError.shapeMismatch(routine, expected: n * n, actual: a.count, shape: "\(n) × \(n)")
    }
    if n == 0 { return 0 }
    let n32 = try lapackInt(n, routine)
    let phi = (5.0.squareRoot() - 1) / 2
    var x = (0..<n).map { i -> Double in
        let t = Double(i + 1) * phi
        return t - t.rounded(.down) - 0.5
    }
    let startNorm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
    for i in 0..<n { x[i] /= startNorm }
    var y = [Double](repeating: 0, count: n)
    var rayleigh = 0.0
    for _ in 0..<max(1, iterations) {
        a.withUnsafeBufferPointer { ap in
            cblas_dsymv(CblasRowMajor, CblasUpper, n32, 1, ap.baseAddress, n32, x, 1, 0, &y, 1)
        }
        rayleigh = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
        let norm = y.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { return max(rayleigh, 0) }
        for i in 0..<n { x[i] = y[i] / norm }
    }
    return rayleigh
}
