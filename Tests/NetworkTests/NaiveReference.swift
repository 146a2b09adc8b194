import Linalg
import Network
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

// MARK: - The naive twin: scalar loops in Double, one sample and one neuron at a time.
//
// The flat layout (W_l row-major (n_(l+1) × n_l), then b_l, layer by layer) is re-derived
// here from the documented contract rather than taken from MLPArchitecture, so a layout
// bug cannot cancel out.

struct NaiveMLP {
    /// n_0, n_1, ..., n_L.
    let sizes: [Int]

    var layerCount: Int { sizes.count - 1 }

    /// (offset of W_l, offset of b_l) for every layer, and the total count.
    var offsets: [(weight: Int, bias: Int)] {
        var result: [(weight: Int, bias: Int)] = []
        var offset = 0
        for l in 0..<layerCount {
            let weight = offset
            offset += sizes[l + 1] * sizes[l]
            result.append((weight, offset))
            offset += sizes[l + 1]
        }
        return result
    }

    var parameterCount: Int {
        (0..<layerCount).reduce(0) { $0 + sizes[$1 + 1] * sizes[$1] + sizes[$1 + 1] }
    }

    /// Pre-activations of every layer: result[l] is (n, n_(l+1)); the last are the logits.
    func preActivations(parameters p: [Double], inputs x: [Double], n: Int) -> [[Double]] {
        precondition(p.count == parameterCount && x.count == n * sizes[0])
        let offsets = self.offsets
        var result = (0..<layerCount).map { [Double](repeating: 0, count: n * sizes[$0 + 1]) }
        for sample in 0..<n {
            var activation = Array(x[(sample * sizes[0])..<((sample + 1) * sizes[0])])
            for l in 0..<layerCount {
                let (fanIn, fanOut) = (sizes[l], sizes[l + 1])
                var z = [Double](repeating: 0, count: fanOut)
                for j in 0..<fanOut {
                    var sum = p[offsets[l].bias + j]
                    for i in 0..<fanIn { sum += p[offsets[l].weight + j * fanIn + i] * activation[i] }
                    z[j] = sum
                    result[l][sample * fanOut + j] = sum
                }
                activation = l < layerCount - 1 ? z.map { max($0, 0) } : z
            }
        }
        return result
    }

    /// What `mlpForward` keeps: post-ReLU outputs of hidden layers, logits last.
    func outputs(parameters: [Double], inputs: [Double], n: Int) -> [[Double]] {
        let z = preActivations(parameters: parameters, inputs: inputs, n: n)
        return z.enumerated().map { l, values in l < layerCount - 1 ? values.map { max($0, 0) } : values }
    }

    /// Mean softmax cross-entropy with the naive log-sum-exp.
    func meanLoss(parameters: [Double], inputs: [Double], labels: [Int32], n: Int) -> Double {
        let logits = preActivations(parameters: parameters, inputs: inputs, n: n)[layerCount - 1]
        return naiveCrossEntropy(logits: logits, labels: labels, n: n, d: sizes[layerCount]).lossSum / Double(n)
    }

    /// min |z| over all hidden pre-activations: how far the batch is from a ReLU kink.
    func kinkMargin(parameters: [Double], inputs: [Double], n: Int) -> Double {
        preActivations(parameters: parameters, inputs: inputs, n: n).dropLast().joined()
            .reduce(Double.infinity) { min($0, abs($1)) }
    }
}

/// Σ_rows [log Σ_k exp(z_k) − z_label] without any shift, and the number of rows whose
/// (first) arg-max is the label.
func naiveCrossEntropy(logits z: [Double], labels: [Int32], n: Int, d: Int) -> (lossSum: Double, correct: Int) {
    var lossSum = 0.0
    var correct = 0
    for row in 0..<n {
        var sum = 0.0
        var best = 0
        for k in 0..<d {
            sum += exp(z[row * d + k])
            if z[row * d + k] > z[row * d + best] { best = k }
        }
        lossSum += log(sum) - z[row * d + Int(labels[row])]
        if best == Int(labels[row]) { correct += 1 }
    }
    return (lossSum, correct)
}

/// (softmax(z) − onehot(label)) · scale, row by row.
func naiveCrossEntropyGradient(logits z: [Double], labels: [Int32], n: Int, d: Int, scale: Double) -> [Double] {
    var result = [Double](repeating: 0, count: n * d)
    for row in 0..<n {
        var sum = 0.0
        for k in 0..<d { sum += exp(z[row * d + k]) }
        for k in 0..<d {
            let onehot = k == Int(labels[row]) ? 1.0 : 0.0
            result[row * d + k] = (exp(z[row * d + k]) / sum - onehot) * scale
        }
    }
    return result
}

// MARK: - A random problem: parameters, inputs and labels

struct Problem {
    let sizes: [Int]
    let n: Int
    var parameters: [Double]
    let inputs: [Double]
    let labels: [Int32]
    /// The seed that was finally used (see `kinkFree`).
    let seed: UInt64

