import HDF5

/// Problems with a file given as a geodim log.
public enum RunLogError: Error, CustomStringConvertible, Sendable {
    case notARunLog(path: String, reason: String)
    case newerFormat(path: String, version: Int64)
    case missingData(path: String, what: String)
    /// The log does not agree with itself or with a resume state.
    case inconsistent(path: String, reason: String)
    /// A file-system operation on the log failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .notARunLog(let path, let reason):
            return "\(path): not a geodim run log: \(reason) (hint: give the log.h5 inside a run directory)"
        case .newerFormat(let path, let version):
            return "\(path): log format version \(version) is newer than this geodim reads (\(runLogFormatVersion)) (hint: use a newer geodim)"
        case .missingData(let path, let what):
            return "\(path): the log has no \(what)"
        case .inconsistent(let path, let reason):
            return "\(path): the log is inconsistent: \(reason)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
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
    ///
    /// Works on a log that is being written or whose writer was killed: a live (SWMR) log is
    /// opened as a SWMR reader when a plain open is refused, and every per-checkpoint column is
    /// cut to the complete rows (the length of `/checkpoints/step`).
    public static func read(path: String) throws -> RunLogReading {
        let file = try openForReading(path)
        defer { try? file.close() }
        let version = try checkFormat(file, path: path)
        let root = try file.root
        let metaGroup = try root.group("meta")
        var meta: [(String, String)] = []
        for name in try metaGroup.attributes.names() {
            switch try metaGroup.attributes.elementType(name) {
            case .string: meta.append((name, try metaGroup.attributes.strings(name).joined(separator: " | ")))
            case .int64:
                let values = try metaGroup.attributes.array(name, as: Int64.self)
                meta.append((name, values.map(String.init).joined(separator: ",")))
            case .float64:
                let values = try metaGroup.attributes.array(name, as: Double.self)
                meta.append((name, values.map { String($0) }.joined(separator: ",")))
            default: continue
            }
        }
        let complete = try root.dataset("checkpoints/step").rowCount
        func rows<T: HDF5Scalar>(_ dataset: HDF5Dataset, _: T.Type) throws -> [T] {
            try dataset.readRows(0..<min(complete, try dataset.rowCount), as: T.self).values
        }
        func column<T: HDF5Scalar>(_ name: String, _: T.Type) throws -> [T] {
            try rows(root.dataset(name), T.self)
        }
        var series: [BFDSeriesReading] = []
        let bfd = try root.group("checkpoints/bfd")
        let names = try (try? bfd.attributes.strings("series")) ?? bfd.childNames()
        for name in names {
            let group = try bfd.group(name)
            series.append(BFDSeriesReading(
                name: name, source: try group.attributes.string("source"), output: try group.attributes.string("output"),
                rowCap: Int(try group.attributes.value("row_cap", as: Int64.self)),
                ranks: try rows(group.dataset("rank"), Int64.self),
                clear: try rows(group.dataset("clear"), UInt8.self),
                gapRatios: try rows(group.dataset("gap_ratio"), Double.self)))
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

    /// Opens a log for reading: plainly, or, when HDF5 refuses because the file is (or was,
    /// until its writer was killed) open for SWMR writing, as a SWMR reader.
    public static func openForReading(_ path: String) throws -> HDF5File {
        do {
            return try HDF5File.open(path, mode: .readOnly)
        } catch let error as HDF5Error {
            if case .library = error, let file = try? HDF5File.open(path, mode: .swmrRead) { return file }
            if case .notHDF5 = error {
                throw RunLogError.notARunLog(path: path, reason: "it is not an HDF5 file")
            }
            throw error
        }
    }

    /// Checks the root attributes `format` and `format_version`; returns the version.
    @discardableResult
    public static func checkFormat(_ file: HDF5File, path: String) throws -> Int64 {
        guard (try? file.attributes.contains("format")) == true,
              let format = try? file.attributes.string("format"), format == runLogFormat
        else {
            throw RunLogError.notARunLog(path: path, reason: "its root attribute `format` is not \"\(runLogFormat)\"")
        }
        guard let version = try? file.attributes.value("format_version", as: Int64.self) else {
            throw RunLogError.notARunLog(path: path, reason: "it has no integer root attribute `format_version`")
        }
        guard version <= runLogFormatVersion else { throw RunLogError.newerFormat(path: path, version: version) }
        return version
    }
}

/// The few facts about a log that resuming or listing a run needs, read without the tables.
public struct RunLogHeader: Sendable {
    public let path: String
    public let status: String
    public let formatVersion: Int64
    /// `/meta/config_yaml`: the config the run started with.
    public let configYAML: String
    /// Complete rows in `/train` and `/checkpoints`.
    public let trainRows: Int
    public let checkpointRows: Int

    /// Reads the header of the log at `path`; refuses files that are not geodim logs or that
    /// have a newer format version.
    public static func read(path: String) throws -> RunLogHeader {
        let file = try RunLogReading.openForReading(path)
        defer { try? file.close() }
        let version = try RunLogReading.checkFormat(file, path: path)
        let root = try file.root
        return RunLogHeader(
            path: path, status: try file.attributes.string("status"), formatVersion: version,
            configYAML: try root.dataset("meta/config_yaml").readString(),
            trainRows: try root.dataset("train/step").rowCount,
            checkpointRows: try root.dataset("checkpoints/step").rowCount)
    }
}
