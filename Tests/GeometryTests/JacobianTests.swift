import Geometry
import Linalg
import Network
import Testing
import TestSupport

// MARK: - The explicit Jacobian against its naive twin and finite differences

@Test(arguments: [[6, 5, 4, 3], [8, 6, 6, 4], [3, 7, 2]])
func explicitJacobianMatchesNaiveTwin(sizes: [Int]) throws {
    let architecture = MLPArchitecture(inputSize: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()),
                                       outputSize: sizes.last!)
    var random = TestRandom(seed: UInt64(sizes.reduce(0, +)))
    let theta = randomParameters(architecture, &random)
    for n in [3, 7] {
        let inputs = gaussianInputs(n, architecture.inputSize, &random)
        let forward = try geometryForward(architecture: architecture, parameters: theta, inputs: inputs, count: n)
        for variant in OutputVariant.allCases {
            let fast = explicitJacobian(jacobianFactors(forward, variant: variant))
            let twin = naiveJacobian(architecture, theta, inputs, n: n, variant)
            #expect(fast.count == n * architecture.outputSize * architecture.parameterCount)
            let error = maxAbsDifference(fast, twin)
            #expect(error <= 1e-13 * max(1, maxAbs(twin)), "\(variant) n=\(n): max |Δ| = \(error)")
        }
    }
}

@Test func explicitJacobianMatchesFiniteDifferences() throws {
    let architecture = MLPArchitecture(inputSize: 4, hiddenWidths: [5, 3], outputSize: 3)
    var random = TestRandom(seed: 99)
    let theta = randomParameters(architecture, &random, biasScale: 0.5)
    let n = 5
    let inputs = gaussianInputs(n, 4, &random)
    // Central differences are exact up to O(h²) only away from the ReLU kinks.
    #expect(smallestPreActivation(architecture, theta, inputs, n: n) > 1e-4)
    let forward = try geometryForward(architecture: architecture, parameters: theta, inputs: inputs, count: n)
    for variant in OutputVariant.allCases {
        let fast = explicitJacobian(jacobianFactors(forward, variant: variant))
        let differences = finiteDifferenceJacobian(architecture, theta, inputs, n: n, variant, step: 1e-6)
        let error = maxAbsDifference(fast, differences)
        #expect(error <= 1e-8 * max(1, maxAbs(fast)), "\(variant): max |Δ| = \(error)")
    }
}

@Test func forwardRejectsBuffersThatDoNotFit() {
    let architecture = MLPArchitecture(inputSize: 3, hiddenWidths: [2], outputSize: 2)
    #expect(throws: GeometryError.self) {
        try geometryForward(architecture: architecture, parameters: [1, 2], inputs: [0, 0, 0], count: 1)
    }
    #expect(throws: GeometryError.self) {
        try geometryForward(architecture: architecture, parameters: [Double](repeating: 0, count: 14),
                            inputs: [0, 0], count: 1)
    }
}

// MARK: - The Gram route against the explicit SVD

/// Cases: (layer sizes, n). The first two have m < P (K is m × m); the next two m > P (the
/// P̃ × P̃ product is used); in the last, m < P but m > P̃ (the projector truncates the
/// 11-column input factor to rank 8), so plain and conditioned take different sides.
private let gramCases: [([Int], Int)] = [
    ([6, 5, 4, 3], 4), ([8, 6, 6, 4], 10), ([5, 4, 3, 3], 30), ([3, 4, 2], 20), ([10, 2, 2, 5], 8),
]

@Test(arguments: gramCases)
func plainGramSpectrumEqualsExplicitSVD(sizes: [Int], n: Int) throws {
    let architecture = MLPArchitecture(inputSize: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()),
                                       outputSize: sizes.last!)
    var random = TestRandom(seed: UInt64(31 * n + sizes[0]))
    let theta = randomParameters(architecture, &random)
    let inputs = gaussianInputs(n, architecture.inputSize, &random)
    for variant in OutputVariant.allCases {
        let svd = try batchFunctionalDimension(
            architecture: architecture, parameters: theta, inputs: inputs, count: n, variant: variant,
            method: .jacobian, rule: .gap, relativeTolerance: 1e-10, threads: 1)
        let plain = try batchFunctionalDimension(
            architecture: architecture, parameters: theta, inputs: inputs, count: n, variant: variant,
            method: .gram, rule: .gap, relativeTolerance: 1e-10, conditioning: .plain, threads: 1)
        let conditioned = try batchFunctionalDimension(
            architecture: architecture, parameters: theta, inputs: inputs, count: n, variant: variant,
            method: .gram, rule: .gap, relativeTolerance: 1e-10, conditioning: .projector, threads: 1)
        let m = n * architecture.outputSize
        #expect(plain.gramSide == (m > architecture.parameterCount ? .parameters : .rows))
        let s = svd.evidence.spectrum
        let g = plain.evidence.spectrum
        let top = s[0]
        let floor = RankEvidence.gramFloor(rows: m) * top
        // K = JJᵀ exactly for the plain factor: σ from √λ agrees with the SVD above the floor.
        for i in 0..<min(s.count, g.count) where s[i] > floor {
            #expect(abs(g[i] - s[i]) <= 1e-8 * top, "\(variant) σ_\(i + 1): gram \(g[i]) svd \(s[i])")
        }
        #expect(svd.evidence.isClear, "\(variant): the SVD should show a clear gap here")
        if svd.evidence.isClear {
            #expect(plain.rank == svd.rank, "\(variant): plain gram \(plain.rank) vs svd \(svd.rank)")
            #expect(conditioned.rank == svd.rank, "\(variant): conditioned gram \(conditioned.rank) vs svd \(svd.rank)")
            #expect(conditioned.evidence.isClear)
        }
        if sizes == [10, 2, 2, 5] {
            #expect(plain.gramSide == .rows && conditioned.gramSide == .parameters)
            #expect(conditioned.conditionedParameterCount! < m)
        }
    }
}

@Test func multiVariantCallMatchesSingleCalls() throws {
    let architecture = MLPArchitecture(inputSize: 6, hiddenWidths: [5, 4], outputSize: 3)
    var random = TestRandom(seed: 4)
    let theta = randomParameters(architecture, &random)
    let inputs = gaussianInputs(9, 6, &random)
    for method in BFDMethod.allCases {
        let together = try batchFunctionalDimensions(
            architecture: architecture, parameters: theta, inputs: inputs, count: 9,
            variants: OutputVariant.allCases, method: method, rule: .gap, relativeTolerance: 1e-10, threads: 1)
        for (index, variant) in OutputVariant.allCases.enumerated() {
            let alone = try batchFunctionalDimension(
                architecture: architecture, parameters: theta, inputs: inputs, count: 9, variant: variant,
                method: method, rule: .gap, relativeTolerance: 1e-10, threads: 1)
            #expect(together[index].variant == variant)
            #expect(together[index].evidence == alone.evidence)
        }
    }
}
