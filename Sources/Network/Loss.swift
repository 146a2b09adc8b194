import Linalg

// MARK: - Training losses on the logits

/// The loss a workspace trains and evaluates with.
public enum LossFunction: String, Sendable, CaseIterable, Codable {
    /// Mean softmax cross-entropy against integer labels (``softmaxCrossEntropy(logits:labels:n:d:dlogits:scale:)``).
    case crossEntropy = "cross_entropy"
    /// Half mean squared error against real targets (``halfSquaredError(logits:targets:n:d:dlogits:scale:)``).
    case mse
}

/// Half squared error over a batch, fused with its gradient.
///
/// logits is (n, d), targets (n, d). Returns Σ_i ½ Σ_k (z_ik − y_ik)², summed in float64 in
/// row order; pass scale = 1/n to the gradient for the batch mean ½·(1/n)·Σ‖z_i − y_i‖².
/// If `dlogits` is given it receives (z − y) · scale, (n, d).
@_specialize(where S == Float)
@_specialize(where S == Double)
public func halfSquaredError<S: BLASScalar>(
    logits: UnsafePointer<S>, targets: UnsafePointer<S>, n: Int, d: Int,
    dlogits: UnsafeMutablePointer<S>?, scale: S
) -> Double {
    var lossSum = 0.0
    for i in 0..<(n * d) {
        let r = logits[i] - targets[i]
        lossSum += 0.5 * Double(r) * Double(r)
        if let dlogits { dlogits[i] = r * scale }
    }
    return lossSum
}
