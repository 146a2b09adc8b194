import Foundation
import Linalg
import Testing
import TestSupport

// MARK: - Helpers

/// A random symmetric (n, n) matrix with N(0, 1) entries.
func randomSymmetric(_ n: Int, _ random: inout TestRandom) -> [Double] {
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in i..<n {
            let v = random.normal()
            a[i * n + j] = v
            a[j * n + i] = v
        }
    }
    return a
}

/// Q = product of Givens rotations G(p, q, θ) over all pairs, with fixed angles: orthogonal.
func rotation(_ n: Int) -> [Double] {
    var q = [Double](repeating: 0, count: n * n)
    for i in 0..<n { q[i * n + i] = 1 }
    for p in 0..<n {
        for r in (p + 1)..<n {
            let theta = 0.3 + 0.7 * Double(p) + 0.11 * Double(r)
            let c = cos(theta), s = sin(theta)
            for k in 0..<n {
                let qkp = q[k * n + p], qkr = q[k * n + r]
                q[k * n + p] = c * qkp - s * qkr
                q[k * n + r] = s * qkp + c * qkr
            }
        }
    }
    return q
}

// MARK: - Naive twins against closed forms

@Test func jacobiTwinMatchesClosedForms() {
    // [[2, 1], [1, 2]] has eigenvalues 3 and 1; a diagonal matrix its diagonal.
    let twoByTwo = LinalgReference.jacobiEigenvalues([2, 1, 1, 2], n: 2)
    #expect(maxAbsDifference(twoByTwo, [3, 1]) < 1e-14)
    let diagonal = LinalgReference.jacobiEigenvalues([4, 0, 0, 0, -2, 0, 0, 0, 9], n: 3)
    #expect(diagonal == [9, 4, -2])
    // Q·diag·Qᵀ with a known rotation.
    let n = 6
    let q = rotation(n)
    let d: [Double] = [5, -3, 2, 0.5, 1e-3, -7]
    var dq = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { dq[i * n + j] = d[i] * q[j * n + i] } }  // D·Qᵀ
    let a = LinalgReference.matmul(q, dq, m: n, k: n, n: n)
    let values = LinalgReference.jacobiEigenvalues(a, n: n)
    #expect(maxAbsDifference(values, d.sorted(by: >)) < 1e-13)
}

// MARK: - Symmetric eigenvalues

@Test func eigenvaluesOfDiagonalAreSortedDescending() throws {
    let d: [Double] = [3, -1, 7, 0, 2]
    var a = [Double](repeating: 0, count: 25)
    for i in 0..<5 { a[i * 5 + i] = d[i] }
    #expect(try symmetricEigenvalues(a, n: 5) == [7, 3, 2, 0, -1])
    #expect(try symmetricEigenvalues([], n: 0) == [])
}

@Test func eigenvaluesOfRotatedDiagonalAndVectors() throws {
    let n = 7
    let q = rotation(n)
    let d: [Double] = [10, -4, 3, 3, 1e-6, 0, -0.5]
    var dq = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { dq[i * n + j] = d[i] * q[j * n + i] } }
    let a = LinalgReference.matmul(q, dq, m: n, k: n, n: n)
    let values = try symmetricEigenvalues(a, n: n)
    #expect(maxAbsDifference(values, d.sorted(by: >)) < 1e-13)

    let (values2, v) = try symmetricEigen(a, n: n)
    #expect(maxAbsDifference(values2, values) < 1e-13)
    let av = LinalgReference.matmul(a, v, m: n, k: n, n: n)
    var vLambda = v
    for r in 0..<n { for c in 0..<n { vLambda[r * n + c] *= values2[c] } }
    #expect(maxAbsDifference(av, vLambda) < 1e-12)
    let vtv = LinalgReference.matmul(LinalgReference.transpose(v, rows: n, columns: n), v, m: n, k: n, n: n)
    var identity = [Double](repeating: 0, count: n * n)
    for i in 0..<n { identity[i * n + i] = 1 }
    #expect(maxAbsDifference(vtv, identity) < 1e-13)
}

