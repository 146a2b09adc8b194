import Foundation
import HDF5

/// Problems with a file given as a geodim log.
public enum RunLogError: Error, CustomStringConvertible, Sendable {
    /// The file is not HDF5, or its root attribute `format` is not ``runLogFormat``.
    case notARunLog(path: String, reason: String)
    /// The root attribute `format_version` is newer than ``runLogFormatVersion``.
    case newerFormat(path: String, version: Int64)
    /// The log lacks what was asked for (a checkpoint row, `/params`, an input set).
    case missingData(path: String, what: String)
    /// The log does not agree with itself or with a resume state.
    case inconsistent(path: String, reason: String)
    /// A file-system operation on the log failed.
    case io(path: String, reason: String)
    /// The file system holding `path` had no room for `operation` (`ENOSPC`, or `EDQUOT`);
    /// `needed` and `available` are byte counts, where known.
    case noSpace(path: String, operation: String, needed: Int?, available: Int?)

    /// The path, what is wrong and, where there is one, a hint for the fix.
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
        case .noSpace(let path, let operation, let needed, let available):
            let sizes = SpaceShortage(file: path, operation: operation, needed: needed, available: available).sizeText
            return "no space left on the file system holding \(path) (\(operation)\(sizes))"
        }
    }
}

/// One BFD series as read back from a log.
public struct BFDSeriesReading: Sendable {
    /// The group name under `/checkpoints/bfd`, `<source>_<output>`.
    public let name: String
    /// The input set, `train`, `test` or `random` (group attribute `source`).
    public let source: String
    /// The output variant, `logits`, `softmax` or `centred` (group attribute `output`).
    public let output: String
    /// The largest rank the rows allow (group attribute `row_cap`): n·d for logits, n·(d − 1)
    /// otherwise.
    public let rowCap: Int
    /// The headline BFD at each complete checkpoint (`rank`).
    public let ranks: [Int64]
    /// 1 where the headline rank is clear, 0 where not (`clear`), per complete checkpoint.
    public let clear: [UInt8]
    /// σ_r/σ_(r+1) across the headline cut at each complete checkpoint (`gap_ratio`); +∞ when the
    /// cut is the end of the spectrum, NaN for a gram_inertia rank that is not clear.
    public let gapRatios: [Double]
    /// `rank_exact` per complete checkpoint, when the series logs the exact BFD.
    public let exactRanks: [Int64]?
    /// `exact_certified` per complete checkpoint, when logged.
    public let exactCertified: [UInt8]?
    /// `exact_failure_bound` per complete checkpoint, when logged.
    public let exactFailureBounds: [Double]?
    /// `gram_side` per complete checkpoint (``RunLogWriter/gramSideCodes``; −1 = no Gram matrix),
    /// nil in a log written before the column existed.
    public let gramSides: [Int64]?
    /// Every numeric one-value-per-checkpoint column of the group (`rank`, `rank_numpy`,
    /// `rank_gap`, `rank_relative`, `upper_bound`, `tolerance`, `gap_ratio`, `floor`, …), as
    /// float64, cut to the complete rows, in the group's order.
    public let evidence: [(name: String, values: [Double])]

