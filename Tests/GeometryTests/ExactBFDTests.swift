import Geometry
import Linalg
import ModularLinalg
import Network
import Testing
import TestSupport

// The exact engine against independent oracles: the float64 SVD where its gap is clear, a
// naive modular twin on exactly representable Jacobians, structural facts (dead neurons,
// softmax = centred, symmetries), and constructed cases where floats mislead.

private func exact(
    _ architecture: MLPArchitecture, _ theta: [Double], _ x: [Double], _ n: Int,
    variants: [OutputVariant] = [.logits, .centred], primes: Int = 2, seed: UInt64 = 0
) throws -> [ExactBFDResult] {
    try exactBatchFunctionalDimensions(
        architecture: architecture, parameters: theta, inputs: x, count: n, encoding: .binaryFloats,
        variants: variants, settings: ExactBFDSettings(primeCount: primes, seed: seed), threads: 1)
}

private func svdRank(
    _ architecture: MLPArchitecture, _ theta: [Double], _ x: [Double], _ n: Int, _ variant: OutputVariant
) throws -> BFDResult {
    try batchFunctionalDimension(
        architecture: architecture, parameters: theta, inputs: x, count: n, variant: variant, method: .jacobian,
        rule: .gap, relativeTolerance: 1e-10, threads: 1)
}

/// Parameters k/8 with small integers k, inputs small integers: J is exact in float64.
private func dyadicNetwork(_ architecture: MLPArchitecture, n: Int, _ random: inout TestRandom) -> ([Double], [Double]) {
    let theta = (0..<architecture.parameterCount).map { _ in Double(Int(random.next() % 9) - 4) / 8 }
    let x = (0..<(n * architecture.inputSize)).map { _ in Double(Int(random.next() % 7) - 3) }
    return (theta, x)
}

@Suite struct ExactBFDTests {
    /// Wherever the float64 SVD has a clear gap, the exact rank is the same number; on the
    /// m ≤ P side (K) and the m > P side (J itself).
    @Test(arguments: [(2, 0.1), (5, 0.1), (9, 0.0), (14, 0.1), (40, 0.1)])
    func equalsTheSVDRankWhereItsGapIsClear(n: Int, biasScale: Double) throws {
        let architecture = MLPArchitecture(inputSize: 6, hiddenWidths: [5, 4], outputSize: 3)  // P = 74
        var random = TestRandom(seed: UInt64(100 + n))
        let theta = randomParameters(architecture, &random, biasScale: biasScale)
        let x = gaussianInputs(n, 6, &random)
        let results = try exact(architecture, theta, x, n)
        for result in results {
            let numerical = try svdRank(architecture, theta, x, n, result.variant)
            #expect(numerical.evidence.isClear)
            #expect(result.rank == numerical.rank, "n = \(n) \(result.variant): exact \(result.rank), SVD \(numerical.rank)")
            #expect(result.matrix == (n * (result.variant == .logits ? 3 : 2) <= 74 ? .gramRows : .jacobian))
            #expect(result.primes.allSatisfy { (1 << 22..<1 << 23).contains($0) && isPrime($0) })
            if result.certified {
                #expect(result.failureBound == 0)
                #expect(result.rank == result.upperBound)
            }
        }
    }

    /// The paper's 784-30-30-30-10 at initialisation (Glorot, zero biases) on n = 10 and 30
    /// N(0.5, 1) inputs: the exact rank is the row cap, certified, and agrees with the SVD.
    @Test(arguments: [10, 30])
    func paperNetworkAtInitialisationIsCertifiedAtTheRowCap(n: Int) throws {
        let architecture = MLPArchitecture(inputSize: 784, hiddenWidths: [30, 30, 30], outputSize: 10)
        var random = TestRandom(seed: 5)
        let theta = randomParameters(architecture, &random, biasScale: 0)
        let x = gaussianInputs(n, 784, &random, mean: 0.5).map { Double(Float($0)) }
        let results = try exact(architecture, theta, x, n, variants: [.logits, .softmax, .centred])
        #expect(results.map(\.rank) == [n * 10, n * 9, n * 9])
        #expect(results.allSatisfy { $0.certified && $0.primes.count == 1 })
        #expect(results[1].computedAs == .centred)
        let numerical = try svdRank(architecture, theta, x, n, .logits)
        #expect(numerical.evidence.isClear && numerical.rank == results[0].rank)
    }

