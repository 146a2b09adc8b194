import Geometry
import Linalg
import ModularLinalg
import Network
import Testing
import TestSupport

// The P̃ × P̃ side of the Gram route (J̃ᵀJ̃, accumulated over blocks of rows) against the
// m × m side, a naive triple-loop twin and the explicit SVD; the exact engine's two matrices
// (K = JJᵀ and J itself) modulo the same primes. Every case has m > P̃, so both sides apply and
// the automatic choice is the parameter side.

/// A network and batch where m > P: (layer sizes, n, which hidden neuron to kill or nil).
///
/// - `wide`: 6-5-4-3, n = 30: m = 90 > P = 74, rank at P − hidden = 65 below the row cap.
/// - `narrow`: 4-3-3-2, n = 40: m = 80 > P = 35, rank ≤ P − hidden = 29, far below the row cap.
/// - `dead`: 5-6-4-3, n = 40, neuron 2 of the first hidden layer never fires: the rank drops
///   by n_0 + n_2 = 9 below P − hidden.
/// - `lowRankInputs`: 8-4-3 on exact inputs in a 3-dimensional subspace: the projector keeps
///   rank [A_0, 1] = 4 of 9 columns, so P̃ < P.
private struct SideCase: CustomTestStringConvertible, Sendable {
    let name: String
    let sizes: [Int]
    let n: Int
    let deadNeuron: Int?
    let inputRank: Int?

    var testDescription: String { name }

    static let all = [
        SideCase(name: "wide", sizes: [6, 5, 4, 3], n: 30, deadNeuron: nil, inputRank: nil),
        SideCase(name: "narrow", sizes: [4, 3, 3, 2], n: 40, deadNeuron: nil, inputRank: nil),
        SideCase(name: "dead", sizes: [5, 6, 4, 3], n: 40, deadNeuron: 2, inputRank: nil),
        SideCase(name: "lowRankInputs", sizes: [8, 4, 3], n: 25, deadNeuron: nil, inputRank: 3),
    ]

    var architecture: MLPArchitecture {
        MLPArchitecture(inputSize: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()), outputSize: sizes.last!)
    }

    /// Parameters (biases ±0.5 so patterns vary) and inputs.
    func network() -> (theta: [Double], inputs: [Double]) {
        let architecture = architecture
        var random = TestRandom(seed: UInt64(1_000 + 17 * n + sizes.reduce(0, +)))
        var theta = randomParameters(architecture, &random, biasScale: 0.5)
        if let deadNeuron { theta[architecture.biasOffset(0) + deadNeuron] = -1e6 }
        var inputs = gaussianInputs(n, architecture.inputSize, &random)
        if let inputRank {
            // X = Z·M with Z (n, inputRank) small integers and M (inputRank, n_0) quarters, so that
            // X is exact in floats and rank X = inputRank for the exact engine too.
            let z = (0..<(n * inputRank)).map { _ in Double(Int(random.next() % 7) - 3) }
            let mix = (0..<(inputRank * architecture.inputSize)).map { _ in Double(Int(random.next() % 9) - 4) / 4 }
            for i in 0..<n {
                for b in 0..<architecture.inputSize {
                    inputs[i * architecture.inputSize + b] =
                        (0..<inputRank).reduce(0.0) { $0 + z[i * inputRank + $1] * mix[$1 * architecture.inputSize + b] }
                }
            }
        }
        return (theta, inputs)
    }
}

private func measure(
    _ c: SideCase, _ variant: OutputVariant, method: BFDMethod, side: GramSideChoice,
    conditioning: GramConditioning = .projector
) throws -> BFDResult {
    let (theta, inputs) = c.network()
    return try batchFunctionalDimension(
        architecture: c.architecture, parameters: theta, inputs: inputs, count: c.n, variant: variant,
        method: method, rule: .gap, relativeTolerance: 1e-10, conditioning: conditioning, gramSide: side, threads: 1)
}

/// J̃ᵀJ̃ by three scalar loops over an explicit J̃ (m, width): the naive twin of the blocked syrk.
private func naiveNormalMatrix(_ j: [Double], rows m: Int, columns width: Int) -> [Double] {
    var product = [Double](repeating: 0, count: width * width)
    for a in 0..<width {
        for b in a..<width {
            var sum = 0.0
            for r in 0..<m { sum += j[r * width + a] * j[r * width + b] }
            product[a * width + b] = sum
        }
    }
    return product
}

