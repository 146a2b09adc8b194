/// Labelled inputs ready for a network: n rows of `featureCount` floats, one class each, and
/// for regression data `targetWidth` real targets each.
///
/// `sourceIndices[k]` records where row k came from (a pooled MNIST index, see
/// ``MNIST/pooledImageCount``) so that a run log can name exactly which images were used.
public struct LabeledSet: Sendable, Equatable {
    /// Inputs, row-major `count × featureCount` (for MNIST: pixel / 255, in [0, 1]).
    public var inputs: [Float]
    /// The class of each row, in 0..<10 for MNIST.
    public var labels: [Int32]
    /// The pooled MNIST index each row was built from.
    public var sourceIndices: [Int]
    /// Floats per row (784 for MNIST).
    public let featureCount: Int
    /// Real targets, row-major `count × targetWidth` (synthetic regression); empty for image data.
    public var targets: [Float]
    /// Targets per row (0 when there are none).
    public let targetWidth: Int

    /// Creates a set; the arrays must describe the same number of rows (`targets` empty, or
    /// `count × targetWidth`).
    public init(
        inputs: [Float], labels: [Int32], sourceIndices: [Int], featureCount: Int, targets: [Float] = [],
        targetWidth: Int = 0
    ) {
        precondition(targets.count == labels.count * targetWidth, "LabeledSet: \(targets.count) targets for \(labels.count) rows")
        self.targets = targets
        self.targetWidth = targetWidth
        precondition(featureCount > 0, "featureCount must be positive")
        precondition(
            inputs.count == labels.count * featureCount && sourceIndices.count == labels.count,
            "LabeledSet: \(inputs.count) inputs, \(labels.count) labels and "
                + "\(sourceIndices.count) source indices do not agree for \(featureCount) features")
        self.inputs = inputs
        self.labels = labels
        self.sourceIndices = sourceIndices
        self.featureCount = featureCount
    }

    /// The number of rows (samples).
    public var count: Int { labels.count }

    /// The inputs of row `i`.
    public func row(_ i: Int) -> ArraySlice<Float> {
        inputs[featureCount * i ..< featureCount * (i + 1)]
    }

    /// The rows of `self` followed by the rows of `other` (same feature count).
    public func appending(_ other: LabeledSet) -> LabeledSet {
        precondition(other.featureCount == featureCount && other.targetWidth == targetWidth, "LabeledSet: feature counts differ")
        return LabeledSet(
            inputs: inputs + other.inputs, labels: labels + other.labels,
            sourceIndices: sourceIndices + other.sourceIndices, featureCount: featureCount,
            targets: targets + other.targets, targetWidth: targetWidth)
    }
}