@Test func eigenvaluesMatchJacobiTwin() throws {
    // Hilbert matrix: eigenvalues from ~1.7 down to ~1e-10.
    let n = 8
    var hilbert = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { hilbert[i * n + j] = 1 / Double(i + j + 1) } }
    let lapack = try symmetricEigenvalues(hilbert, n: n)
    let twin = LinalgReference.jacobiEigenvalues(hilbert, n: n)
    #expect(maxAbsDifference(lapack, twin) < 1e-14)
    #expect(lapack.last! > 0 && lapack.last! < 1e-9)

    var random = TestRandom(seed: 11)
    let m = 30
    let a = randomSymmetric(m, &random)
    let twinRandom = LinalgReference.jacobiEigenvalues(a, n: m)
    #expect(maxAbsDifference(try symmetricEigenvalues(a, n: m), twinRandom) < 1e-12)
}

@Test func eigenvaluesReadOnlyTheUpperTriangle() throws {
    var random = TestRandom(seed: 5)
    let n = 12
    let a = randomSymmetric(n, &random)
    var garbled = a
    for i in 0..<n { for j in 0..<i { garbled[i * n + j] = 1e3 * random.normal() } }
    // Not bitwise: the suite's tests run in parallel in one process and OpenBLAS's thread
    // count is process-wide (BLASRuntime.withThreadCount), so the two calls may run on
    // different thread counts and block differently. A read of the garbled triangle (entries
    // ~1e3) would move the eigenvalues by far more than this rounding-level tolerance.
    let clean = try symmetricEigenvalues(a, n: n)
    let scale = clean.map(abs).max() ?? 1
    #expect(maxAbsDifference(try symmetricEigenvalues(garbled, n: n), clean) <= 1e-12 * scale)
}

// MARK: - Singular values

@Test func singularValuesOfRectangularDiagonal() throws {
    // 3 × 5 with diagonal (2, −5, 0.25): singular values 5, 2, 0.25, in either orientation.
    var a = [Double](repeating: 0, count: 15)
    a[0 * 5 + 0] = 2
    a[1 * 5 + 1] = -5
    a[2 * 5 + 2] = 0.25
    #expect(maxAbsDifference(try singularValues(a, rows: 3, columns: 5), [5, 2, 0.25]) < 1e-15)
    let t = LinalgReference.transpose(a, rows: 3, columns: 5)
    #expect(maxAbsDifference(try singularValues(t, rows: 5, columns: 3), [5, 2, 0.25]) < 1e-15)
    #expect(try singularValues([], rows: 0, columns: 4) == [])
}

