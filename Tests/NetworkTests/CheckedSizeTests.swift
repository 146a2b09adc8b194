import Network
import Testing

/// Sizes from user-given widths are computed with overflow checks (issue 15: a width of
/// 2⁶³ − 1 trapped in `largestGEMMVolume`), and the workspace's memory model matches a
/// closed form derived here from the workspace's buffers.
@Suite struct CheckedSizeTests {
    @Test func productsAndSumsReportOverflowInsteadOfTrapping() {
        #expect(checkedProduct([3, 5, 7]) == 105)
        #expect(checkedProduct([]) == 1)
        #expect(checkedProduct([Int.max, 1]) == Int.max)
        #expect(checkedProduct([Int.max, 2]) == nil)
        #expect(checkedProduct([1 << 32, 1 << 31]) == nil)
        #expect(checkedProduct([1 << 31, 1 << 31]) == 1 << 62)
        #expect(checkedProduct([-1, 4]) == nil)
        #expect(checkedSum([Int.max - 1, 1]) == Int.max)
        #expect(checkedSum([Int.max, 1]) == nil)
        #expect(checkedSum([2, -1]) == nil)
    }

    /// P by hand for the paper's 784-30-30-30-10: 784·30 + 30 + 2·(30·30 + 30) + 30·10 + 10 = 25,720.
    @Test func checkedParameterCountAgreesWithTheHandCount() {
        let paper = MLPArchitecture(inputSize: 784, hiddenWidths: [30, 30, 30], outputSize: 10)
        #expect(paper.checkedParameterCount == 25_720)
        #expect(paper.checkedParameterCount == paper.parameterCount)
        #expect(MLPArchitecture.checkedParameterCount(layerSizes: [7, 5, 4, 3]) == 79)
        #expect(paper.checkedLargestWeightCount == 784 * 30)
    }

    @Test(arguments: [
        [784, Int.max, 10], [784, 1 << 62, 10], [784, 1 << 54, 10], [Int.max, 1], [784, 1 << 40, 1 << 40, 10],
    ])
    func widthsWhoseParameterCountOverflowsGiveNil(sizes: [Int]) {
        #expect(MLPArchitecture.checkedParameterCount(layerSizes: sizes) == nil)
    }

    /// Issue 15: `geodim train … model.hidden=[9223372036854775807]` trapped here (exit 132).
    @Test func largestGEMMVolumeSaturatesForHugeWidths() {
        let huge = MLPArchitecture(inputSize: 784, hiddenWidths: [Int.max], outputSize: 10)
        #expect(huge.largestGEMMVolume(batchSize: 128) == Int.max)
        #expect(huge.recommendedBLASThreads(batchSize: 128, cpuCount: 4) == 4)
        #expect(huge.checkedLargestWeightCount == nil)
    }

    /// The workspace holds, per row, the outputs of every layer (Σ hidden + d), the gradients
    /// of the hidden outputs (Σ hidden), the logit gradient (d) and the gathered input (n_0), in
    /// S, plus one Int32 label: (2·Σ hidden + 2·d + n_0)·s + 4 bytes per row.
    @Test(arguments: [([7, 5, 4, 3], 16), ([784, 30, 30, 30, 10], 128), ([784, 1024, 1024, 10], 1000)])
    func workspaceMemoryMatchesItsClosedForm(sizes: [Int], capacity: Int) throws {
        let architecture = MLPArchitecture(
            inputSize: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()), outputSize: sizes[sizes.count - 1])
        let hidden = sizes.dropFirst().dropLast().reduce(0, +)
        let d = sizes[sizes.count - 1]
        let perRowScalars = 2 * hidden + 2 * d + sizes[0]
        for (scalar, buffers) in [
            (4, try MLPWorkspace<Float>.memoryBuffers(architecture, capacity: capacity)),
            (8, try MLPWorkspace<Double>.memoryBuffers(architecture, capacity: capacity)),
        ] {
            #expect(buffers.map(\.bytes).reduce(0, +) == capacity * (perRowScalars * scalar + 4))
        }
    }

    @Test func workspaceMemoryOfAnAbsurdCapacityThrowsInsteadOfTrapping() {
        let architecture = MLPArchitecture(inputSize: 784, hiddenWidths: [30], outputSize: 10)
        #expect(throws: SizeOverflow.self) { try MLPWorkspace<Float>.memoryBuffers(architecture, capacity: Int.max / 8) }
    }

    @Test func aMemoryModelPeaksAtItsLargestPhase() throws {
        let a = try MemoryBuffer("a", [10, 10], elementBytes: 8)
        let b = try MemoryBuffer("b", [1000], elementBytes: 4)
        let model = MemoryModel("m", phases: [try MemoryPhase("one", [a]), try MemoryPhase("two", [a, b])])
        #expect(model.peakBytes == 800 + 4000)
        #expect(model.peak?.name == "two")
        #expect(model.peak?.largest?.name == "b")
        #expect(throws: SizeOverflow.self) { try MemoryBuffer("c", [Int.max / 4], elementBytes: 8) }
    }
}
