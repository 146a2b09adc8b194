import Network
import Optimizers
import SeededRandom
import Testing
import TestSupport

/// End to end on a problem a working trainer cannot miss: three Gaussian blobs in 10-D
/// (unit variance, centres ~6.7σ apart), a 10-32-3 network in Float, mini-batches of 30.
@Suite struct LearningTests {
    static let (inputSize, classCount) = (10, 3)

    struct Data {
        var inputs: [Float]
        var labels: [Int32]
        var count: Int { labels.count }
    }

    /// `count` points, classes in turn, N(centre, I); the centres are fixed (TestRandom seed
    /// 1000), `seed` draws the points.
    static func blobs(count: Int, seed: UInt64) -> Data {
        var centreRandom = TestRandom(seed: 1000)
        let centres = (0..<classCount).map { _ in (0..<inputSize).map { _ in 1.5 * centreRandom.normal() } }
        var random = TestRandom(seed: seed)
        var data = Data(inputs: [], labels: [])
        for index in 0..<count {
            let label = index % classCount
            data.labels.append(Int32(label))
            data.inputs += centres[label].map { Float($0 + random.normal()) }
        }
        return data
    }

    struct Outcome: Equatable {
        var parameters: [Float]
        var firstLoss: Double
        var lastEpochLoss: Double
        var testAccuracy: Double
    }

    static func train(_ settings: OptimizerSettings, steps: Int) -> Outcome {
        let train = blobs(count: 300, seed: 1)
        let test = blobs(count: 600, seed: 2)
        let architecture = MLPArchitecture(inputSize: inputSize, hiddenWidths: [32], outputSize: classCount)
        var initGenerator = SeededGenerator(seed: 7, stream: "init")
        var parameters = initialParameters(architecture, scheme: .heNormal, generator: &initGenerator, as: Float.self)
        var shuffleGenerator = SeededGenerator(seed: 7, stream: "shuffle")
        var optimizer = OptimizerState<Float>(settings: settings, parameterCount: architecture.parameterCount)
        let batchSize = 30
        let workspace = MLPWorkspace<Float>(architecture, capacity: batchSize)
        var gradient = [Float](repeating: 0, count: architecture.parameterCount)
        var order = Array(0..<train.count)
        var batchInputs = [Float](repeating: 0, count: batchSize * inputSize)
        var batchLabels = [Int32](repeating: 0, count: batchSize)
        var losses: [Double] = []
        for step in 0..<steps {
            let position = (step * batchSize) % train.count
            if position == 0 { shuffleGenerator.shuffle(&order) }
            for row in 0..<batchSize {
                let source = order[position + row]
                batchLabels[row] = train.labels[source]
                for i in 0..<inputSize { batchInputs[row * inputSize + i] = train.inputs[source * inputSize + i] }
            }
            let loss = parameters.withUnsafeBufferPointer { p in
                batchInputs.withUnsafeBufferPointer { x in
                    batchLabels.withUnsafeBufferPointer { y in
                        gradient.withUnsafeMutableBufferPointer { g in
                            workspace.lossAndGradient(
                                parameters: p.baseAddress!, inputs: x.baseAddress!, labels: y.baseAddress!,
                                n: batchSize, gradient: g.baseAddress!
                            ).loss
                        }
                    }
                }
            }
            losses.append(loss)
            optimizer.update(parameters: &parameters, gradient: gradient)
        }
        let stepsPerEpoch = train.count / batchSize
        let lastEpochLoss = losses.suffix(stepsPerEpoch).reduce(0, +) / Double(stepsPerEpoch)
        let testResult = libraryEvaluate(
            architecture, capacity: 128, parameters: parameters, inputs: test.inputs, labels: test.labels,
            count: test.count)
        return Outcome(parameters: parameters, firstLoss: losses[0], lastEpochLoss: lastEpochLoss,
                       testAccuracy: testResult.accuracy)
    }

    @Test(arguments: [
        OptimizerSettings.sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0),
        OptimizerSettings.adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, decoupled: false),
    ])
    func separableBlobsAreLearned(settings: OptimizerSettings) {
        let outcome = Self.train(settings, steps: 300)
        print("blobs \(settings): first batch loss \(outcome.firstLoss.formatted3), last epoch loss "
              + "\(outcome.lastEpochLoss.formatted3), test accuracy \(outcome.testAccuracy)")
        #expect(outcome.testAccuracy >= 0.95)
        #expect(outcome.lastEpochLoss < 0.1 * outcome.firstLoss)
        // Deterministic: the same seeds give bit-identical parameters.
        #expect(Self.train(settings, steps: 300) == outcome)
    }
}
