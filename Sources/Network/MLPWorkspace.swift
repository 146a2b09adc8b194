import Linalg

/// Preallocated buffers for forward and backward passes of up to `capacity` rows, so a
/// training step allocates nothing.
///
/// It also holds a contiguous batch of inputs and labels: ``gather(rows:inputs:labels:count:)``
/// copies the rows of a mini-batch into it once per step, and the training step then runs
/// on that copy.
public final class MLPWorkspace<S: BLASScalar> {
    public let architecture: MLPArchitecture
    public let capacity: Int
    /// outputs[l]: (capacity, n_(l+1)); post-ReLU for hidden layers, logits for the last.
    public let outputs: [UnsafeMutablePointer<S>]
    /// scratch[l]: (capacity, n_(l+1)) gradients w.r.t. hidden-layer outputs.
    let scratch: [UnsafeMutablePointer<S>]
    /// (capacity, n_L) gradient w.r.t. the logits.
    let dlogits: UnsafeMutablePointer<S>
    /// (capacity, n_0): the gathered mini-batch inputs.
    public let batchInputs: UnsafeMutablePointer<S>
    /// (capacity): the gathered mini-batch labels.
    public let batchLabels: UnsafeMutablePointer<Int32>
    /// (capacity, n_L): the gathered mini-batch targets (``LossFunction/mse``; unused otherwise).
    public let batchTargets: UnsafeMutablePointer<S>
    /// The loss ``lossAndGradient(parameters:inputs:labels:targets:n:gradient:weightGradients:weightScalars:)``
    /// and ``evaluate(parameters:inputs:labels:targets:count:)`` compute.
    public let loss: LossFunction

    /// Buffers for `capacity` rows; `loss` picks cross-entropy (labels) or half MSE (targets).
    public init(_ architecture: MLPArchitecture, capacity: Int, loss: LossFunction = .crossEntropy) {
        precondition(capacity >= 1)
        self.architecture = architecture
        self.capacity = capacity
        self.loss = loss
        func zeroed<T: Numeric>(_ count: Int, _: T.Type = T.self) -> UnsafeMutablePointer<T> {
            let buffer = UnsafeMutablePointer<T>.allocate(capacity: count)
            buffer.initialize(repeating: 0, count: count)
            return buffer
        }
        outputs = (0..<architecture.layerCount).map { zeroed(capacity * architecture.fanOut($0)) }
        scratch = (0..<(architecture.layerCount - 1)).map { zeroed(capacity * architecture.fanOut($0)) }
        dlogits = zeroed(capacity * architecture.outputSize)
        batchInputs = zeroed(capacity * architecture.inputSize)
        batchLabels = zeroed(capacity)
        batchTargets = zeroed(capacity * architecture.outputSize)
    }

    deinit {
        for buffer in outputs { buffer.deallocate() }
        for buffer in scratch { buffer.deallocate() }
        dlogits.deallocate()
        batchInputs.deallocate()
        batchLabels.deallocate()
        batchTargets.deallocate()
    }

    /// The logits of the last forward pass, (n, n_L).
    public var logits: UnsafeMutablePointer<S> { outputs[outputs.count - 1] }

    /// Forward pass on n ≤ capacity rows of inputs (n, n_0).
    public func forward(parameters: UnsafePointer<S>, inputs: UnsafePointer<S>, n: Int) {
        precondition(n <= capacity)
        mlpForward(architecture, parameters: parameters, inputs: inputs, n: n, outputs: outputs)
    }

    /// The batch mean of the workspace's loss and its gradient, written into `gradient`
    /// (laid out like the parameters). Returns the mean loss and the number correct (0 for
    /// ``LossFunction/mse``). Cross-entropy reads `labels` (n); half MSE reads `targets`
    /// (n, n_L), which it requires.
    ///
    /// Given `weightGradients`, each layer's weight GEMM writes C_l ← α·doutᵀ·inp + β·C_l
    /// (α, β from `weightScalars`) onto W_l's place there instead, and `gradient` receives the
    /// bias gradients only (its weight entries are not touched); `weightGradients` may be the
    /// parameters themselves (see `mlpBackward`), which is how an optimizer folds its update
    /// into the GEMMs. The loss is the one before any such update.
    @discardableResult
    public func lossAndGradient(
        parameters: UnsafePointer<S>, inputs: UnsafePointer<S>, labels: UnsafePointer<Int32>,
        targets: UnsafePointer<S>? = nil, n: Int,
        gradient: UnsafeMutablePointer<S>, weightGradients: UnsafeMutablePointer<S>? = nil,
        weightScalars: GEMMScalars<S> = .overwrite
    ) -> (loss: Double, correct: Int) {
        forward(parameters: parameters, inputs: inputs, n: n)
        let result = outputLoss(labels: labels, targets: targets, n: n, dlogits: dlogits, scale: 1 / S(n))
        mlpBackward(
            architecture, parameters: parameters, inputs: inputs, n: n, outputs: outputs,
            dlogits: dlogits, scratch: scratch, gradient: gradient, weightGradients: weightGradients,
            weightScalars: weightScalars)
        return (result.lossSum / Double(n), result.correct)
    }