@Suite struct ParameterSideGramTests {
    /// The blocked J̃ᵀJ̃ equals the naive product of the whole J̃ for every block height, and each
    /// block of rows of J̃ is the same slice of the whole.
    @Test(arguments: SideCase.all)
    fileprivate func blockedNormalMatrixEqualsTheWholeProduct(_ c: SideCase) throws {
        let (theta, inputs) = c.network()
        let forward = try geometryForward(architecture: c.architecture, parameters: theta, inputs: inputs, count: c.n)
        for conditioning in GramConditioning.allCases {
            let bases = try layerInputBases(forward, conditioning: conditioning)
            let factors = jacobianFactors(forward, variant: .centred)
            let m = factors.rows
            let whole = conditionedJacobian(factors, bases: bases)
            let width = whole.count / m
            if c.inputRank != nil && conditioning == .projector { #expect(width < c.architecture.parameterCount) }
            let reference = naiveNormalMatrix(whole, rows: m, columns: width)
            let scale = maxAbs(reference)
            let d = c.architecture.outputSize
            for block in [1, 3, d, 7, m - 1, m, 10 * m] {
                let blocked = parameterGram(factors, bases: bases, blockRows: block)
                var error = 0.0
                for a in 0..<width {
                    for b in a..<width { error = max(error, abs(blocked[a * width + b] - reference[a * width + b])) }
                }
                #expect(error <= 1e-13 * scale, "\(c.name) \(conditioning) block \(block): max |Δ| = \(error)")
            }
            let slice = conditionedJacobian(factors, bases: bases, rows: 7..<(m - 4))
            #expect(slice == Array(whole[(7 * width)..<((m - 4) * width)]))
            let gram = try gramMatrix(factors, bases: bases, conditioning: conditioning)
            #expect(gram.side == .parameters && gram.dimension == width && gram.conditionedParameterCount == width)
            #expect(parameterGramBlockRows(conditionedParameterCount: 25_720, rows: 60_000) * 25_720 <= parameterGramScratchDoubles)
        }
    }

    /// Forced rows and parameters sides give the same rank, the explicit SVD's, with the same
    /// nonzero singular values; auto takes the smaller (parameter) side.
    @Test(arguments: SideCase.all)
    fileprivate func rowAndParameterSidesAgree(_ c: SideCase) throws {
        let architecture = c.architecture
        for variant in OutputVariant.allCases {
            for conditioning in GramConditioning.allCases {
                let rows = try measure(c, variant, method: .gram, side: .rows, conditioning: conditioning)
                let parameters = try measure(c, variant, method: .gram, side: .parameters, conditioning: conditioning)
                let automatic = try measure(c, variant, method: .gram, side: .auto, conditioning: conditioning)
                let label = "\(c.name) \(variant) \(conditioning)"
                #expect(rows.gramSide == .rows && parameters.gramSide == .parameters, "\(label)")
                #expect(automatic.gramSide == .parameters && automatic.rank == parameters.rank, "\(label)")
                // Not bitwise: concurrent tests may run BLAS with other thread counts.
                let drift = maxAbsDifference(automatic.evidence.spectrum, parameters.evidence.spectrum)
                #expect(drift <= 1e-12 * parameters.evidence.spectrum[0], "\(label): auto vs parameters \(drift)")
                #expect(rows.evidence.spectrum.count == rows.rows)
                #expect(parameters.evidence.spectrum.count == parameters.conditionedParameterCount)
                #expect(rows.evidence.isClear && parameters.evidence.isClear, "\(label)")
                #expect(rows.rank == parameters.rank, "\(label): rows \(rows.rank), parameters \(parameters.rank)")
                let s = rows.evidence.spectrum
                let t = parameters.evidence.spectrum
                for i in 0..<rows.rank {
                    #expect(abs(s[i] - t[i]) <= 1e-10 * s[0], "\(label) σ_\(i + 1): \(s[i]) vs \(t[i])")
                    if i < 5 { #expect(abs(s[i] - t[i]) <= 1e-10 * s[i], "\(label) σ_\(i + 1) relative") }
                }
            }
            // The independent reference: the SVD of the explicit J.
            let svd = try measure(c, variant, method: .jacobian, side: .auto)
            let parameters = try measure(c, variant, method: .gram, side: .parameters)
            #expect(svd.evidence.isClear && parameters.rank == svd.rank, "\(c.name) \(variant): \(parameters.rank) vs SVD \(svd.rank)")
            #expect(parameters.rank <= parameters.activationUpperBound)
            #expect(parameters.rank < parameters.rowCap, "\(c.name) \(variant): the rank should sit below the row cap")
            if c.deadNeuron != nil {
                #expect(parameters.rank < architecture.parameterCount - architecture.hiddenNeuronCount)
                #expect(parameters.activationUpperBound == min(
                    parameters.rowCap, architecture.parameterCount - architecture.hiddenNeuronCount - (c.sizes[0] + c.sizes[2])))
            }
        }
    }