    /// Modulo one prime, the engine's rank (through K or J, FFLAS) equals textbook elimination
    /// on the float64 explicit Jacobian's entries, which are exact for dyadic data.
    @Test(arguments: [3, 8, 30])
    func rankModuloOnePrimeMatchesTheNaiveTwin(n: Int) throws {
        let architecture = MLPArchitecture(inputSize: 4, hiddenWidths: [4, 3], outputSize: 3)  // P = 47
        var random = TestRandom(seed: UInt64(n))
        let (theta, x) = dyadicNetwork(architecture, n: n, &random)
        let forward = try geometryForward(architecture: architecture, parameters: theta, inputs: x, count: n)
        let j = explicitJacobian(jacobianFactors(forward, variant: .logits))
        let p = architecture.parameterCount
        for prime: UInt64 in [4_194_319, 8_388_593] {
            let field = try PrimeField(prime: prime)
            let logits = try j.map { try field.residue(exactly: $0) }
            // Centred rows e_k − e_(d−1): J row (i, k) − J row (i, d − 1), exact in floats too.
            var centred: [UInt64] = []
            for i in 0..<n {
                for k in 0..<2 {
                    for c in 0..<p { centred.append(try field.residue(exactly: j[(i * 3 + k) * p + c] - j[(i * 3 + 2) * p + c])) }
                }
            }
            let expectedLogits = ModularReference.rank(logits, rows: n * 3, columns: p, field: field)
            let expectedCentred = ModularReference.rank(centred, rows: n * 2, columns: p, field: field)
            for (variant, expected) in [(OutputVariant.logits, expectedLogits), (.centred, expectedCentred)] {
                let rank = try exactRankModulo(
                    prime: prime, architecture: architecture, parameters: theta, inputs: x, count: n,
                    encoding: .binaryFloats, variant: variant)
                #expect(rank == expected, "n = \(n) \(variant) mod \(prime)")
            }
        }
    }

    /// A neuron dead on every input lowers the bound by n_(l−1) + n_(l+1), and the exact rank
    /// reaches the lowered bound (certified) where J's columns are the binding side.
    @Test func deadNeuronLowersTheCertifiedRank() throws {
        let architecture = MLPArchitecture(inputSize: 4, hiddenWidths: [8], outputSize: 3)  // P = 67, hidden 8
        var random = TestRandom(seed: 2)
        var theta = randomParameters(architecture, &random)
        let n = 100  // m = 300 > P
        let x = gaussianInputs(n, 4, &random)
        let alive = try exact(architecture, theta, x, n, variants: [.logits])[0]
        #expect(alive.certified && alive.rank == 67 - 8)
        theta[architecture.biasOffset(0) + 1] = -1e6  // neuron 1 of the hidden layer never fires
        let dead = try exact(architecture, theta, x, n, variants: [.logits])[0]
        #expect(dead.upperBound == 67 - 8 - (4 + 3))
        #expect(dead.certified && dead.rank == dead.upperBound)
        #expect(dead.matrix == .jacobian)
        let numerical = try svdRank(architecture, theta, x, n, .logits)
        #expect(numerical.evidence.isClear && numerical.rank == dead.rank)
    }

    /// Softmax's exact rank is the centred one, computed once.
    @Test func softmaxIsReportedAsTheCentredRank() throws {
        let architecture = MLPArchitecture(inputSize: 3, hiddenWidths: [6], outputSize: 4)
        var random = TestRandom(seed: 8)
        let theta = randomParameters(architecture, &random)
        let x = gaussianInputs(7, 3, &random)
        let results = try exact(architecture, theta, x, 7, variants: [.softmax, .centred, .logits])
        #expect(results[0].rank == results[1].rank)
        #expect(results[0].primes == results[1].primes)
        #expect(results[0].computedAs == .centred && results[0].variant == .softmax)
        #expect(results[1].rank <= results[2].rank)
        let numericalSoftmax = try svdRank(architecture, theta, x, 7, .softmax)
        #expect(numericalSoftmax.evidence.isClear && numericalSoftmax.rank == results[0].rank)
    }