@Test func singularValuesRevealTheRankOfAProduct() throws {
    var random = TestRandom(seed: 7)
    for (rows, columns, rank) in [(20, 30, 4), (40, 9, 9), (25, 25, 13), (50, 60, 1)] {
        let u = random.normals(rows * rank)
        let v = random.normals(rank * columns)
        let a = LinalgReference.matmul(u, v, m: rows, k: rank, n: columns)
        let s = try singularValues(a, rows: rows, columns: columns)
        #expect(s.count == min(rows, columns))
        let threshold = s[0] * Double(max(rows, columns)) * Double.ulpOfOne
        #expect(s.filter { $0 > threshold }.count == rank)
        if rank < s.count { #expect(s[rank - 1] / s[rank] > 1e10) }
    }
}

@Test func singularValuesMatchTheSquaringTwinAndTheEigenvalues() throws {
    var random = TestRandom(seed: 13)
    let rows = 12, columns = 7
    let a = random.normals(rows * columns)
    let s = try singularValues(a, rows: rows, columns: columns)
    let twin = LinalgReference.singularValuesBySquaring(a, rows: rows, columns: columns)
    #expect(maxAbsDifference(s, twin) < 1e-12 * s[0])
    let ata = LinalgReference.matmul(LinalgReference.transpose(a, rows: rows, columns: columns), a,
                                     m: columns, k: rows, n: columns)
    let lambda = try symmetricEigenvalues(ata, n: columns)
    #expect(maxAbsDifference(s, lambda.map { $0.squareRoot() }) < 1e-12 * s[0])
    // Row-major versus its transpose: same values.
    let t = LinalgReference.transpose(a, rows: rows, columns: columns)
    #expect(maxAbsDifference(try singularValues(t, rows: columns, columns: rows), s) < 1e-13 * s[0])
}

// MARK: - Inertia

@Test func inertiaCountEqualsEigenvalueCount() throws {
    var random = TestRandom(seed: 17)
    for n in [1, 2, 9, 40] {
        let a = randomSymmetric(n, &random)
        let values = try symmetricEigenvalues(a, n: n)
        // Thresholds half-way between consecutive eigenvalues, and outside the spectrum.
        var thresholds = [values[0] + 1, values[n - 1] - 1]
        for k in 0..<(n - 1) { thresholds.append((values[k] + values[k + 1]) / 2) }
        for tau in thresholds {
            let expected = values.filter { $0 > tau }.count
            #expect(try countEigenvaluesAbove(a, n: n, threshold: tau) == expected)
            let (positive, negative, zero) = try inertia(a, n: n, shift: tau)
            #expect(positive + negative + zero == n)
        }
    }
}

@Test func inertiaHandlesTwoByTwoPivots() throws {
    // A zero diagonal forces Bunch–Kaufman to use 2 × 2 pivots: eigenvalues ±1 per block.
    let n = 6
    var a = [Double](repeating: 0, count: n * n)
    for b in stride(from: 0, to: n, by: 2) {
        a[b * n + b + 1] = 1
        a[(b + 1) * n + b] = 1
    }
    #expect(try countEigenvaluesAbove(a, n: n, threshold: 0) == 3)
    #expect(try inertia(a, n: n, shift: 0) == (3, 3, 0))
    #expect(try countEigenvaluesAbove(a, n: n, threshold: -2) == 6)
    #expect(try countEigenvaluesAbove(a, n: n, threshold: 0.999) == 3)
    #expect(try countEigenvaluesAbove(a, n: n, threshold: 1.001) == 0)
    // A PSD matrix of rank 2 (Gram of 2 vectors in 5-space) has 2 eigenvalues above a small τ.
    var random = TestRandom(seed: 3)
    let u = random.normals(5 * 2)
    let gram = LinalgReference.matmul(u, LinalgReference.transpose(u, rows: 5, columns: 2), m: 5, k: 2, n: 5)
    #expect(try countEigenvaluesAbove(gram, n: 5, threshold: 1e-8) == 2)
}

// MARK: - Orthonormal bases by pivoted QR

@Test func orthonormalBasisHasTheRankAndSpansTheColumns() throws {
    var random = TestRandom(seed: 23)
    for (rows, columns, rank) in [(15, 6, 3), (10, 4, 4), (5, 9, 5), (30, 31, 12)] {
        let a = LinalgReference.matmul(random.normals(rows * rank), random.normals(rank * columns),
                                       m: rows, k: rank, n: columns)
        let (basis, found) = try orthonormalBasis(
            columnsOf: a, rows: rows, columns: columns, relativeTolerance: 1e-12)
        #expect(found == rank)
        #expect(basis.count == rows * found)
        let bt = LinalgReference.transpose(basis, rows: rows, columns: found)
        var identity = [Double](repeating: 0, count: found * found)
        for i in 0..<found { identity[i * found + i] = 1 }
        #expect(maxAbsDifference(LinalgReference.matmul(bt, basis, m: found, k: rows, n: found), identity) < 1e-13)
        // B·Bᵀ·A = A: the projector fixes every column.
        let projected = LinalgReference.matmul(
            basis, LinalgReference.matmul(bt, a, m: found, k: rows, n: columns), m: rows, k: found, n: columns)
        let scale = a.reduce(0) { max($0, abs($1)) }
        #expect(maxAbsDifference(projected, a) < 1e-12 * scale)
    }
    let zero = try orthonormalBasis(columnsOf: [Double](repeating: 0, count: 12), rows: 4, columns: 3,
                                    relativeTolerance: 1e-12)
    #expect(zero.rank == 0 && zero.basis.isEmpty)
}

// MARK: - Errors

@Test func errorsNameTheRoutineAndTheProblem() {
    do {
        _ = try symmetricEigenvalues([1, 2, 3], n: 2)
        Issue.record("a 3-element buffer for a 2 × 2 matrix must throw")
    } catch let error as LinalgError {
        // Eigenvalues alone go through the two-stage driver.
        #expect(error.routine == "dsyevd_2stage")
        #expect(error.description.contains("dsyevd_2stage") && error.description.contains("2 × 2"))
    } catch {
        Issue.record("unexpected error \(error)")
    }
    #expect(throws: LinalgError.self) { try singularValues([1, .nan, 3, 4], rows: 2, columns: 2) }
    #expect(throws: LinalgError.self) { try countEigenvaluesAbove([1, 0, 0, .infinity], n: 2, threshold: 0) }
    #expect(throws: LinalgError.self) {
        try orthonormalBasis(columnsOf: [1, 2, 3], rows: 2, columns: 2, relativeTolerance: 1e-12)
    }
}