    /// gram_inertia counts on either forced side agree with each other and with auto (which
    /// may count by block Schur without forming either product).
    @Test(arguments: SideCase.all)
    fileprivate func certifiedCountsAgreeOnBothSides(_ c: SideCase) throws {
        for variant in [OutputVariant.logits, .centred] {
            let rows = try measure(c, variant, method: .gramInertia, side: .rows)
            let parameters = try measure(c, variant, method: .gramInertia, side: .parameters)
            let automatic = try measure(c, variant, method: .gramInertia, side: .auto)
            #expect(rows.gramSide == .rows && parameters.gramSide == .parameters)
            #expect(automatic.gramSide == .parameters || automatic.gramSide == .blockSchur)
            #expect(rows.rank == parameters.rank && parameters.rank == automatic.rank,
                    "\(c.name) \(variant): rows \(rows.rank), parameters \(parameters.rank), auto \(automatic.rank)")
            // The counts are those of the full spectrum (dsyevd) above the floor.
            let spectrum = try measure(c, variant, method: .gram, side: .parameters)
            #expect(parameters.rank == spectrum.rank, "\(c.name) \(variant): counted \(parameters.rank), spectrum \(spectrum.rank)")
            if parameters.evidence.isClear { #expect(rows.evidence.isClear == parameters.evidence.isClear, "\(c.name) \(variant)") }
        }
    }

    /// The exact engine forced onto K = JJᵀ and onto J gives the same rank modulo the same
    /// primes, the SVD's rank, on both sides of m′ = P.
    @Test(arguments: SideCase.all)
    fileprivate func exactMatricesAgreeModuloTheSamePrime(_ c: SideCase) throws {
        let (theta, inputs) = c.network()
        let architecture = c.architecture
        for n in [c.n, 3] {
            let x = Array(inputs[0..<(n * architecture.inputSize)])
            for variant in [OutputVariant.logits, .centred] {
                let svd = try batchFunctionalDimension(
                    architecture: architecture, parameters: theta, inputs: x, count: n, variant: variant,
                    method: .jacobian, rule: .gap, relativeTolerance: 1e-10, threads: 1)
                for prime: UInt64 in [4_194_319, 8_388_593] {
                    let k = try exactRankModulo(
                        prime: prime, architecture: architecture, parameters: theta, inputs: x, count: n,
                        encoding: .binaryFloats, variant: variant, matrix: .gramRows)
                    let j = try exactRankModulo(
                        prime: prime, architecture: architecture, parameters: theta, inputs: x, count: n,
                        encoding: .binaryFloats, variant: variant, matrix: .jacobian)
                    #expect(k == j, "\(c.name) n = \(n) \(variant) mod \(prime): K \(k), J \(j)")
                    if svd.evidence.isClear { #expect(j == svd.rank, "\(c.name) n = \(n) \(variant): J \(j), SVD \(svd.rank)") }
                }
            }
            for choice in ExactMatrixChoice.allCases {
                let result = try exactBatchFunctionalDimensions(
                    architecture: architecture, parameters: theta, inputs: x, count: n, encoding: .binaryFloats,
                    variants: [.logits], settings: ExactBFDSettings(primeCount: 2, seed: 5, matrix: choice), threads: 1)[0]
                let rows = n * architecture.outputSize
                let expected = choice.resolved(rows: rows, parameterCount: architecture.parameterCount)
                #expect(result.matrix == expected)
                #expect(choice != .auto || result.matrix == (rows <= architecture.parameterCount ? .gramRows : .jacobian))
                #expect(result.rank <= result.upperBound)
                if n == c.n { #expect(result.rank < n * architecture.outputSize, "\(c.name): below the row cap") }
            }
        }
    }

    /// The power iteration behind gram_inertia's thresholds finds λ_max of a K whose kernel holds
    /// the vector of ones, as the row-side K of every centred Jacobian does (it used to start
    /// there and return 0, so a forced row side counted rank 0).
    @Test func largestEigenvalueIsFoundWithOnesInTheKernel() throws {
        let n = 12
        let v = (0..<n).map { Double($0 % 3) - 1 }  // Σ v = 0
        let w = (0..<n).map { Double(($0 / 3) % 2) * 2 - 1 }  // Σ w = 0
        var k = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { k[i * n + j] = 3 * v[i] * v[j] + 0.5 * w[i] * w[j] } }
        let top = 3 * v.reduce(0) { $0 + $1 * $1 }  // v ⟂ w, so λ_max = 3‖v‖²
        let estimate = try largestEigenvalueEstimate(k, n: n)
        #expect(abs(estimate - top) <= 1e-6 * top, "estimate \(estimate), λ_max \(top)")
    }

    @Test func choicesResolveToTheSmallerSideUnderAuto() {
        #expect(GramSideChoice.auto.resolved(rows: 10, conditionedParameterCount: 9) == .parameters)
        #expect(GramSideChoice.auto.resolved(rows: 9, conditionedParameterCount: 9) == .rows)
        #expect(GramSideChoice.rows.resolved(rows: 100, conditionedParameterCount: 9) == .rows)
        #expect(GramSideChoice.parameters.resolved(rows: 1, conditionedParameterCount: 9) == .parameters)
        #expect(ExactMatrixChoice.auto.resolved(rows: 74, parameterCount: 74) == .gramRows)
        #expect(ExactMatrixChoice.auto.resolved(rows: 75, parameterCount: 74) == .jacobian)
        #expect(ExactMatrixChoice.jacobian.resolved(rows: 3, parameterCount: 74) == .jacobian)
        #expect(ExactMatrixChoice.gramRows.resolved(rows: 300, parameterCount: 74) == .gramRows)
    }
}
