import Linalg
import Network
import Optimizers
import Testing
import TestSupport

/// The lean training step (`trainingStep`: the batch gathered into the workspace, fused
/// ReLU/bias passes, hand-vectorised loops, plain SGD fused into the backward GEMMs, the
/// pointer update for the others) against the straightforward step built on arrays from the
/// unfused public layer functions and `OptimizerState.update`, over several steps.
@Suite struct TrainingStepTests {
    static let settings: [OptimizerSettings] = [
        // Plain SGD, with and without decay: fused into the backward GEMMs (β = 1 − η·λ).
        .sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0),
        .sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0.01),
        .sgd(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01),
        .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.1, decoupled: true),
        .pathSGD(learningRate: 0.05, momentum: 0.9, nesterov: false, epsilon: 1e-12),
    ]

    /// Widths off and on the 16-lane and 8-lane vector widths, so the kernels' tails run.
    @Test(arguments: [[37, 33, 17, 5], [20, 48, 32, 10]], [0, 1, 2, 3, 4])
    func leanStepEqualsTheStraightforwardStep(sizes: [Int], optimizerIndex: Int) {
        let settings = Self.settings[optimizerIndex]
        let problem = Problem(sizes: sizes, n: 50, seed: 40 + UInt64(optimizerIndex))
        // 50 rows in batches of 16: three full batches and one of 2, in a shuffled order.
        var random = TestRandom(seed: 9)
        let order = Array(0..<50).shuffled(using: &random)
        let batches = stride(from: 0, to: 50, by: 16).map { Array(order[$0..<min($0 + 16, 50)]) }
        let log = DifferenceLog("trainingStep vs the straightforward step, \(describe(sizes)), \(settings)")
        defer { log.flush() }
        compare(Double.self, problem, settings, batches, tolerance: 1e-13, log: log)
        compare(Float.self, problem, settings, batches, tolerance: 1e-6, log: log)
    }

    func compare<S: BLASScalar>(
        _: S.Type, _ problem: Problem, _ settings: OptimizerSettings, _ batches: [[Int]], tolerance: Double,
        log: DifferenceLog
    ) {
        let architecture = problem.architecture
        let inputs = problem.inputs.map { S($0) }
        var leanParameters = problem.parameters.map { S($0) }
        var plainParameters = leanParameters
        var leanOptimizer = OptimizerState<S>(settings: settings, architecture: architecture)
        var plainOptimizer = leanOptimizer
        var gradient = [S](repeating: .nan, count: leanParameters.count)
        let workspace = MLPWorkspace<S>(architecture, capacity: 16)
        for (step, rows) in batches.enumerated() {
            let leanLoss = rows.withUnsafeBufferPointer { rowBuffer in
                inputs.withUnsafeBufferPointer { x in
                    problem.labels.withUnsafeBufferPointer { y in
                        guard let x = x.baseAddress, let y = y.baseAddress else { return Double.nan }
                        return trainingStep(
                            workspace: workspace, parameters: &leanParameters, gradient: &gradient,
                            optimizer: &leanOptimizer, rows: rowBuffer, inputs: x, labels: y, count: problem.n)
                    }
                }
            }
            let plainLoss = straightforwardStep(
                architecture, parameters: &plainParameters, optimizer: &plainOptimizer, inputs: inputs,
                labels: problem.labels, rows: rows)
            let name = "\(S.self) step \(step + 1) (\(rows.count) rows)"
            #expect(log.check("\(name) loss rel", abs(leanLoss - plainLoss) / plainLoss, tolerance: tolerance))
            #expect(log.check(
                "\(name) θ max|Δ|/max|θ|",
                maxAbsDifference(leanParameters, plainParameters) / maxAbs(plainParameters), tolerance: tolerance))
        }
        #expect(leanOptimizer.step == batches.count)
        #expect(log.check(
            "\(S.self) first moment max|Δ|", maxAbsDifference(leanOptimizer.firstMoment, plainOptimizer.firstMoment),
            tolerance: tolerance))
        #expect(log.check(
            "\(S.self) second moment max|Δ|", maxAbsDifference(leanOptimizer.secondMoment, plainOptimizer.secondMoment),
            tolerance: tolerance))
        // Training moved the parameters (a step that did nothing would pass the comparison).
        #expect(maxAbsDifference(leanParameters, problem.parameters.map { S($0) }) > 1e-3)
    }

    /// One step the long way: the batch copied into fresh arrays, forward and backward layer
    /// by layer with `affineForward`, `reluForward`, `softmaxCrossEntropy`, `affineBackward`
    /// and `reluBackward` (separate passes), then `OptimizerState.update` on arrays.
    func straightforwardStep<S: BLASScalar>(
        _ architecture: MLPArchitecture, parameters: inout [S], optimizer: inout OptimizerState<S>, inputs: [S],
        labels: [Int32], rows: [Int]
    ) -> Double {
        let n = rows.count
        let layers = architecture.layerCount
        let d0 = architecture.inputSize
        let x = rows.flatMap { inputs[($0 * d0)..<(($0 + 1) * d0)] }
        let y = rows.map { labels[$0] }
        var gradient = [S](repeating: .nan, count: parameters.count)
        var activations: [[S]] = []
        var loss = 0.0
        parameters.withUnsafeBufferPointer { p in
            guard let p = p.baseAddress else { return }
            for layer in 0..<layers {
                let (fanIn, fanOut) = (architecture.fanIn(layer), architecture.fanOut(layer))
                let input = layer == 0 ? x : activations[layer - 1]
                var out = [S](repeating: .nan, count: n * fanOut)
                input.withUnsafeBufferPointer { inp in
                    out.withUnsafeMutableBufferPointer { o in
                        guard let inp = inp.baseAddress, let o = o.baseAddress else { return }
                        affineForward(
                            out: o, inp: inp, weight: p + architecture.weightOffset(layer),
                            bias: p + architecture.biasOffset(layer), n: n, fanIn: fanIn, fanOut: fanOut)
                        if layer < layers - 1 { reluForward(o, count: n * fanOut) }
                    }
                }
                activations.append(out)
            }
            var dout = [S](repeating: .nan, count: n * architecture.outputSize)
            loss = activations[layers - 1].withUnsafeBufferPointer { z in
                y.withUnsafeBufferPointer { labels in
                    dout.withUnsafeMutableBufferPointer { dz in
                        guard let z = z.baseAddress, let labels = labels.baseAddress, let dz = dz.baseAddress else {
                            return Double.nan
                        }
                        return softmaxCrossEntropy(
                            logits: z, labels: labels, n: n, d: architecture.outputSize, dlogits: dz,
                            scale: 1 / S(n)).lossSum / Double(n)
                    }
                }
            }
            for layer in stride(from: layers - 1, through: 0, by: -1) {
                let (fanIn, fanOut) = (architecture.fanIn(layer), architecture.fanOut(layer))
                let input = layer == 0 ? x : activations[layer - 1]
                var dinp = [S](repeating: .nan, count: n * fanIn)
                dout.withUnsafeBufferPointer { dz in
                    input.withUnsafeBufferPointer { inp in
                        dinp.withUnsafeMutableBufferPointer { di in
                            gradient.withUnsafeMutableBufferPointer { g in
                                guard let dz = dz.baseAddress, let inp = inp.baseAddress, let g = g.baseAddress else {
                                    return
                                }
                                affineBackward(
                                    dinp: layer == 0 ? nil : di.baseAddress, dweight: g + architecture.weightOffset(layer),
                                    dbias: g + architecture.biasOffset(layer), dout: dz, inp: inp,
                                    weight: p + architecture.weightOffset(layer), n: n, fanIn: fanIn, fanOut: fanOut)
                            }
                        }
                    }
                }
                if layer > 0 {
                    dinp.withUnsafeMutableBufferPointer { di in
                        activations[layer - 1].withUnsafeBufferPointer { out in
                            guard let di = di.baseAddress, let out = out.baseAddress else { return }
                            reluBackward(di, output: out, count: n * fanIn)
                        }
                    }
                    dout = dinp
                }
            }
        }
        optimizer.update(parameters: &parameters, gradient: gradient)
        return loss
    }

    /// The GEMM replay of a step's list counts 2·n·n_in·n_out per GEMM (dX skipped on the
    /// first layer), and a `lossAndGradient` after it is unaffected by the garbage it leaves;
    /// for the plain and for the fused SGD step's list.
    @Test(arguments: [
        OptimizerSettings.adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0, decoupled: false),
        OptimizerSettings.sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0.01),
    ])
    func gemmReplayCountsTheStepsFlopsAndLeavesNoTrace(settings: OptimizerSettings) {
        let problem = Problem(sizes: [37, 33, 17, 5], n: 12, seed: 3)
        let architecture = problem.architecture
        let sizes = problem.sizes
        let expected = 2 * 12 * (2 * sizes[0] * sizes[1] + 3 * sizes[1] * sizes[2] + 3 * sizes[2] * sizes[3])
        let workspace = MLPWorkspace<Double>(architecture, capacity: 16)
        let gemms = settings.stepGEMMs(architecture, rows: 12, as: Double.self)
        var before = [Double](repeating: .nan, count: architecture.parameterCount)
        var after = before
        let flops = problem.parameters.withUnsafeBufferPointer { p in
            problem.inputs.withUnsafeBufferPointer { x in
                problem.labels.withUnsafeBufferPointer { y in
                    guard let p = p.baseAddress, let x = x.baseAddress, let y = y.baseAddress else { return 0 }
                    workspace.lossAndGradient(parameters: p, inputs: x, labels: y, n: 12, gradient: &before)
                    var flops = 0
                    for _ in 0..<3 { flops = workspace.replayGEMMs(gemms, parameters: p, gradient: &after) }
                    workspace.lossAndGradient(parameters: p, inputs: x, labels: y, n: 12, gradient: &after)
                    return flops
                }
            }
        }
        #expect(flops == expected)
        #expect(gemms.flops == expected)
        #expect(after == before)
    }
}