    /// Rescaling a hidden neuron by a power of two (exact in floats) and permuting hidden
    /// neurons change no exact rank, modulo every prime.
    @Test func invariantUnderPowerOfTwoRescalingAndPermutation() throws {
        let architecture = MLPArchitecture(inputSize: 4, hiddenWidths: [5, 3], outputSize: 2)
        var random = TestRandom(seed: 13)
        let theta = randomParameters(architecture, &random)
        let n = 30  // m = 60 > P = 49: the dependent case, where the rank sits below the row cap
        let x = gaussianInputs(n, 4, &random)
        var rescaled = theta
        let unit = 2
        for b in 0..<4 { rescaled[architecture.weightOffset(0) + unit * 4 + b] *= 8 }
        rescaled[architecture.biasOffset(0) + unit] *= 8
        for j in 0..<3 { rescaled[architecture.weightOffset(1) + j * 5 + unit] /= 8 }
        var permuted = theta  // swap neurons 0 and 3 of hidden layer 1
        for b in 0..<4 { permuted.swapAt(architecture.weightOffset(0) + 0 * 4 + b, architecture.weightOffset(0) + 3 * 4 + b) }
        permuted.swapAt(architecture.biasOffset(0), architecture.biasOffset(0) + 3)
        for j in 0..<3 { permuted.swapAt(architecture.weightOffset(1) + j * 5, architecture.weightOffset(1) + j * 5 + 3) }
        for prime: UInt64 in [4_194_319, 6_291_469] {
            let ranks = try [theta, rescaled, permuted].map {
                try exactRankModulo(
                    prime: prime, architecture: architecture, parameters: $0, inputs: x, count: n,
                    encoding: .binaryFloats, variant: .logits)
            }
            #expect(Set(ranks).count == 1, "mod \(prime): \(ranks)")
        }
        #expect(try exact(architecture, theta, x, n)[0].rank == exact(architecture, rescaled, x, n)[0].rank)
    }

    /// Rescaling one neuron by 2^40 leaves f, and so the BFD, unchanged, but spreads J's columns
    /// over 80 binades: the float spectrum's gap rule loses directions, the exact rank does not.
    @Test func exactIsRightWhereTheFloatSpectrumMisleads() throws {
        let architecture = MLPArchitecture(inputSize: 6, hiddenWidths: [5, 4], outputSize: 3)
        var random = TestRandom(seed: 31)
        var theta = randomParameters(architecture, &random)
        let n = 200  // m = 600 > P = 74: the rank reaches P − hidden = 65
        let x = gaussianInputs(n, 6, &random)
        let reference = try exact(architecture, theta, x, n, variants: [.logits])[0]
        #expect(reference.certified && reference.rank == 65)
        let unit = 1
        let scale = 0x1p40
        for b in 0..<6 { theta[architecture.weightOffset(0) + unit * 6 + b] *= scale }
        theta[architecture.biasOffset(0) + unit] *= scale
        for j in 0..<4 { theta[architecture.weightOffset(1) + j * 5 + unit] /= scale }
        let scaled = try exact(architecture, theta, x, n, variants: [.logits])[0]
        #expect(scaled.rank == reference.rank && scaled.certified)
        let numerical = try svdRank(architecture, theta, x, n, .logits)
        #expect(numerical.rank != reference.rank, "the float rule happened to recover \(numerical.rank)")
    }

    /// Two hidden neurons with identical in-weights and bias: their out-weight columns of J are
    /// equal, so the rank is below the structural bound. Not certified; the failure bound is
    /// logged, and the rank is the SVD's (whose gap is clear here).
    @Test func duplicatedNeuronIsUncertifiedWithAFailureBound() throws {
        let architecture = MLPArchitecture(inputSize: 4, hiddenWidths: [5, 3], outputSize: 2)
        var random = TestRandom(seed: 17)
        var theta = randomParameters(architecture, &random)
        for b in 0..<4 { theta[architecture.weightOffset(0) + 4 + b] = theta[architecture.weightOffset(0) + b] }
        theta[architecture.biasOffset(0) + 1] = theta[architecture.biasOffset(0)]
        let n = 40
        let x = gaussianInputs(n, 4, &random)
        let result = try exact(architecture, theta, x, n, variants: [.logits], primes: 3)[0]
        #expect(!result.certified)
        #expect(result.primes.count == 3 && Set(result.primes).count == 3)
        #expect(result.rank < result.upperBound)
        #expect(result.failureBound > 0 && result.failureBound <= 1)
        #expect(result.integerBits > 0)
        let numerical = try svdRank(architecture, theta, x, n, .logits)
        #expect(numerical.evidence.isClear && numerical.rank == result.rank)
    }

