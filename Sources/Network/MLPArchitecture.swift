/// The shape of a fully connected ReLU network: `layerSizes = [n_0, n_1, ..., n_L]` with
/// n_0 inputs, hidden widths n_1 ... n_(L−1) and n_L outputs; affine layer l (0-based) maps
/// n_l → n_(l+1), with ReLU after every layer but the last.
///
/// Parameters live in one flat buffer, layer by layer: the weight matrix W_l
/// (n_(l+1) × n_l, row-major: row = output neuron) followed by the bias b_l (n_(l+1)).
/// Gradients and optimizer moments use the same layout.
public struct MLPArchitecture: Sendable, Equatable, Codable {
    /// Widths of every layer, inputs first, outputs last.
    public let layerSizes: [Int]

    /// Creates an architecture; at least one hidden layer, every width ≥ 1.
    public init(inputSize: Int, hiddenWidths: [Int], outputSize: Int) {
        precondition(inputSize >= 1 && outputSize >= 1 && hiddenWidths.allSatisfy { $0 >= 1 })
        layerSizes = [inputSize] + hiddenWidths + [outputSize]
    }

    /// Number of affine layers L.
    public var layerCount: Int { layerSizes.count - 1 }
    /// n_0.
    public var inputSize: Int { layerSizes[0] }
    /// n_L.
    public var outputSize: Int { layerSizes[layerSizes.count - 1] }
    /// Hidden widths n_1 ... n_(L−1).
    public var hiddenWidths: [Int] { Array(layerSizes.dropFirst().dropLast()) }

    /// Inputs to affine layer l.
    public func fanIn(_ layer: Int) -> Int { layerSizes[layer] }
    /// Outputs of affine layer l.
    public func fanOut(_ layer: Int) -> Int { layerSizes[layer + 1] }

    /// P: every weight and bias. Traps when P does not fit in `Int`: for widths from a config
    /// or a log, check ``checkedParameterCount`` first.
    public var parameterCount: Int {
        (0..<layerCount).reduce(0) { $0 + fanOut($1) * (fanIn($1) + 1) }
    }

    /// Number of hidden neurons (each carries one positive-rescaling symmetry).
    public var hiddenNeuronCount: Int { hiddenWidths.reduce(0, +) }

    /// Offset of W_l in the flat buffer.
    public func weightOffset(_ layer: Int) -> Int {
        (0..<layer).reduce(0) { $0 + fanOut($1) * (fanIn($1) + 1) }
    }

    /// Offset of b_l in the flat buffer.
    public func biasOffset(_ layer: Int) -> Int { weightOffset(layer) + fanOut(layer) * fanIn(layer) }

    /// Range of W_l in the flat buffer.
    public func weightRange(_ layer: Int) -> Range<Int> {
        let start = weightOffset(layer)
        return start..<(start + fanOut(layer) * fanIn(layer))
    }

    /// Range of b_l in the flat buffer.
    public func biasRange(_ layer: Int) -> Range<Int> {
        let start = biasOffset(layer)
        return start..<(start + fanOut(layer))
    }

    /// A compact description such as "784-30-30-30-10".
    public var description: String { layerSizes.map(String.init).joined(separator: "-") }
}
