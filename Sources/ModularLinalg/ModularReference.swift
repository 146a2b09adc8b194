// MARK: - Naive twins: plain Swift loops, the independent references the tests check
// FFLAS-FFPACK against. Never on a hot path.

/// Reference implementations of the modular routines.
public enum ModularReference {
    /// Rank modulo p by textbook Gaussian elimination. a is (rows, columns), row-major.
    public static func rank(_ a: [UInt64], rows: Int, columns: Int, field: PrimeField) -> Int {
        precondition(a.count == rows * columns)
        var m = a.map { $0 % field.prime }
        var rank = 0
        for column in 0..<columns where rank < rows {
            guard let pivot = (rank..<rows).first(where: { m[$0 * columns + column] != 0 }) else { continue }
            if pivot != rank {
                for c in 0..<columns { m.swapAt(pivot * columns + c, rank * columns + c) }
            }
            // The pivot is nonzero, so its inverse exists.
            let inverse = field.power(m[rank * columns + column], field.prime - 2)
            for r in (rank + 1)..<rows {
                let factor = field.multiply(m[r * columns + column], inverse)
                if factor == 0 { continue }
                for c in column..<columns {
                    m[r * columns + c] = field.subtract(m[r * columns + c], field.multiply(factor, m[rank * columns + c]))
                }
            }
            rank += 1
        }
        return rank
    }

    /// C = A·B modulo p. a is (m, k), b is (k, n); row-major.
    public static func multiply(_ a: [UInt64], _ b: [UInt64], m: Int, k: Int, n: Int, field: PrimeField) -> [UInt64] {
        precondition(a.count == m * k && b.count == k * n)
        var c = [UInt64](repeating: 0, count: m * n)
        for i in 0..<m {
            for p in 0..<k {
                let aip = a[i * k + p]
                for j in 0..<n { c[i * n + j] = field.add(c[i * n + j], field.multiply(aip, b[p * n + j])) }
            }
        }
        return c
    }
}
