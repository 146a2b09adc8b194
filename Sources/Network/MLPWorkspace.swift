import Linalg

/// Preallocated buffers for forward and backward passes of up to `capacity` rows, so a
/// training step allocates nothing.
public final class MLPWorkspace<S: BLASScalar> {
    public let architecture: MLPArchitecture
    public let capacity: Int
    /// outputs[l]: (capacity, n_(l+1)); post-ReLU for hidden layers, logits for the last.
    public let outputs: [UnsafeMutablePointer<S>]
    /// scratch[l]: (capacity, n_(l+1)) gradients w.r.t. hidden-layer outputs.
    let scratch: [UnsafeMutablePointer<S>]
    /// (capacity, n_L) gradient w.r.t. the logits.
    let dlogits: UnsafeMutablePointer<S>

    public init(_ architecture: MLPArchitecture, capacity: Int) {
        precondition(capacity >= 1)
        self.architecture = architecture
        self.capacity = capacity
        outputs = (0..<architecture.layerCount).map { layer in
            let buffer = UnsafeMutablePointer<S>.allocate(capacity: capacity * architecture.fanOut(layer))
            buffer.initialize(repeating: 0, count: capacity * architecture.fanOut(layer))
            return buffer
        }
        scratch = (0..<(architecture.layerCount - 1)).map { layer in
            let buffer = UnsafeMutablePointer<S>.allocate(capacity: capacity * architecture.fanOut(layer))
            buffer.initialize(repeating: 0, count: capacity * architecture.fanOut(layer))
            return buffer
        }
        dlogits = .allocate(capacity: capacity * architecture.outputSize)
        dlogits.initialize(repeating: 0, count: capacity * architecture.outputSize)
    }

    deinit {
        for buffer in outputs { buffer.deallocate() }
        for buffer in scratch { buffer.deallocate() }
        dlogits.deallocate()
    }

    /// The logits of the last forward pass, (n, n_L).
    public var logits: UnsafeMutablePointer<S> { outputs[outputs.count - 1] }

    /// Forward pass on n ≤ capacity rows of inputs (n, n_0).
    public func forward(parameters: UnsafePointer<S>, inputs: UnsafePointer<S>, n: Int) {
        precondition(n <= capacity)
        mlpForward(architecture, parameters: parameters, inputs: inputs, n: n, outputs: outputs)
    }

    /// Mean softmax cross-entropy over the batch and its gradient, written into `gradient`
    /// (laid out like the parameters). Returns the mean loss and the number correct.
    @discardableResult
    public func lossAndGradient(
        parameters: UnsafePointer<S>, inputs: UnsafePointer<S>, labels: UnsafePointer<Int32>, n: Int,
        gradient: UnsafeMutablePointer<S>
    ) -> (loss: Double, correct: Int) {
        forward(parameters: parameters, inputs: inputs, n: n)
        let result = softmaxCrossEntropy(
            logits: logits, labels: labels, n: n, d: architecture.outputSize, dlogits: dlogits,
            scale: 1 / S(n))
        mlpBackward(
            architecture, parameters: parameters, inputs: inputs, n: n, outputs: outputs,
            dlogits: dlogits, scratch: scratch, gradient: gradient)
        return (result.lossSum / Double(n), result.correct)
    }

    /// Mean loss and accuracy over `count` rows of inputs (count, n_0), in batches of at
    /// most `capacity` rows.
    public func evaluate(
        parameters: UnsafePointer<S>, inputs: UnsafePointer<S>, labels: UnsafePointer<Int32>, count: Int
    ) -> (loss: Double, accuracy: Double) {
        guard count > 0 else { return (.nan, .nan) }
        var lossSum = 0.0
        var correct = 0
        var start = 0
        while start < count {
            let n = min(capacity, count - start)
            forward(parameters: parameters, inputs: inputs + start * architecture.inputSize, n: n)
            let batch = softmaxCrossEntropy(
                logits: logits, labels: labels + start, n: n, d: architecture.outputSize,
                dlogits: nil, scale: 1)
            lossSum += batch.lossSum
            correct += batch.correct
            start += n
        }
        return (lossSum / Double(count), Double(correct) / Double(count))
    }
}
