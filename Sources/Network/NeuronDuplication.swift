/// A network one neuron wider: hidden neuron `neuron` of hidden layer `layer` (the output of
/// affine layer `layer`, 0-based, so 0 ≤ layer < L − 1) is duplicated, the copy appended as the
/// layer's last neuron, and its outgoing weights a are split λ·a (the original) and (1 − λ)·a
/// (the copy): the embedding of a width-r network into width r + 1 whose images are the
/// symmetry-induced critical manifolds of Şimşek et al. (ICML 2021).
///
/// parameters is (P) in the flat layout of `architecture`; the result is the wider
/// architecture and its parameters (P + n_l + 1 + n_(l+2)), every other weight and bias copied.
/// The copy has the original's in-weights and bias, so both neurons carry the same activation
/// h on every input, and their contribution λ·a·h + (1 − λ)·a·h = a·h leaves the function
/// unchanged for every real λ (to rounding, λ·a + (1 − λ)·a being a up to an ulp).
public func duplicatingNeuron(
    _ architecture: MLPArchitecture, parameters: [Double], layer: Int, neuron: Int, split lambda: Double
) -> (architecture: MLPArchitecture, parameters: [Double]) {
    precondition(parameters.count == architecture.parameterCount)
    precondition(layer >= 0 && layer < architecture.layerCount - 1, "layer \(layer) has no hidden output")
    precondition(neuron >= 0 && neuron < architecture.fanOut(layer))
    var widths = architecture.hiddenWidths
    widths[layer] += 1
    let wider = MLPArchitecture(inputSize: architecture.inputSize, hiddenWidths: widths, outputSize: architecture.outputSize)
    var result = [Double](repeating: 0, count: wider.parameterCount)
    for l in 0..<architecture.layerCount {
        let (fanIn, fanOut) = (architecture.fanIn(l), architecture.fanOut(l))
        let (newFanIn, newFanOut) = (wider.fanIn(l), wider.fanOut(l))
        let w = architecture.weightOffset(l), b = architecture.biasOffset(l)
        let nw = wider.weightOffset(l), nb = wider.biasOffset(l)
        for j in 0..<newFanOut {
            // The copy (j = fanOut, in the widened layer) reads the original's row and bias.
            let source = j < fanOut ? j : neuron
            for i in 0..<newFanIn {
                var value: Double
                if l == layer + 1 {
                    // Out-weights of the duplicated neuron: λ·a on the original, (1 − λ)·a on the copy.
                    let a = parameters[w + source * fanIn + (i < fanIn ? i : neuron)]
                    value = a
                    if i == neuron { value = lambda * a }
                    if i == fanIn { value = (1 - lambda) * a }
                } else {
                    value = parameters[w + source * fanIn + i]
                }
                result[nw + j * newFanIn + i] = value
            }
            result[nb + j] = parameters[b + source]
        }
    }
    return (wider, result)
}
