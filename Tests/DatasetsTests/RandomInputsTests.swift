import Datasets
import Testing

/// Sample mean and (population) standard deviation, in Double.
func meanAndStd(_ values: [Float]) -> (mean: Double, std: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / n
    let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance.squareRoot())
}

@Suite struct RandomInputsTests {
    @Test(arguments: [(0.5, 1.0), (-2.0, 0.25)])
    func gaussianMoments(mean: Double, std: Double) {
        let values = gaussianInputs(count: 2000, mean: mean, std: std, seed: 11)
        #expect(values.count == 2000 * 784)
        let (m, s) = meanAndStd(values)
        // Standard errors: std/√N ≈ 8e-4·std for the mean, std/√(2N) ≈ 6e-4·std for the std.
        #expect(abs(m - mean) < 5e-3 * std)
        #expect(abs(s - std) < 5e-3 * std)
        // Roughly 68 % within one std of the mean.
        let within = values.filter { abs(Double($0) - mean) < std }.count
        #expect(abs(Double(within) / Double(values.count) - 0.6827) < 5e-3)
    }

    @Test func gaussianDeterminism() {
        let a = gaussianInputs(count: 20, featureCount: 5, seed: 1)
        #expect(a == gaussianInputs(count: 20, featureCount: 5, seed: 1))
        #expect(a != gaussianInputs(count: 20, featureCount: 5, seed: 2))
        #expect(Array(a.prefix(50)) == gaussianInputs(count: 10, featureCount: 5, seed: 1))
    }

    @Test func noiseKeepsLabelsAndHasTheRequestedSpread() {
        let base = LabeledSet(
            inputs: [Float](repeating: 0.5, count: 1000 * 784), labels: (0..<1000).map { Int32($0 % 10) },
            sourceIndices: Array(0..<1000), featureCount: 784)
        let noisy = addGaussianNoise(to: base, std: 0.3, seed: 5)
        #expect(noisy.labels == base.labels && noisy.sourceIndices == base.sourceIndices)
        let difference = zip(noisy.inputs, base.inputs).map { $0 - $1 }
        let (m, s) = meanAndStd(difference)
        #expect(abs(m) < 5e-3 && abs(s - 0.3) < 5e-3)
        #expect(noisy == addGaussianNoise(to: base, std: 0.3, seed: 5))
        #expect(noisy != addGaussianNoise(to: base, std: 0.3, seed: 6))
        let clamped = addGaussianNoise(to: base, std: 0.3, seed: 5, clampTo: 0...1)
        #expect(clamped.inputs.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(addGaussianNoise(to: base, std: 0, seed: 5) == base)
    }
}
