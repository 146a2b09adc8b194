import Network
import SeededRandom
import Testing
import TestSupport

/// Moments and bounds of `initialParameters`, layer by layer, on a network with a large
/// first layer (120 000 weights) and a small last one (1 000), with tolerances of five
/// standard errors of the sample statistic.
@Suite struct InitializationTests {
    static let architecture = MLPArchitecture(inputSize: 400, hiddenWidths: [300, 100], outputSize: 10)

    static func draw(_ scheme: WeightInit, seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed, stream: "init")
        return initialParameters(architecture, scheme: scheme, generator: &generator, as: Double.self)
    }

    /// Mean, second moment about 0 (the variance, as the mean is 0) and kurtosis E[w⁴]/E[w²]².
    static func moments(_ w: ArraySlice<Double>) -> (mean: Double, variance: Double, kurtosis: Double) {
        let count = Double(w.count)
        let mean = w.reduce(0, +) / count
        let second = w.reduce(0) { $0 + $1 * $1 } / count
        let fourth = w.reduce(0) { $0 + $1 * $1 * $1 * $1 } / count
        return (mean, second, fourth / (second * second))
    }

    /// U(−a, a), a = √(6/(fan_in + fan_out)): all within ±a, variance a²/3, kurtosis 9/5.
    @Test func glorotUniformStatistics() {
        let log = DifferenceLog("glorot_uniform on \(Self.architecture.description), seed 1")
        defer { log.flush() }
        let parameters = Self.draw(.glorotUniform, seed: 1)
        for layer in 0..<Self.architecture.layerCount {
            let (fanIn, fanOut) = (Double(Self.architecture.fanIn(layer)), Double(Self.architecture.fanOut(layer)))
            let limit = (6 / (fanIn + fanOut)).squareRoot()
            let w = parameters[Self.architecture.weightRange(layer)]
            let count = Double(w.count)
            let (mean, variance, kurtosis) = Self.moments(w)
            let expectedVariance = limit * limit / 3
            // Standard error of the variance: σ²·√((κ − 1)/N) with κ = 9/5.
            let varianceTolerance = 5 * (0.8 / count).squareRoot()
            log.note("layer \(layer) (\(Int(fanIn))→\(Int(fanOut))): max|w|/a \((maxAbs(w) / limit).formatted3), "
                  + "var/(a²/3) \((variance / expectedVariance).formatted3), kurtosis \(kurtosis.formatted3)")
            #expect(maxAbs(w) <= limit)
            #expect(maxAbs(w) > limit * (1 - 20 / count), "the draws should reach close to ±a")
            #expect(log.check(
                "layer \(layer) |var/(a²/3) − 1|", abs(variance / expectedVariance - 1), tolerance: varianceTolerance))
            #expect(log.check(
                "layer \(layer) |mean|/σ", abs(mean) / expectedVariance.squareRoot(), tolerance: 5 / count.squareRoot()))
            // The sample kurtosis' standard error is below 3/√N here.
            #expect(abs(kurtosis - 1.8) < 15 / count.squareRoot(), "kurtosis \(kurtosis) is not a uniform's (1.8)")
            #expect(parameters[Self.architecture.biasRange(layer)].allSatisfy { $0 == 0 })
        }
    }

    /// Keras' he_normal: N(0, σ'²) truncated at ±2σ', σ' = √(2/fan_in)/0.8796…, so that the
    /// standard deviation is √(2/fan_in) and |w| ≤ 2σ'.
    @Test func heNormalStatistics() {
        let log = DifferenceLog("he_normal on \(Self.architecture.description), seed 1")
        defer { log.flush() }
        let parameters = Self.draw(.heNormal, seed: 1)
        for layer in 0..<Self.architecture.layerCount {
            let fanIn = Double(Self.architecture.fanIn(layer))
            let std = (2 / fanIn).squareRoot()
            let bound = 2 * std / 0.879_625_661_034_239_78
            let w = parameters[Self.architecture.weightRange(layer)]
            let count = Double(w.count)
            let (mean, variance, kurtosis) = Self.moments(w)
            // κ of N(0,1) truncated at ±2 is about 2.36; use the normal's 3 for a safe bound.
            let varianceTolerance = 5 * (2 / count).squareRoot()
            log.note("layer \(layer) (fan_in \(Int(fanIn))): max|w|/(2σ') \((maxAbs(w) / bound).formatted3), "
                  + "std/√(2/fan_in) \((variance.squareRoot() / std).formatted3), kurtosis \(kurtosis.formatted3)")
            #expect(maxAbs(w) <= bound)
            // Truncated, not clipped: no mass piles up at the bound; and the tails are there.
            #expect(w.filter { abs($0) > 0.999 * bound }.count < 1 + Int(count / 1000))
            #expect(maxAbs(w) > 0.95 * bound)
            #expect(log.check(
                "layer \(layer) |var/(2/fan_in) − 1|", abs(variance / (std * std) - 1), tolerance: varianceTolerance))
            #expect(log.check("layer \(layer) |mean|/std", abs(mean) / std, tolerance: 5 / count.squareRoot()))
            #expect(abs(kurtosis - 2.3656) < 15 / count.squareRoot(),
                    "kurtosis \(kurtosis) is not that of a normal truncated at ±2 (2.3656)")
            #expect(parameters[Self.architecture.biasRange(layer)].allSatisfy { $0 == 0 })
        }
    }

    /// random_features: signs ±1, biases U(−R, R) (so 1-D kinks are uniform there), later
    /// layers zero; the draw is seeded. The statistics are those of fair coins and U(−R, R).
    @Test func randomFeatures() {
        let architecture = MLPArchitecture(inputSize: 1, hiddenWidths: [20_000], outputSize: 1)
        var generator = SeededGenerator(seed: 5, stream: "init")
        let theta: [Double] = initialParameters(architecture, scheme: .randomFeatures, generator: &generator, kinkRange: 2)
        let w = Array(theta[architecture.weightRange(0)]), b = Array(theta[architecture.biasRange(0)])
        #expect(w.allSatisfy { $0 == 1 || $0 == -1 })
        let plus = Double(w.filter { $0 == 1 }.count) / Double(w.count)
        #expect(abs(plus - 0.5) < 4 * 0.5 / Double(w.count).squareRoot(), "fraction of +1: \(plus)")
        #expect(b.allSatisfy { abs($0) <= 2 } && b.contains { $0 > 1.99 } && b.contains { $0 < -1.99 })
        let mean = b.reduce(0, +) / Double(b.count)
        let variance = b.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(b.count)
        // U(−2, 2): mean 0, variance 4/3; the kinks −b/w have the same law.
        #expect(abs(mean) < 5 * (4.0 / 3 / Double(b.count)).squareRoot())
        #expect(abs(variance - 4.0 / 3) < 0.05)
        let kinks = zip(w, b).map { -$1 / $0 }
        let quarter = Double(kinks.filter { $0 > 1 }.count) / Double(kinks.count)
        #expect(abs(quarter - 0.25) < 0.02, "kinks above 1: \(quarter) (uniform on [−2, 2]: 1/4)")
        #expect(theta[architecture.weightRange(1)].allSatisfy { $0 == 0 } && theta[architecture.biasRange(1)].allSatisfy { $0 == 0 })
        var again = SeededGenerator(seed: 5, stream: "init")
        #expect(theta == initialParameters(architecture, scheme: .randomFeatures, generator: &again, kinkRange: 2))
    }

    // random_features has its own test: its signs repeat between seeds half the time, and its later layers are zero.
    @Test(arguments: WeightInit.allCases.filter { $0 != .randomFeatures })
    func sameSeedSameParametersDifferentSeedDifferent(scheme: WeightInit) {
        let first = Self.draw(scheme, seed: 42)
        let again = Self.draw(scheme, seed: 42)
        let other = Self.draw(scheme, seed: 43)
        #expect(first == again)
        let weightCount = Self.architecture.parameterCount - Self.architecture.layerSizes.dropFirst().reduce(0, +)
        let differing = zip(first, other).filter { $0 != $1 }.count
        #expect(differing == weightCount, "\(differing) of \(weightCount) weights differ between seeds 42 and 43")

        // The Float draw is the Double draw rounded.
        var generator = SeededGenerator(seed: 42, stream: "init")
        let float = initialParameters(Self.architecture, scheme: scheme, generator: &generator, as: Float.self)
        #expect(float == first.map(Float.init))
    }
}
