import COpenBLAS
import Foundation

// MARK: - Inertia of a symmetric matrix (LAPACK dsytrf, Bunch–Kaufman LDLᵀ)

/// The inertia of A − shift·I: how many eigenvalues of A lie above, below and at `shift`.
///
/// a is (n, n), row-major, symmetric; only its upper triangle is read. By Sylvester's law
/// of inertia, A − shift·I = L·D·Lᵀ (Bunch–Kaufman: P·(A − shift·I)·Pᵀ = L·D·Lᵀ with D block
/// diagonal, 1 × 1 and 2 × 2 blocks) has as many positive, negative and zero eigenvalues as
/// D, whose blocks are read off directly. About n³/3 flops, several times cheaper than
/// a full eigenvalue decomposition.
///
/// Eigenvalues within rounding (about n·eps·‖A‖) of `shift` may land on either side: the
/// count is exact for the matrix as stored only up to backward stability of the factorisation.
public func inertia(_ a: [Double], n: Int, shift: Double) throws -> (positive: Int, negative: Int, zero: Int) {
    let routine = "dsytrf"
    guard a.count == n * n else {
        throw LinalgError.shapeMismatch(routine, expected: n * n, actual: a.count, shape: "\(n) × \(n)")
    }
    if n == 0 { return (0, 0, 0) }
    try checkFinite(a, routine)
    guard shift.isFinite else {
        throw LinalgError(routine: routine, info: 0, message: "the shift \(shift) is not finite")
    }
    var factor = a
    for i in 0..<n { factor[i * n + i] -= shift }
    return try factorInPlaceForInertia(&factor, n: n)
}

/// Counts of eigenvalues strictly above each of `thresholds`, for the symmetric matrix in
/// `a` (n × n, row-major, upper triangle read), using one LDLᵀ factorisation per threshold
/// and no second n × n buffer.
///
/// dsytrf('L') on the row-major buffer overwrites only its upper triangle and diagonal, so
/// the upper triangle is first mirrored into the untouched strict lower triangle and the
/// diagonal saved; between factorisations the matrix is restored from them. On return `a`
/// holds the matrix again (both triangles filled).
public func eigenvalueCountsAbove(_ a: inout [Double], n: Int, thresholds: [Double]) throws -> [Int] {
    let routine = "dsytrf"
    guard a.count == n * n else {
        throw LinalgError.shapeMismatch(routine, expected: n * n, actual: a.count, shape: "\(n) × \(n)")
    }
    if n == 0 { return thresholds.map { _ in 0 } }
    try checkFinite(a, routine)
    for threshold in thresholds where !threshold.isFinite {
        throw LinalgError(routine: routine, info: 0, message: "the threshold \(threshold) is not finite")
    }
    let diagonal = (0..<n).map { a[$0 * n + $0] }
    a.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        mirrorTriangle(base, n: n, upperToLower: true)
    }
    var counts: [Int] = []
    for (index, threshold) in thresholds.enumerated() {
        if index > 0 { restoreUpperFromLower(&a, n: n, diagonal: diagonal) }
        for i in 0..<n { a[i * n + i] = diagonal[i] - threshold }
        counts.append(try factorInPlaceForInertia(&a, n: n).positive)
    }
    restoreUpperFromLower(&a, n: n, diagonal: diagonal)
    return counts
}

private func restoreUpperFromLower(_ a: inout [Double], n: Int, diagonal: [Double]) {
    a.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        for i in 0..<n { base[i * n + i] = diagonal[i] }
        mirrorTriangle(base, n: n, upperToLower: false)
    }
}

