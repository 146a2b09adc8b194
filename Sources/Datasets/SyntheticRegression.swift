import Foundation
import SeededRandom

/// A seeded regression problem y = f(s) + ε on inputs x ∈ [low, high]^d, s = mean of x's
/// coordinates, ε ~ N(0, noiseStd²) on training targets only (`data.source: synthetic`).
///
/// Streams of the seed: `"datasets.synthetic.inputs"` (training draws, row by row),
/// `"datasets.synthetic.test"` (test draws for d > 1), `"datasets.synthetic.noise"` (one
/// normal per training target, in row order). Inputs and targets are rounded to float32 once,
/// which is what every consumer (training, BFD, log) sees.
public struct SyntheticRegression: Sendable, Equatable {
    /// The target function of s.
    public enum Target: Sendable, Equatable {
        /// Linear interpolation of the knots (x strictly increasing), constant beyond the ends.
        case piecewiseLinear(knotsX: [Double], knotsY: [Double])
        /// amplitude · sin(2π · frequency · s + phase).
        case sine(amplitude: Double, frequency: Double, phase: Double)
        /// Σ_k coefficients[k] · s^k.
        case polynomial(coefficients: [Double])
    }

    public var inputDimension: Int
    public var low: Double
    public var high: Double
    /// Training inputs on an even grid of [low, high] (d = 1) rather than uniform draws.
    public var gridInputs: Bool
    public var target: Target
    public var noiseStd: Double

    public init(inputDimension: Int, low: Double, high: Double, gridInputs: Bool, target: Target, noiseStd: Double) {
        precondition(inputDimension >= 1 && high > low && noiseStd >= 0 && (!gridInputs || inputDimension == 1))
        self.inputDimension = inputDimension
        self.low = low
        self.high = high
        self.gridInputs = gridInputs
        self.target = target
        self.noiseStd = noiseStd
    }

    /// f(s), in float64.
    public func value(_ s: Double) -> Double {
        switch target {
        case .piecewiseLinear(let xs, let ys):
            if s <= xs[0] { return ys[0] }
            if s >= xs[xs.count - 1] { return ys[ys.count - 1] }
            var k = 0
            while xs[k + 1] < s { k += 1 }
            let t = (s - xs[k]) / (xs[k + 1] - xs[k])
            return ys[k] + t * (ys[k + 1] - ys[k])
        case .sine(let amplitude, let frequency, let phase):
            return amplitude * sin(2 * Double.pi * frequency * s + phase)
        case .polynomial(let coefficients):
            return coefficients.reversed().reduce(0) { $0 * s + $1 }  // Horner
        }
    }

    /// `count` points of [low, high] evenly spaced, end points included (the midpoint for 1).
    public func grid(_ count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [(low + high) / 2] : [] }
        return (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
    }

    /// The training set (`trainCount` rows, noisy targets) and the test set (`testCount` rows,
    /// noise-free), with labels 0 and source indices 0..<count.
    public func sets(trainCount: Int, testCount: Int, seed: UInt64) -> (train: LabeledSet, test: LabeledSet) {
        let d = inputDimension
        var trainGenerator = SeededGenerator(seed: seed, stream: "datasets.synthetic.inputs")
        let trainX: [Float] = gridInputs
            ? grid(trainCount).map(Float.init)
            : (0..<(trainCount * d)).map { _ in Float(low + (high - low) * trainGenerator.nextUnitDouble()) }
        var testGenerator = SeededGenerator(seed: seed, stream: "datasets.synthetic.test")
        let testX: [Float] = d == 1
            ? grid(testCount).map(Float.init)
            : (0..<(testCount * d)).map { _ in Float(low + (high - low) * testGenerator.nextUnitDouble()) }
        var noise = SeededGenerator(seed: seed, stream: "datasets.synthetic.noise")
        let trainY: [Float] = (0..<trainCount).map { i in
            let clean = value(mean(trainX, row: i))
            return Float(noiseStd > 0 ? clean + noiseStd * noise.nextStandardNormal() : clean)
        }
        let testY: [Float] = (0..<testCount).map { Float(value(mean(testX, row: $0))) }
        func set(_ x: [Float], _ y: [Float]) -> LabeledSet {
            LabeledSet(
                inputs: x, labels: [Int32](repeating: 0, count: y.count), sourceIndices: Array(0..<y.count),
                featureCount: d, targets: y, targetWidth: 1)
        }
        return (set(trainX, trainY), set(testX, testY))
    }

    /// s of row i: the mean of its d coordinates, in float64.
    private func mean(_ x: [Float], row i: Int) -> Double {
        let d = inputDimension
        var total = 0.0
        for k in 0..<d { total += Double(x[i * d + k]) }
        return total / Double(d)
    }
}
