import Geometry
import Network
import Testing
import TestSupport

/// The memory model of the BFD measurements (BFDMemory.swift, ExactBFDMemory.swift) against
/// the arrays the measurement code actually allocates on small networks, and against the
/// sizes the documentation derives by hand for the paper's network.
@Suite struct BFDMemoryTests {
    /// The first buffer of `model` whose name starts with `prefix`, in the first phase holding one.
    private func buffer(_ model: MemoryModel, _ prefix: String) -> MemoryBuffer? {
        for phase in model.phases {
            if let found = phase.buffers.first(where: { $0.name.hasPrefix(prefix) }) { return found }
        }
        return nil
    }

    private func problem(_ sizes: [Int], n: Int, seed: UInt64) -> (MLPArchitecture, [Double], [Double]) {
        let architecture = MLPArchitecture(
            inputSize: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()), outputSize: sizes[sizes.count - 1])
        var random = TestRandom(seed: seed)
        let theta = randomParameters(architecture, &random)
        return (architecture, theta, gaussianInputs(n, sizes[0], &random, mean: 0.5))
    }

    /// Every modelled buffer that mirrors one array of the measurement has that array's size:
    /// Ã_l, the logits, Δ_l, J, the bases Q_l, K (rows side) and K_P with its block of J̃ rows
    /// (parameters side), for batches below and above n_0 + 1.
    @Test(arguments: [9, 20, 60])
    func modelledBuffersHaveTheSizesOfTheArraysAllocated(n: Int) throws {
        let (architecture, theta, inputs) = problem([12, 7, 5, 3], n: n, seed: 41)
        let forward = try geometryForward(architecture: architecture, parameters: theta, inputs: inputs, count: n)
        let factors = jacobianFactors(forward, variant: .logits)
        let bases = try layerInputBases(forward, conditioning: .projector)
        let m = factors.rows

        let jacobianModel = try bfdMemory(architecture: architecture, sampleCount: n, method: .jacobian, threads: 1)
        #expect(buffer(jacobianModel, "activations Ã_l")?.count == forward.augmentedInputs.map(\.count).reduce(0, +))
        #expect(buffer(jacobianModel, "logits")?.count == forward.logits.count)
        #expect(buffer(jacobianModel, "Δ_l")?.count == factors.deltas.map(\.count).reduce(0, +))
        #expect(buffer(jacobianModel, "J (")?.count == explicitJacobian(factors).count)
        #expect(buffer(jacobianModel, "J (")?.count == m * architecture.parameterCount)

        let rowsModel = try bfdMemory(architecture: architecture, sampleCount: n, method: .gram, gramSide: .rows, threads: 1)
        let rows = try gramMatrix(factors, bases: bases, conditioning: .projector, side: .rows)
        #expect(buffer(rowsModel, "K (")?.count == rows.values.count)
        #expect(buffer(rowsModel, "input bases")?.count == bases.map(\.basis.count).reduce(0, +))
        #expect(buffer(rowsModel, "input Grams")?.count == architecture.layerCount * n * n)

        let parametersModel = try bfdMemory(
            architecture: architecture, sampleCount: n, method: .gram, gramSide: .parameters, threads: 1)
        let parameters = try gramMatrix(factors, bases: bases, conditioning: .projector, side: .parameters)
        // Generic inputs: every r_l reaches its bound min(n, n_l + 1), so P̃ is the modelled one.
        #expect(buffer(parametersModel, "K_P")?.count == parameters.values.count)
        let width = parameters.conditionedParameterCount
        #expect(buffer(parametersModel, "block of J̃ rows")?.count
                == parameterGramBlockRows(conditionedParameterCount: width, rows: m) * width)

        // auto: the smaller product.
        let autoModel = try bfdMemory(architecture: architecture, sampleCount: n, method: .gram, threads: 1)
        let automatic = try gramMatrix(factors, bases: bases, conditioning: .projector)
        let modelled = buffer(autoModel, automatic.side == .rows ? "K (" : "K_P")
        #expect(modelled?.count == automatic.values.count)
    }

    /// The sizes the docs give for 784-30-30-30-10 (P = 25,720): J at n = 300 is 617 MB
    /// (ExplicitJacobian.swift) and 4 GB at n = 2,000 (DESIGN.md §3); K at n = 2,000 is
    /// 20,000² doubles; K_P at n = 6,000 is 25,720² doubles, built from 1,304-row blocks
    /// (GramMatrix.swift).
    @Test func paperNetworkSizesMatchTheDocumentedOnes() throws {
        let paper = MLPArchitecture(inputSize: 784, hiddenWidths: [30, 30, 30], outputSize: 10)
        let small = try bfdMemory(architecture: paper, sampleCount: 300, method: .jacobian, threads: 1)
        #expect(buffer(small, "J (")?.bytes == 617_280_000)
        let large = try bfdMemory(architecture: paper, sampleCount: 2_000, method: .jacobian, threads: 1)
        #expect(buffer(large, "J (")?.bytes == 4_115_200_000)
        let rows = try bfdMemory(architecture: paper, sampleCount: 2_000, method: .gram, threads: 1)
        #expect(buffer(rows, "K (")?.bytes == 20_000 * 20_000 * 8)
        #expect(buffer(rows, "K_P") == nil)
        let parameters = try bfdMemory(architecture: paper, sampleCount: 6_000, method: .gram, threads: 1)
        #expect(buffer(parameters, "K_P")?.bytes == 25_720 * 25_720 * 8)
        #expect(buffer(parameters, "block of J̃ rows")?.count == 1_304 * 25_720)
        #expect(rows.peakBytes > 20_000 * 20_000 * 8)
    }

    /// gram_inertia's parallel counts hold a second copy of the product on two or more threads.
    @Test func inertiaCountsOnTwoThreadsHoldASecondCopy() throws {
        let paper = MLPArchitecture(inputSize: 784, hiddenWidths: [30, 30, 30], outputSize: 10)
        let one = try bfdMemory(architecture: paper, sampleCount: 2_000, method: .gramInertia, gramSide: .rows, threads: 1)
        let two = try bfdMemory(architecture: paper, sampleCount: 2_000, method: .gramInertia, gramSide: .rows, threads: 2)
        #expect(buffer(one, "second copy of K") == nil)
        #expect(buffer(two, "second copy of K")?.bytes == 20_000 * 20_000 * 8)
        #expect(two.peakBytes - one.peakBytes > 20_000 * 20_000 * 8 / 2)
    }

    /// The exact engine reduces K (m′ × m′) when m′ = n·r ≤ P, else J (m′ × P), r = d − 1 for
    /// centred and softmax (computed once), d for logits.
    @Test func exactMemoryFollowsTheMatrixChoice() throws {
        let paper = MLPArchitecture(inputSize: 784, hiddenWidths: [30, 30, 30], outputSize: 10)
        let centred = try exactBFDMemory(
            architecture: paper, sampleCount: 600, variants: [.softmax, .centred], encoding: .pixelBytes, matrix: .auto)
        #expect(buffer(centred, "K mod p")?.count == 5_400 * 5_400)
        #expect(centred.phases.count == 2)  // the pattern pass and one matrix: softmax is computed as centred
        let wide = try exactBFDMemory(
            architecture: paper, sampleCount: 3_000, variants: [.logits], encoding: .binaryFloats, matrix: .auto)
        #expect(buffer(wide, "J mod p")?.count == 30_000 * 25_720)
        #expect(buffer(wide, "pixel bytes") == nil)
        let forced = try exactBFDMemory(
            architecture: paper, sampleCount: 600, variants: [.logits], encoding: .pixelBytes, matrix: .jacobian)
        #expect(buffer(forced, "J mod p")?.count == 6_000 * 25_720)
    }

    /// The CFFD's largest batch is the last of its doubling sequence, derived here from its
    /// documented rule, and no batch estimateCFFD tries is larger.
    @Test func cffdLargestBatchIsTheEndOfTheDoublingSequence() throws {
        let (architecture, theta, _) = problem([12, 7, 5, 3], n: 1, seed: 5)
        for maxRows in [10, 40, 100, 1_000, 12_000] {
            let bound = architecture.parameterCount - architecture.hiddenNeuronCount
            var n = max(1, min(bound, maxRows) / 12)
            var sizes = [n]
            while 2 * n * 3 <= maxRows {
                n *= 2
                sizes.append(n)
            }
            #expect(cffdLargestBatch(architecture: architecture, maxRows: maxRows) == sizes.last)
        }
        let estimate = try estimateCFFD(
            architecture: architecture, parameters: theta, variant: .logits, method: .gram, seed: 3, mean: 0.5, std: 1,
            maxRows: 400, threads: 1)
        #expect(estimate.steps.map(\.n).max()! <= cffdLargestBatch(architecture: architecture, maxRows: 400))
    }

    /// Sizes that overflow 64-bit integers throw ``SizeOverflow``; nothing traps.
    @Test func absurdSizesThrowInsteadOfTrapping() {
        let paper = MLPArchitecture(inputSize: 784, hiddenWidths: [30, 30, 30], outputSize: 10)
        #expect(throws: SizeOverflow.self) {
            try bfdMemory(architecture: paper, sampleCount: Int.max / 4, method: .gram, threads: 1)
        }
        #expect(throws: SizeOverflow.self) {
            try bfdMemory(architecture: paper, sampleCount: 1 << 31, method: .gram, gramSide: .rows, threads: 1)
        }
        #expect(throws: SizeOverflow.self) {
            try exactBFDMemory(architecture: paper, sampleCount: 1 << 31, variants: [.logits], encoding: .pixelBytes, matrix: .gramRows)
        }
        let huge = MLPArchitecture(inputSize: 784, hiddenWidths: [Int.max], outputSize: 10)
        #expect(throws: SizeOverflow.self) { try bfdMemory(architecture: huge, sampleCount: 10, method: .jacobian, threads: 1) }
        let wide = MLPArchitecture(inputSize: 784, hiddenWidths: [1 << 40], outputSize: 10)
        #expect(throws: SizeOverflow.self) { try bfdMemory(architecture: wide, sampleCount: 100_000, method: .jacobian, threads: 1) }
    }
}
