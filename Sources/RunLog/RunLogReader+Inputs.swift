import HDF5

/// What an offline BFD recomputation needs from a log: the architecture, the parameters at
/// one checkpoint and the exact inputs of one set.
public struct LoggedCheckpoint: Sendable {
    /// Widths, inputs first (`/meta` `layer_sizes`; at least three, each ≥ 1).
    public let layerSizes: [Int]
    /// Row index in /checkpoints.
    public let row: Int
    /// Epochs done at that checkpoint (`/checkpoints/epoch`).
    public let epoch: Int
    /// Flat parameters in geodim's layout (per layer W then b), as float64.
    public let parameters: [Double]
    /// The data directory the run used (for MNIST inputs).
    public let dataDirectory: String
    /// The data set the run used (`/meta` `dataset`: `mnist`, `fashion_mnist` or `idx`;
    /// `mnist` in logs written before other data sets existed).
    public let datasetName: String

    /// Reads checkpoint `row` (negative counts from the end) of the log at `path`.
    public static func read(path: String, row requested: Int) throws -> LoggedCheckpoint {
        let file = try openRunLog(path)
        defer { try? file.close() }
        let root = try file.root
        let meta = try root.group("meta")
        let layerSizes = try meta.attributes.array("layer_sizes", as: Int64.self).map(Int.init)
        guard layerSizes.count >= 3, layerSizes.allSatisfy({ $0 >= 1 }) else {
            throw RunLogError.inconsistent(
                path: path, reason: "/meta layer_sizes is \(layerSizes), not inputs, at least one hidden width and outputs, each ≥ 1")
        }
        let epochs = try root.dataset("checkpoints/epoch").read(as: Int64.self).values
        let row = requested < 0 ? epochs.count + requested : requested
        guard row >= 0, row < epochs.count else {
            throw RunLogError.missingData(path: path, what: "checkpoint \(requested): the log has \(epochs.count) checkpoint(s)")
        }
        guard try root.exists("params") else {
            throw RunLogError.missingData(path: path, what: "parameters (the run had logging.save_params: false)")
        }
        var parameters: [Double] = []
        for layer in 0..<(layerSizes.count - 1) {
            for name in ["weight", "bias"] {
                let dataset = try root.dataset("params/layer\(layer)/\(name)")
                switch try dataset.elementType {
                case .float32:
                    parameters += try dataset.readRows(row..<(row + 1), as: Float.self).values.map(Double.init)
                default:
                    parameters += try dataset.readRows(row..<(row + 1), as: Double.self).values
                }
            }
        }
        let directory = (try? meta.attributes.string("data_directory")) ?? "data/mnist"
        let dataset = (try? meta.attributes.string("dataset")) ?? "mnist"
        return LoggedCheckpoint(
            layerSizes: layerSizes, row: row, epoch: Int(epochs[row]), parameters: parameters, dataDirectory: directory,
            datasetName: dataset)
    }
}

/// The pooled MNIST indices of a logged BFD input set (`train` or `test`), or the stored
/// inputs (`random`, and `train` when the run added noise to it), row-major, with their
/// feature count.
public enum LoggedInputs: Sendable {
    case pooledIndices([Int])
    case values([Float], featureCount: Int)

    /// Reads the BFD input set `source` (`train`, `test` or `random`) of the log at `path`:
    /// `/data/bfd_train_inputs` when the run stored noisy training inputs, the first rows of
    /// `/data/synthetic/<source>_x` for synthetic data, else
    /// `/data/bfd_<source>_indices`; `/data/random_inputs` for `random`. A set the run did not
    /// measure on is ``RunLogError/missingData(path:what:)``.
    public static func read(path: String, source: String) throws -> LoggedInputs {
        let file = try openRunLog(path)
        defer { try? file.close() }
        let root = try file.root
        switch source {
        case "train" where try root.exists("data/bfd_train_inputs"):
            // Noisy training inputs are stored, not reconstructible from MNIST.
            let array = try root.dataset("data/bfd_train_inputs").read(as: Float.self)
            guard array.shape.count == 2, array.shape[0] > 0 else {
                throw RunLogError.missingData(path: path, what: "stored training inputs (data/bfd_train_inputs is not a 2-D array)")
            }
            return .values(array.values, featureCount: array.shape[1])
        case "train" where try root.exists("data/synthetic"), "test" where try root.exists("data/synthetic"):
            // Synthetic data: the BFD set is the first rows of the stored inputs (the indices are positions).
            let count = try root.dataset("data/bfd_\(source)_indices").read(as: Int64.self).values.count
            let array = try root.dataset("data/synthetic/\(source)_x").read(as: Float.self)
            guard count > 0, array.shape.count == 2, array.shape[0] >= count else {
                throw RunLogError.missingData(path: path, what: "BFD \(source) inputs (the run did not measure on them)")
            }
            return .values(Array(array.values[0..<(count * array.shape[1])]), featureCount: array.shape[1])
        case "train", "test":
            let indices = try root.dataset("data/bfd_\(source)_indices").read(as: Int64.self).values.map(Int.init)
            guard !indices.isEmpty else {
                throw RunLogError.missingData(path: path, what: "BFD \(source) inputs (the run did not measure on them)")
            }
            return .pooledIndices(indices)
        case "random":
            let array = try root.dataset("data/random_inputs").read(as: Float.self)
            guard array.shape.count == 2, array.shape[0] > 0 else {
                throw RunLogError.missingData(path: path, what: "random inputs (the run did not measure on them)")
            }
            return .values(array.values, featureCount: array.shape[1])
        default:
            throw RunLogError.missingData(path: path, what: "input set '\(source)' (use train, test or random)")
        }
    }
}

/// Opens `path` for reading and checks it is a geodim log this version reads.
func openRunLog(_ path: String) throws -> HDF5File {
    let file = try RunLogReading.openForReading(path)
    do {
        try RunLogReading.checkFormat(file, path: path)
    } catch {
        try? file.close()
        throw error
    }
    return file
}