    var architecture: MLPArchitecture {
        MLPArchitecture(inputSize: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()),
                        outputSize: sizes[sizes.count - 1])
    }
    var naive: NaiveMLP { NaiveMLP(sizes: sizes) }

    /// Weights N(0, 2/fan_in), biases U(−0.2, 0.2), inputs U(−1, 1), uniform labels; all
    /// from ``TestRandom`` so nothing is shared with the code under test.
    init(sizes: [Int], n: Int, seed: UInt64) {
        self.sizes = sizes
        self.n = n
        self.seed = seed
        var random = TestRandom(seed: seed)
        var parameters: [Double] = []
        for l in 0..<(sizes.count - 1) {
            let sigma = (2 / Double(sizes[l])).squareRoot()
            parameters += (0..<(sizes[l + 1] * sizes[l])).map { _ in sigma * random.normal() }
            parameters += (0..<sizes[l + 1]).map { _ in random.uniform(-0.2...0.2) }
        }
        self.parameters = parameters
        inputs = (0..<(n * sizes[0])).map { _ in random.uniform(-1...1) }
        labels = (0..<n).map { _ in Int32(random.index(below: sizes[sizes.count - 1])) }
    }

    /// The first problem from seed, seed + 1, ... whose hidden pre-activations all stay at
    /// least `margin` away from 0, so that small perturbations never cross a ReLU kink.
    static func kinkFree(sizes: [Int], n: Int, seed: UInt64, margin: Double) -> Problem {
        for attempt in 0..<1000 {
            let problem = Problem(sizes: sizes, n: n, seed: seed + UInt64(attempt))
            if problem.naive.kinkMargin(parameters: problem.parameters, inputs: problem.inputs, n: n) >= margin {
                return problem
            }
        }
        fatalError("no kink-free problem for \(sizes) near seed \(seed)")
    }
}

// MARK: - Calling the library with arrays

/// Runs `mlpForward` on buffers of exactly n rows pre-filled with NaN (so an entry the
/// library forgets to write shows up) and returns every layer's output.
func libraryForward<S: BLASScalar>(
    _ architecture: MLPArchitecture, parameters: [S], inputs: [S], n: Int
) -> [[S]] {
    let outputs = (0..<architecture.layerCount).map { layer -> UnsafeMutablePointer<S> in
        let buffer = UnsafeMutablePointer<S>.allocate(capacity: n * architecture.fanOut(layer))
        buffer.initialize(repeating: .nan, count: n * architecture.fanOut(layer))
        return buffer
    }
    defer { outputs.forEach { $0.deallocate() } }
    parameters.withUnsafeBufferPointer { p in
        inputs.withUnsafeBufferPointer { x in
            mlpForward(architecture, parameters: p.baseAddress!, inputs: x.baseAddress!, n: n, outputs: outputs)
        }
    }
    return outputs.enumerated().map { layer, buffer in
        Array(UnsafeBufferPointer(start: buffer, count: n * architecture.fanOut(layer)))
    }
}

/// `MLPWorkspace.lossAndGradient` on a workspace of the given capacity (default n); the
/// gradient buffer starts as NaN so an unwritten entry shows up.
func libraryLossAndGradient<S: BLASScalar>(
    _ architecture: MLPArchitecture, parameters: [S], inputs: [S], labels: [Int32], n: Int,
    capacity: Int? = nil
) -> (loss: Double, correct: Int, gradient: [S], logits: [S]) {
    let workspace = MLPWorkspace<S>(architecture, capacity: capacity ?? n)
    var gradient = [S](repeating: .nan, count: architecture.parameterCount)
    let result = parameters.withUnsafeBufferPointer { p in
        inputs.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                gradient.withUnsafeMutableBufferPointer { g in
                    workspace.lossAndGradient(
                        parameters: p.baseAddress!, inputs: x.baseAddress!, labels: y.baseAddress!, n: n,
                        gradient: g.baseAddress!)
                }
            }
        }
    }
    let logits = Array(UnsafeBufferPointer(start: workspace.logits, count: n * architecture.outputSize))
    return (result.loss, result.correct, gradient, logits)
}

/// `MLPWorkspace.evaluate` with arrays.
func libraryEvaluate<S: BLASScalar>(
    _ architecture: MLPArchitecture, capacity: Int, parameters: [S], inputs: [S], labels: [Int32], count: Int
) -> (loss: Double, accuracy: Double) {
    let workspace = MLPWorkspace<S>(architecture, capacity: capacity)
    return parameters.withUnsafeBufferPointer { p in
        inputs.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                workspace.evaluate(parameters: p.baseAddress!, inputs: x.baseAddress!, labels: y.baseAddress!, count: count)
            }
        }
    }
}

/// "7-5-4-3".
func describe(_ sizes: [Int]) -> String { sizes.map(String.init).joined(separator: "-") }