/// Runs dsytrf('L') on `factor` (row-major, upper triangle = column-major lower) in place and
/// reads the inertia off the block-diagonal D.
private func factorInPlaceForInertia(_ factor: inout [Double], n: Int) throws -> (positive: Int, negative: Int, zero: Int) {
    let routine = "dsytrf"
    var n32 = try lapackInt(n, routine)
    var lda = n32
    var ipiv = [Int32](repeating: 0, count: n)
    var info: Int32 = 0

    var workQuery = 0.0
    var lwork: Int32 = -1
    factor.withUnsafeMutableBufferPointer { fp in
        dsytrf_("L", &n32, fp.baseAddress, &lda, &ipiv, &workQuery, &lwork, &info, 1)
    }
    if info < 0 { throw LinalgError.illegalArgument(routine, info: info) }
    var work = [Double](repeating: 0, count: workspaceSize(workQuery))
    lwork = try lapackInt(work.count, routine)
    factor.withUnsafeMutableBufferPointer { fp in
        dsytrf_("L", &n32, fp.baseAddress, &lda, &ipiv, &work, &lwork, &info, 1)
    }
    if info < 0 { throw LinalgError.illegalArgument(routine, info: info) }
    // info > 0: D(info, info) is exactly zero. The factorisation is complete and the zero is
    // part of the inertia, so it is not an error here.

    // D lives on the diagonal and first subdiagonal of the column-major factor: element
    // (r, c) at r + c·n. With uplo = 'L', ipiv[k] > 0 marks a 1 × 1 block at k and
    // ipiv[k] = ipiv[k+1] < 0 a 2 × 2 block at k, k+1.
    var positive = 0
    var negative = 0
    var zero = 0
    var k = 0
    while k < n {
        if ipiv[k] > 0 || k == n - 1 {
            let d = factor[k + k * n]
            if d > 0 { positive += 1 } else if d < 0 { negative += 1 } else { zero += 1 }
            k += 1
        } else {
            let a11 = factor[k + k * n]
            let a21 = factor[(k + 1) + k * n]
            let a22 = factor[(k + 1) + (k + 1) * n]
            // Signs of the two eigenvalues of [[a11, a21], [a21, a22]] from det and trace.
            let det = a11 * a22 - a21 * a21
            let trace = a11 + a22
            if det < 0 {
                positive += 1
                negative += 1
            } else if det > 0 {
                if trace > 0 { positive += 2 } else { negative += 2 }
            } else {
                zero += 1
                if trace > 0 { positive += 1 } else if trace < 0 { negative += 1 } else { zero += 1 }
            }
            k += 2
        }
    }
    return (positive, negative, zero)
}

/// The number of eigenvalues of the symmetric matrix A strictly above `threshold`, from the
/// inertia of A − threshold·I (see ``inertia(_:n:shift:)``). a is (n, n), row-major, upper
/// triangle read.
public func countEigenvaluesAbove(_ a: [Double], n: Int, threshold: Double) throws -> Int {
    try inertia(a, n: n, shift: threshold).positive
}

/// ``eigenvalueCountsAbove(_:n:thresholds:)`` with the factorisations run two at a time, each
/// single-threaded on its own copy of the matrix: the Bunch–Kaufman panel work is mostly
/// level-2 BLAS and gains little from a second BLAS thread, while two independent
/// factorisations use both cores fully. Needs one extra n × n buffer. The BLAS thread count
/// is restored on return; `a` is left holding the matrix.
public func eigenvalueCountsAboveInParallel(_ a: inout [Double], n: Int, thresholds: [Double]) throws -> [Int] {
    guard thresholds.count >= 2, n > 0 else { return try eigenvalueCountsAbove(&a, n: n, thresholds: thresholds) }
    let threads = BLASRuntime.threadCount
    BLASRuntime.setThreadCount(1)
    defer { BLASRuntime.setThreadCount(threads) }
    var counts = [Int](repeating: 0, count: thresholds.count)
    var index = 0
    while index < thresholds.count {
        if index + 1 == thresholds.count {
            counts[index] = try eigenvalueCountsAbove(&a, n: n, thresholds: [thresholds[index]])[0]
            index += 1
            continue
        }
        var second = a
        second.withUnsafeMutableBufferPointer { _ in }  // force the one copy now, not inside a lane
        let lanes = ParallelLanes(first: a, second: second, n: n, thresholds: (thresholds[index], thresholds[index + 1]))
        a = []  // each lane now holds the only reference to its matrix
        second = []
        DispatchQueue.concurrentPerform(iterations: 2) { lane in lanes.run(lane) }
        a = lanes.first
        counts[index] = try lanes.firstCount.get()
        counts[index + 1] = try lanes.secondCount.get()
        index += 2
    }
    return counts
}

/// Two independent factorisations, one per lane, each on its own matrix and threshold. Lane 0
/// touches only `first`/`firstCount`, lane 1 only `second`/`secondCount`.
private final class ParallelLanes: @unchecked Sendable {
    var first: [Double]
    var second: [Double]
    let n: Int
    let thresholds: (Double, Double)
    var firstCount: Result<Int, Error> = .success(0)
    var secondCount: Result<Int, Error> = .success(0)

    init(first: [Double], second: [Double], n: Int, thresholds: (Double, Double)) {
        self.first = first
        self.second = second
        self.n = n
        self.thresholds = thresholds
    }

    func run(_ lane: Int) {
        if lane == 0 {
            firstCount = Result { try eigenvalueCountsAbove(&first, n: n, thresholds: [thresholds.0])[0] }
        } else {
            secondCount = Result { try eigenvalueCountsAbove(&second, n: n, thresholds: [thresholds.1])[0] }
        }
    }
}