    /// Copies rows `rows` of a row-major (count, n_0) `inputs` and their `labels` (and
    /// `targets`, (count, n_L), when given) into ``batchInputs``, ``batchLabels`` and
    /// ``batchTargets``, contiguously and in the order given.
    /// At most `capacity` rows; each index must lie in 0..<count (checked).
    public func gather(
        rows: UnsafeBufferPointer<Int>, inputs: UnsafePointer<S>, labels: UnsafePointer<Int32>,
        targets: UnsafePointer<S>? = nil, count: Int
    ) {
        precondition(rows.count <= capacity, "gather: \(rows.count) rows exceed the capacity \(capacity)")
        let featureCount = architecture.inputSize
        let d = architecture.outputSize
        for (row, index) in rows.enumerated() {
            precondition(index >= 0 && index < count, "gather: row \(index) out of 0..<\(count)")
            (batchInputs + row * featureCount).update(from: inputs + index * featureCount, count: featureCount)
            batchLabels[row] = labels[index]
            if let targets { (batchTargets + row * d).update(from: targets + index * d, count: d) }
        }
    }

    /// The loss of the last forward pass's logits (n rows): its sum over rows and the number
    /// correct (arg-max = label; 0 for MSE), the gradient (· scale) into `dlogits` when given.
    func outputLoss(
        labels: UnsafePointer<Int32>, targets: UnsafePointer<S>?, n: Int, dlogits: UnsafeMutablePointer<S>?, scale: S
    ) -> (lossSum: Double, correct: Int) {
        switch loss {
        case .crossEntropy:
            return softmaxCrossEntropy(
                logits: logits, labels: labels, n: n, d: architecture.outputSize, dlogits: dlogits, scale: scale)
        case .mse:
            guard let targets else { preconditionFailure("MLPWorkspace: the mse loss needs targets") }
            return (halfSquaredError(
                logits: logits, targets: targets, n: n, d: architecture.outputSize, dlogits: dlogits, scale: scale), 0)
        }
    }

    /// ``gather(rows:inputs:labels:count:)`` then
    /// ``lossAndGradient(parameters:inputs:labels:n:gradient:weightGradients:weightScalars:)``
    /// on the gathered batch: one training step's loss and gradient for the mini-batch `rows`
    /// of a data set of `count` rows (inputs (count, n_0), labels (count)).
    @discardableResult
    public func lossAndGradient(
        parameters: UnsafePointer<S>, rows: UnsafeBufferPointer<Int>, inputs: UnsafePointer<S>,
        labels: UnsafePointer<Int32>, targets: UnsafePointer<S>? = nil, count: Int, gradient: UnsafeMutablePointer<S>
    ) -> (loss: Double, correct: Int) {
        gather(rows: rows, inputs: inputs, labels: labels, targets: targets, count: count)
        return lossAndGradient(
            parameters: parameters, inputs: batchInputs, labels: batchLabels,
            targets: targets == nil ? nil : UnsafePointer(batchTargets), n: rows.count, gradient: gradient)
    }

    /// Mean loss and accuracy over `count` rows of inputs (count, n_0), in batches of at
    /// most `capacity` rows.
    /// Accuracy is NaN for ``LossFunction/mse``; its loss reads `targets` (count, n_L).
    public func evaluate(
        parameters: UnsafePointer<S>, inputs: UnsafePointer<S>, labels: UnsafePointer<Int32>,
        targets: UnsafePointer<S>? = nil, count: Int
    ) -> (loss: Double, accuracy: Double) {
        guard count > 0 else { return (.nan, .nan) }
        var lossSum = 0.0
        var correct = 0
        var start = 0
        while start < count {
            let n = min(capacity, count - start)
            forward(parameters: parameters, inputs: inputs + start * architecture.inputSize, n: n)
            let batch = outputLoss(
                labels: labels + start, targets: targets.map { $0 + start * architecture.outputSize }, n: n,
                dlogits: nil, scale: 1)
            lossSum += batch.lossSum
            correct += batch.correct
            start += n
        }
        return (lossSum / Double(count), loss == .mse ? .nan : Double(correct) / Double(count))
    }
}
