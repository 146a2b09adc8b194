import HDF5

/// The per-step columns a tracker export needs beyond `RunLogReading`: the `/train` rows and
/// the per-checkpoint neuron statistics, each cut to its complete rows (the length of
/// `/train/step`, and of `/checkpoints/step`).
public struct RunLogTracks: Sendable {
    /// `/train` `step`, `loss` and `lr`.
    public let trainSteps: [Int64]
    public let trainLoss: [Double]
    public let trainLR: [Double]
    public let trainWallTimes: [Double]
    /// Per `/checkpoints/neurons/<source>`, in the log's order: each column as
    /// (name, values per checkpoint): `dead/layer<l>`, `always_active/layer<l>` (one per
    /// hidden layer, l from 1) and `patterns`.
    public let neurons: [(source: String, columns: [(name: String, values: [Double])])]

    /// Reads them from the log at `path`.
    public static func read(path: String) throws -> RunLogTracks {
        let file = try openRunLog(path)
        defer { try? file.close() }
        let root = try file.root
        let trainRows = try root.dataset("train/step").rowCount
        func trainColumn<T: HDF5Scalar>(_ name: String, _: T.Type) throws -> [T] {
            let dataset = try root.dataset("train/" + name)
            return try dataset.readRows(0..<min(trainRows, try dataset.rowCount), as: T.self).values
        }
        let complete = try root.dataset("checkpoints/step").rowCount
        var neurons: [(source: String, columns: [(name: String, values: [Double])])] = []
        if try root.exists("checkpoints/neurons") {
            let group = try root.group("checkpoints/neurons")
            for source in try group.childNames() {
                var columns: [(name: String, values: [Double])] = []
                for name in ["dead", "always_active", "patterns"] where try group.exists(source + "/" + name) {
                    let dataset = try group.dataset(source + "/" + name)
                    let array = try dataset.readRows(0..<min(complete, try dataset.rowCount), as: Int64.self)
                    if array.shape.count == 1 {
                        columns.append((name, array.values.map(Double.init)))
                    } else if array.shape.count == 2 {
                        let width = array.shape[1]
                        for layer in 0..<width {
                            let values = stride(from: layer, to: array.values.count, by: width).map { Double(array.values[$0]) }
                            columns.append(("\(name)/layer\(layer + 1)", values))
                        }
                    }
                }
                neurons.append((source, columns))
            }
        }
        return RunLogTracks(
            trainSteps: try trainColumn("step", Int64.self), trainLoss: try trainColumn("loss", Double.self),
            trainLR: try trainColumn("lr", Double.self), trainWallTimes: try trainColumn("wall_time_s", Double.self),
            neurons: neurons)
    }
}