    /// A live neuron with zero bias and zero out-weights breaks the symmetry bound's premise:
    /// the engine falls back to the row cap, certifies nothing, and still finds the SVD's rank.
    @Test func unprovenSymmetryBoundFallsBackToTheRowCap() throws {
        let architecture = MLPArchitecture(inputSize: 4, hiddenWidths: [5], outputSize: 3)  // P = 43
        var random = TestRandom(seed: 4)
        var theta = randomParameters(architecture, &random)
        theta[architecture.biasOffset(0)] = 0
        for j in 0..<3 { theta[architecture.weightOffset(1) + j * 5] = 0 }
        let n = 100
        let x = gaussianInputs(n, 4, &random)
        #expect(!symmetryBoundHolds(
            architecture: architecture, parameters: theta,
            statistics: try activationStatistics(architecture: architecture, parameters: theta, inputs: x, count: n)))
        let result = try exact(architecture, theta, x, n, variants: [.logits])[0]
        #expect(result.upperBound == n * 3 && !result.certified)
        let numerical = try svdRank(architecture, theta, x, n, .logits)
        #expect(numerical.evidence.isClear && numerical.rank == result.rank && result.rank == 43 - 5 - 4)
    }

    /// A pre-activation placed 1e-13 from zero is flagged, and the rank is not called certified.
    @Test func ambiguousPatternIsFlagged() throws {
        let architecture = MLPArchitecture(inputSize: 3, hiddenWidths: [4], outputSize: 2)
        var random = TestRandom(seed: 3)
        var theta = randomParameters(architecture, &random)
        let x = gaussianInputs(5, 3, &random)
        var z = 0.0
        for b in 0..<3 { z += theta[architecture.weightOffset(0) + b] * x[b] }
        theta[architecture.biasOffset(0)] = -z + 1e-13  // neuron 0 on sample 0: |z| ≈ 1e-13
        let result = try exact(architecture, theta, x, 5, variants: [.logits])[0]
        #expect(result.ambiguousPreactivations >= 1)
        #expect(result.patternMargin < ExactBFDSettings.ambiguousMargin)
        #expect(!result.certified)
        let clean = try exact(architecture, randomParameters(architecture, &random), x, 5, variants: [.logits])[0]
        #expect(clean.ambiguousPreactivations == 0 && clean.patternMargin > 1e-9)
    }

    @Test func primeDrawIsSeededDistinctAndPrime() throws {
        let pool = try ExactPrimes()
        let a = pool.draw(8, seed: 42)
        #expect(a == pool.draw(8, seed: 42))
        #expect(a != pool.draw(8, seed: 43))
        #expect(Set(a).count == 8 && a.allSatisfy { pool.range.contains($0) && isPrime($0) })
        // π(2^23) − π(2^22) = 564,163 − 295,947 and π(2^20) − π(2^19) = 82,025 − 43,390.
        #expect(pool.all.count == 268_216)
        #expect(try ExactPrimes(bits: 20).all.count == 38_635)
        #expect(try ExactPrimes(bits: 20).all.allSatisfy { isPrime(UInt64($0)) })
        #expect(pool.failureBound(integerBits: 22 * 1000, primeCount: 2) < 1.5e-5)
        #expect(pool.failureBound(integerBits: 1e9, primeCount: 3) == 1)
        #expect(throws: GeometryError.self) { try ExactPrimes(bits: 27) }
        // Longer primes: the same integer size leaves fewer possible divisors among more primes.
        let long = try ExactPrimes(bits: 25)
        #expect(long.failureBound(integerBits: 1e6, primeCount: 1) < pool.failureBound(integerBits: 1e6, primeCount: 1) / 4)
        let result = try exact(
            MLPArchitecture(inputSize: 3, hiddenWidths: [4], outputSize: 2), [Double](repeating: 0.25, count: 26),
            [Double](repeating: 1, count: 6), 2, variants: [.logits])
        #expect(result[0].primes.allSatisfy { pool.range.contains($0) })
    }

    @Test func pixelBytesAreReadAsBytesOver255() throws {
        let architecture = MLPArchitecture(inputSize: 4, hiddenWidths: [3], outputSize: 2)
        var random = TestRandom(seed: 9)
        let theta = randomParameters(architecture, &random)
        let bytes: [Double] = (0..<20).map { _ in Double(random.next() % 256) }
        let pixels = bytes.map { Double(Float($0 / 255)) }
        let result = try exactBatchFunctionalDimensions(
            architecture: architecture, parameters: theta, inputs: pixels, count: 5, encoding: .pixelBytes,
            variants: [.logits], settings: ExactBFDSettings(), threads: 1)[0]
        #expect(result.encoding == .pixelBytes && result.rank > 0)
        var notPixels = pixels
        notPixels[3] = 0.123
        #expect(throws: GeometryError.self) {
            try exactBatchFunctionalDimensions(
                architecture: architecture, parameters: theta, inputs: notPixels, count: 5, encoding: .pixelBytes,
                variants: [.logits], settings: ExactBFDSettings(), threads: 1)
        }
    }
}