    /// The spellings of the Gram sides used, in order of first use (`rows`, `parameters`,
    /// `block_schur`); empty when none was or the log does not record it.
    public var gramSideNames: [String] {
        var names: [String] = []
        for code in gramSides ?? [] {
            guard let name = RunLogWriter.gramSideCodes.first(where: { $0.code == code })?.name else { continue }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }
}

/// A geodim log read back for `geodim inspect` and other readers.
public struct RunLogReading: Sendable {
    /// The file that was read.
    public let path: String
    /// The root attribute `status`: a ``RunStatus`` raw value.
    public let status: String
    /// The root attribute `created`: ISO 8601 UTC time the file was created.
    public let created: String
    /// The root attribute `format_version` (at most ``runLogFormatVersion``).
    public let formatVersion: Int64
    /// `/meta/config_yaml`: the fully resolved config the run started with.
    public let configYAML: String
    /// Every string, int64 and float64 attribute of `/meta` as (name, text), in the order HDF5
    /// lists them; array values are joined with " | " (strings) or "," (numbers).
    public let meta: [(String, String)]
    /// `/checkpoints/step`: optimizer steps done at each checkpoint; its length is the number of
    /// complete rows.
    public let steps: [Int64]
    /// `/checkpoints/epoch`: epochs done at each complete checkpoint.
    public let epochs: [Int64]
    /// `/checkpoints/wall_time_s`: seconds since the start of the run at each complete checkpoint.
    public let wallTimes: [Double]
    /// `/checkpoints/train_loss`: mean cross-entropy on the full training set, in nats.
    public let trainLoss: [Double]
    /// `/checkpoints/train_accuracy`: fraction of the full training set classified correctly.
    public let trainAccuracy: [Double]
    /// `/checkpoints/test_loss`: mean cross-entropy on the full test set, in nats.
    public let testLoss: [Double]
    /// `/checkpoints/test_accuracy`: fraction of the full test set classified correctly.
    public let testAccuracy: [Double]
    /// The BFD series, in the order of the `/checkpoints/bfd` attribute `series` (of the groups'
    /// names in a log without it).
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
            let childList = try group.childNames()
            let children = Set(childList)
            var evidence: [(name: String, values: [Double])] = []
            for child in childList where !RunLogWriter.bfdIndexScales.contains(child) {
                guard let dataset = try? group.dataset(child), (try? dataset.shape.count) == 1 else { continue }
                switch try dataset.elementType {
                case .float64: evidence.append((child, try rows(dataset, Double.self)))
                case .int64: evidence.append((child, try rows(dataset, Int64.self).map(Double.init)))
                case .uint8: evidence.append((child, try rows(dataset, UInt8.self).map(Double.init)))
                default: continue
                }
            }
            series.append(BFDSeriesReading(
                name: name, source: try group.attributes.string("source"), output: try group.attributes.string("output"),
                rowCap: Int(try group.attributes.value("row_cap", as: Int64.self)),
                ranks: try rows(group.dataset("rank"), Int64.self),
                clear: try rows(group.dataset("clear"), UInt8.self),
                gapRatios: try rows(group.dataset("gap_ratio"), Double.self),
                exactRanks: children.contains("rank_exact") ? try rows(group.dataset("rank_exact"), Int64.self) : nil,
                exactCertified: children.contains("exact_certified") ? try rows(group.dataset("exact_certified"), UInt8.self) : nil,
                exactFailureBounds: children.contains("exact_failure_bound")
                    ? try rows(group.dataset("exact_failure_bound"), Double.self) : nil,
                gramSides: children.contains("gram_side") ? try rows(group.dataset("gram_side"), Int64.self) : nil,
                evidence: evidence))
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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunLogError.io(path: path, reason: "no such file (hint: give a run directory or the log.h5 inside one)")
        }
        guard !isDirectory.boolValue else {
            throw RunLogError.notARunLog(path: path, reason: "it is a directory, not a file")
        }
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
        for name in ["status", "created"] {
            guard (try? file.attributes.contains(name)) == true, (try? file.attributes.string(name)) != nil else {
                throw RunLogError.notARunLog(
                    path: path, reason: "it has no string root attribute `\(name)` (the log is damaged, or was not written by geodim)")
            }
        }
        return version
    }
}

/// The few facts about a log that resuming or listing a run needs, read without the tables.
public struct RunLogHeader: Sendable {
    /// The file that was read.
    public let path: String
    /// The root attribute `status`: a ``RunStatus`` raw value.
    public let status: String
    /// The root attribute `format_version` (at most ``runLogFormatVersion``).
    public let formatVersion: Int64
    /// `/meta/config_yaml`: the config the run started with.
    public let configYAML: String
    /// Complete rows in `/train` (the length of `/train/step`).
    public let trainRows: Int
    /// Complete rows in `/checkpoints` (the length of `/checkpoints/step`).
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
