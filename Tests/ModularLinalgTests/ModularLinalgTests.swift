import ModularLinalg
import Testing
import TestSupport

// FFLAS-FFPACK through the shim against the naive Swift twins, and the exact image of floats.

/// A (rows, columns) matrix of rank ≤ r modulo p: B (rows, r) · C (r, columns), random residues.
private func lowRankResidues(
    rows: Int, columns: Int, rank r: Int, field: PrimeField, _ random: inout TestRandom
) -> [UInt64] {
    let b = (0..<(rows * r)).map { _ in random.next() % field.prime }
    let c = (0..<(r * columns)).map { _ in random.next() % field.prime }
    return ModularReference.multiply(b, c, m: rows, k: r, n: columns, field: field)
}

@Suite struct PrimeFieldTests {
    @Test func millerRabinAgreesWithTrialDivision() {
        func trial(_ n: UInt64) -> Bool {
            if n < 2 { return false }
            var q: UInt64 = 2
            while q * q <= n {
                if n % q == 0 { return false }
                q += 1
            }
            return true
        }
        for n in UInt64(0)..<5000 { #expect(isPrime(n) == trial(n), "n = \(n)") }
        for n in UInt64(4_194_304)..<4_196_304 { #expect(isPrime(n) == trial(n), "n = \(n)") }
        #expect(!isPrime(3_215_031_751))  // a strong pseudoprime to bases 2, 3, 5, 7
    }

    @Test func invalidModuliAreRejected() {
        #expect(throws: ModularLinalgError.invalidPrime(9)) { try PrimeField(prime: 9) }
        #expect(throws: ModularLinalgError.invalidPrime(2)) { try PrimeField(prime: 2) }
        #expect(throws: ModularLinalgError.invalidPrime(67_108_879)) { try PrimeField(prime: 67_108_879) }  // prime, ≥ 2^26
    }

    @Test func floatResiduesAreExactRationals() throws {
        let field = try PrimeField(prime: 4_194_319)
        // x = m·2^e: residue(x)·2^(−e) ≡ m, checked through integerSignificand's own inverse.
        var random = TestRandom(seed: 7)
        for _ in 0..<2000 {
            let x = random.normal() * Double(sign: .plus, exponent: Int(random.next() % 80) - 40, significand: 1)
            let (m, e) = integerSignificand(x)
            #expect(Double(sign: x < 0 ? .minus : .plus, exponent: e, significand: Double(m)) == x)
            let r = try field.residue(exactly: x)
            let back = field.multiply(r, field.powerOfTwo(-e))
            #expect(back == field.residue(Int64(m) * (x < 0 ? -1 : 1)))
        }
        // Products and sums of floats map to products and sums of residues when exact in floats.
        let a = 0.375, b = -0.15625, c = Double(Float(0.1))  // a·b and a + c are exact in binary64
        #expect(try field.residue(exactly: a * b) == field.multiply(try field.residue(exactly: a), try field.residue(exactly: b)))
        #expect(try field.residue(exactly: a + c) == field.add(try field.residue(exactly: a), try field.residue(exactly: c)))
        #expect(try field.residue(exactly: 0x1p-1074) == field.powerOfTwo(-1074))
        #expect(throws: ModularLinalgError.notFinite(.infinity)) { try field.residue(exactly: .infinity) }
        // b/255: 255 · (b · 255⁻¹) ≡ b.
        let inverse = try field.inverse(255)
        for byte in UInt64(0)..<256 { #expect(field.multiply(255, field.multiply(byte, inverse)) == byte) }
    }
}

@Suite struct ModularMatrixTests {
    @Test func rankMatchesGaussianEliminationTwin() throws {
        var random = TestRandom(seed: 11)
        for prime: UInt64 in [65_521, 4_194_319, 8_388_593] {
            let field = try PrimeField(prime: prime)
            for (rows, columns, r) in [(1, 1, 1), (7, 5, 3), (40, 60, 17), (64, 64, 64), (90, 30, 30), (120, 80, 0)] {
                let a = lowRankResidues(rows: rows, columns: columns, rank: r, field: field, &random)
                var matrix = a.map { Double($0) }
                let rank = try modularRank(overwriting: &matrix, rows: rows, columns: columns, field: field)
                #expect(rank == ModularReference.rank(a, rows: rows, columns: columns, field: field), "\(rows)×\(columns) rank \(r) mod \(prime)")
                #expect(rank <= r)
            }
        }
    }

    /// A matrix of full rank over the integers that is singular modulo one prime: the shim sees
    /// the drop modulo that prime and not modulo another.
    @Test func rankDropsExactlyModuloADividingPrime() throws {
        let p: UInt64 = 65_521
        // [[1, 2], [3, 6 + p]] has determinant p.
        let a: [UInt64] = [1, 2, 3, 6 + p]
        let fieldP = try PrimeField(prime: p)
        let fieldQ = try PrimeField(prime: 4_194_319)
        var overP = a.map { Double($0 % p) }
        var overQ = a.map { Double($0 % 4_194_319) }
        #expect(try modularRank(overwriting: &overP, rows: 2, columns: 2, field: fieldP) == 1)
        #expect(try modularRank(overwriting: &overQ, rows: 2, columns: 2, field: fieldQ) == 2)
    }

    @Test func productMatchesNaiveTwin() throws {
        var random = TestRandom(seed: 3)
        let field = try PrimeField(prime: 8_388_593)
        let (m, k, n) = (37, 700, 23)
        let a = (0..<(m * k)).map { _ in random.next() % field.prime }
        let b = (0..<(k * n)).map { _ in random.next() % field.prime }
        let expected = ModularReference.multiply(a, b, m: m, k: k, n: n, field: field)
        var c = [Double](repeating: 0, count: m * n)
        try modularMultiply(a.map { Double($0) }, b.map { Double($0) }, m: m, n: n, k: k, into: &c, field: field)
        #expect(c.map { UInt64($0) } == expected)
        // Transposed operands and accumulation: C + (Bᵀ)ᵀ·... written as Aᵀᵀ.
        let at = (0..<(k * m)).map { a[($0 % m) * k + $0 / m] }  // (k, m) = Aᵀ
        let bt = (0..<(n * k)).map { b[($0 % k) * n + $0 / k] }  // (n, k) = Bᵀ
        try modularMultiply(
            at.map { Double($0) }, transposeA: true, bt.map { Double($0) }, transposeB: true, m: m, n: n, k: k, into: &c,
            accumulate: true, field: field)
        #expect(c.map { UInt64($0) } == expected.map { field.add($0, $0) })
        #expect(c.allSatisfy { $0 >= 0 && $0 < Double(field.prime) })
    }

    @Test func badShapesThrow() throws {
        let field = try PrimeField(prime: 65_521)
        var matrix = [Double](repeating: 1, count: 5)
        #expect(throws: ModularLinalgError.self) { try modularRank(overwriting: &matrix, rows: 2, columns: 3, field: field) }
        var c = [Double](repeating: 0, count: 4)
        #expect(throws: ModularLinalgError.self) { try modularMultiply([1, 2], [1, 2], m: 2, n: 2, k: 2, into: &c, field: field) }
    }
}
