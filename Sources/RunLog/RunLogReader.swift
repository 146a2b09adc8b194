import HDF5

/// Problems with a file given as a geodim log.
public enum RunLogError: Error, CustomStringConvertible, Sendable {
    case notARunLog(path: String, reason: String)
    case newerFormat(path: String, version: Int64)
    case missingData(path: String, what: String)

    public var description: String {
        switch self {
        case .notARunLog(let path, let reason):
            return "\(path): not a geodim run log: \(reason) (hint: give the log.h5 inside a run directory)"
        case .newerFormat(let path, let version):
            return "\(path): log format version \(version) is newer than this geodim reads (\(runLogFormatVersion)) (hint: use a newer geodim)"
        case .missingData(let path, let what):
            return "\(path): the log has no \(what)"
        }
    }
}

/// One BFD series as read back from a log.
public struct BFDSeriesReading: Sendable {
    public let name: String
    public let source: String
    public let output: String
    public let rowCap: Int
    public let ranks: [Int64]
    public let clear: [UInt8]
    public let gapRatios: [Double]
}

/// A geodim log read back for `geodim inspect` and other readers.
public struct RunLogReading: Sendable {
    public let path: String
    public let status: String
    public let created: String
    public let formatVersion: Int64
    public let configYAML: String
    public let meta: [(String, String)]
    public let steps: [Int64]
    public let epochs: [Int64]
    public let wallTimes: [Double]
    public let trainLoss: [Double]
    public let trainAccuracy: [Double]
    public let testLoss: [Double]
    public let testAccuracy: [Double]
    public let series: [BFDSeriesReading]

    /// Opens `path` read-only and reads the summary of the run; refuses files that are not
    /// geodim logs or that have a newer format version.
    public static func read(path: String) throws -> RunLogReading {
        let file = try HDF5File.open(path, mode: .readOnly)
        defer { try? file.close() }
        guard (try? file.attributes.contains("format")) == true,
              let format = try? file.attributes.string("format"), format == runLogFormat
        else {
            throw RunLogError.notARunLog(path: path, reason: "its root attribute `format` is not \"\(runLogFormat)\"")
        }
        let version = try file.attributes.value("format_version", as: Int64.self)
        guard version <= runLogFormatVersion else { throw RunLogError.newerFormat(path: path, version: version) }
        let root = try file.root
        let metaGroup = try root.group("meta")
        var meta: [(String, String)] = []
        for name in try metaGroup.attributes.names() {
            switch try metaGroup.attributes.elementType(name) {
            case .string: meta.append((name, try metaGroup.attributes.string(name)))
            case .int64:
                let values = try metaGroup.attributes.array(name, as: Int64.self)
                meta.append((name, values.map(String.init).joined(separator: ",")))
            case .float64:
                let values = try metaGroup.attributes.array(name, as: Double.self)
                meta.append((name, values.map { String($0) }.joined(separator: ",")))
            default: continue
            }
        }
        func column<T: HDF5Scalar>(_ name: String, _: T.Type) throws -> [T] {
            try root.dataset(name).read(as: T.self).values
        }
        var series: [BFDSeriesReading] = []
        let bfd = try root.group("checkpoints/bfd")
        let names = try (try? bfd.attributes.strings("series")) ?? bfd.childNames()
        for name in names {
            let group = try bfd.group(name)
            series.append(BFDSeriesReading(
                name: name, source: try group.attributes.string("source"), output: try group.attributes.string("output"),
                rowCap: Int(try group.attributes.value("row_cap", as: Int64.self)),
                ranks: try group.dataset("rank").read(as: Int64.self).values,
                clear: try group.dataset("clear").read(as: UInt8.self).values,
                gapRatios: try group.dataset("gap_ratio").read(as: Double.self).values))
        }
        return RunLogReading(
            path: path, status: try file.attributes.string("status"), created: try file.attributes.string("created"),
            formatVersion: version, configYAML: try metaGroup.dataset("config_yaml").readString(), meta: meta,
            steps: try column("checkpoints/step", Int64.self), epochs: try column("checkpoints/epoch", Int64.self),
            wallTimes: try column("checkpoints/wall_time_s", Double.self),
            trainLoss: try column("checkpoints/train_loss", Double.self),
            trainAccuracy: try column("checkpoints/train_accuracy", Double.self),
            testLoss: try column("checkpoints/test_loss", Double.self),
            testAccuracy: try column("checkpoints/test_accuracy", Double.self),
            series: series)
    }
}
