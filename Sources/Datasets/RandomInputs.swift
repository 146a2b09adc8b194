import SeededRandom

/// `count` random inputs with every feature drawn independently from N(mean, std²), as a
/// row-major `count × featureCount` array.
///
/// The paper's script probes the network with N(0.5, 1) pixels (the defaults). The draw uses
/// the `"datasets.gaussianInputs"` stream of `seed`, row by row, so the first rows do not
/// depend on `count`.
public func gaussianInputs(
    count: Int, featureCount: Int = MNIST.featureCount, mean: Double = 0.5, std: Double = 1,
    seed: UInt64
) -> [Float] {
    precondition(count >= 0 && featureCount > 0, "gaussianInputs: count ≥ 0 and featureCount > 0")
    var generator = SeededGenerator(seed: seed, stream: "datasets.gaussianInputs")
    return (0..<(count * featureCount)).map { _ in
        Float(mean + std * generator.nextStandardNormal())
    }
}

/// A copy of `set` with independent N(0, std²) noise added to every input, labels and
/// source indices unchanged (the "noisy training inputs" experiment).
///
/// - Parameter clampTo: if given, each noisy input is clamped into this range (e.g. 0...1 to
///   stay a valid pixel intensity); the default leaves them unbounded.
/// The draw uses the `"datasets.inputNoise"` stream of `seed`.
public func addGaussianNoise(
    to set: LabeledSet, std: Double, seed: UInt64, clampTo: ClosedRange<Float>? = nil
) -> LabeledSet {
    precondition(std >= 0, "addGaussianNoise: std must be ≥ 0")
    var generator = SeededGenerator(seed: seed, stream: "datasets.inputNoise")
    var noisy = set
    for k in noisy.inputs.indices {
        var value = noisy.inputs[k] + Float(std * generator.nextStandardNormal())
        if let clampTo { value = min(max(value, clampTo.lowerBound), clampTo.upperBound) }
        noisy.inputs[k] = value
    }
    return noisy
}
