import CModularShim

// MARK: - Dense linear algebra modulo p through FFLAS-FFPACK (the only importer of its shim)
//
// Matrices are row-major [Double] holding canonical residues in [0, p).

/// Rank of the (rows, columns) matrix modulo p, by FFPACK's PLUQ elimination. Destroys `matrix`.
public func modularRank(overwriting matrix: inout [Double], rows: Int, columns: Int, field: PrimeField) throws -> Int {
    guard rows >= 0, columns >= 0, matrix.count == rows * columns else {
        throw ModularLinalgError.shapeMismatch(what: "a (\(rows), \(columns)) matrix", expected: rows * columns, actual: matrix.count)
    }
    if rows == 0 || columns == 0 { return 0 }
    var message = [CChar](repeating: 0, count: 256)
    let capacity = message.count
    let result = matrix.withUnsafeMutableBufferPointer { buffer in
        message.withUnsafeMutableBufferPointer { text in
            geodim_modular_rank(
                Double(field.prime), Int64(rows), Int64(columns), buffer.baseAddress, Int64(columns), text.baseAddress,
                capacity)
        }
    }
    guard result >= 0 else { throw libraryError("FFPACK::Rank", code: result, message: message) }
    return Int(result)
}

/// C ← op(A)·op(B) (+ C when `accumulate`) modulo p, through FFLAS's fgemm.
///
/// op(A) is (m, k): a is (m, k), or (k, m) with transposeA. op(B) is (k, n): b is (k, n), or
/// (n, k) with transposeB. c is (m, n).
public func modularMultiply(
    _ a: [Double], transposeA: Bool = false, _ b: [Double], transposeB: Bool = false, m: Int, n: Int, k: Int,
    into c: inout [Double], accumulate: Bool = false, field: PrimeField
) throws {
    guard m >= 0, n >= 0, k >= 0, a.count == m * k, b.count == k * n, c.count == m * n else {
        throw ModularLinalgError.shapeMismatch(
            what: "a modular product (\(m) × \(k)) · (\(k) × \(n)) with buffers \(a.count), \(b.count), \(c.count)",
            expected: m * k + k * n + m * n, actual: a.count + b.count + c.count)
    }
    if m == 0 || n == 0 { return }
    var message = [CChar](repeating: 0, count: 256)
    let capacity = message.count
    let lda = transposeA ? m : k
    let ldb = transposeB ? k : n
    let result = a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
                message.withUnsafeMutableBufferPointer { text in
                    geodim_modular_gemm(
                        Double(field.prime), transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(m), Int64(n), Int64(k),
                        ap.baseAddress, Int64(max(lda, 1)), bp.baseAddress, Int64(max(ldb, 1)), accumulate ? 1 : 0,
                        cp.baseAddress, Int64(max(n, 1)), text.baseAddress, capacity)
                }
            }
        }
    }
    guard result >= 0 else { throw libraryError("FFLAS::fgemm", code: result, message: message) }
}

private func libraryError(_ routine: String, code: Int64, message: [CChar]) -> ModularLinalgError {
    let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return .library(routine: routine, code: Int(code), message: text.isEmpty ? "no message" : text)
}