/// The hand-vectorised kernels against their scalar definitions, Float and Double, on
/// lengths with and without a tail, NaN included.
@Suite struct ElementwiseKernelTests {
    @Test(arguments: [1, 15, 16, 37, 64])
    func reluPassesMatchTheirDefinitions(width: Int) {
        checkKernels(Float.self, width: width)
        checkKernels(Double.self, width: width)
    }

    func checkKernels<S: BLASScalar>(_: S.Type, width: Int) {
        let rows = 3
        var random = TestRandom(seed: UInt64(width))
        var x = (0..<(rows * width)).map { _ in S(random.normal()) }
        let y = (0..<(rows * width)).map { index in index % 5 == 0 ? 0 : S(random.normal()) }
        x[0] = .nan
        if x.count > 17 { x[17] = -.infinity }
        let reluExpected = x.map { $0 < 0 ? 0 : $0 }
        let maskExpected = zip(x, y).map { $1 > 0 ? $0 : 0 }
        var biasExpected = [S](repeating: 0, count: width)
        for row in 0..<rows {
            for j in 0..<width { biasExpected[j] += maskExpected[row * width + j] }
        }

        var relu = x
        relu.withUnsafeMutableBufferPointer { r in
            guard let base = r.baseAddress else { return }
            reluForward(base, count: r.count)
        }
        var masked = x
        masked.withUnsafeMutableBufferPointer { d in
            y.withUnsafeBufferPointer { o in
                guard let base = d.baseAddress, let o = o.baseAddress else { return }
                reluBackward(base, output: o, count: d.count)
            }
        }
        var fused = x
        var bias = [S](repeating: .nan, count: width)
        fused.withUnsafeMutableBufferPointer { d in
            y.withUnsafeBufferPointer { o in
                bias.withUnsafeMutableBufferPointer { b in
                    guard let d = d.baseAddress, let o = o.baseAddress, let b = b.baseAddress else { return }
                    reluBackwardWithBiasGradient(d, output: o, dbias: b, rows: rows, width: width)
                }
            }
        }
        // Equal entry by entry, NaN where the definition gives NaN.
        #expect(identical(relu, reluExpected), "reluForward \(S.self) width \(width)")
        #expect(identical(masked, maskExpected), "reluBackward \(S.self) width \(width)")
        #expect(identical(fused, maskExpected), "fused mask \(S.self) width \(width)")
        #expect(identical(bias, biasExpected), "fused bias \(S.self) width \(width)")
    }
}

/// Same length, and each pair equal or both NaN.
func identical<S: BinaryFloatingPoint>(_ a: [S], _ b: [S]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
}
