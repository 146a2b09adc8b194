import Foundation
import Network
import Testing
import TestSupport

@Suite struct ArchitectureTests {
    /// The flat layout of 7-5-4-3, counted by hand: W0 5×7 = 35, b0 5, W1 4×5 = 20, b1 4,
    /// W2 3×4 = 12, b2 3; P = 79.
    @Test func layoutOfASmallNetworkMatchesTheHandCount() {
        let architecture = MLPArchitecture(inputSize: 7, hiddenWidths: [5, 4], outputSize: 3)
        #expect(architecture.layerSizes == [7, 5, 4, 3])
        #expect(architecture.layerCount == 3)
        #expect(architecture.hiddenWidths == [5, 4])
        #expect(architecture.hiddenNeuronCount == 9)
        #expect(architecture.parameterCount == 79)
        #expect((0..<3).map(architecture.weightRange) == [0..<35, 40..<60, 64..<76])
        #expect((0..<3).map(architecture.biasRange) == [35..<40, 60..<64, 76..<79])
        #expect(architecture.description == "7-5-4-3")
    }

    /// Every parameter index belongs to exactly one block, blocks in order W0 b0 W1 b1 ...,
    /// and the offsets agree with the naive twin's own derivation.
    @Test(arguments: [[7, 5, 4, 3], [12, 16, 10, 8, 4], [784, 30, 30, 30, 10], [1, 1, 1]])
    func blocksTileTheFlatBuffer(sizes: [Int]) {
        let architecture = MLPArchitecture(
            inputSize: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()), outputSize: sizes.last!)
        let naive = NaiveMLP(sizes: sizes)
        var next = 0
        for layer in 0..<architecture.layerCount {
            #expect(architecture.weightRange(layer).lowerBound == next)
            #expect(architecture.weightOffset(layer) == naive.offsets[layer].weight)
            #expect(architecture.biasOffset(layer) == naive.offsets[layer].bias)
            next = architecture.weightRange(layer).upperBound
            #expect(architecture.biasRange(layer).lowerBound == next)
            next = architecture.biasRange(layer).upperBound
        }
        #expect(next == architecture.parameterCount)
        #expect(architecture.parameterCount == naive.parameterCount)
    }

    @Test func packageRootHoldsTheNetworkSources() {
        let root = packageRoot()
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path))
        #expect(FileManager.default.fileExists(
            atPath: root.appendingPathComponent("Sources/Network/Forward.swift").path))
    }
}

/// The thread rule of `recommendedBLASThreads` on the three benchmark networks.
@Suite struct ThreadRuleTests {
    @Test func thinNetworksGetOneThreadWideOnesAllCores() {
        let paper = MLPArchitecture(inputSize: 784, hiddenWidths: [30, 30, 30], outputSize: 10)
        let wide = MLPArchitecture(inputSize: 784, hiddenWidths: [256, 256], outputSize: 10)
        let wider = MLPArchitecture(inputSize: 784, hiddenWidths: [1024, 1024], outputSize: 10)
        #expect(paper.largestGEMMVolume(batchSize: 256) == 256 * 784 * 30)
        #expect(wider.largestGEMMVolume(batchSize: 256) == 256 * 1024 * 1024)
        #expect(paper.recommendedBLASThreads(batchSize: 256, cpuCount: 2) == 1)
        #expect(wide.recommendedBLASThreads(batchSize: 256, cpuCount: 2) == 2)
        #expect(wider.recommendedBLASThreads(batchSize: 256, cpuCount: 2) == 2)
        #expect(wider.recommendedBLASThreads(batchSize: 256, cpuCount: 1) == 1)
    }
}
