import Config
import Foundation
import RunLog
import Runner

/// `geodim inspect --json` and `--csv`: a log's summary in machine-readable form.
///
/// JSON: one object with the run (`log`, `status`, `format_version`, `created`, `meta`,
/// `config_yaml`) and `checkpoints`, an array with one object per complete checkpoint
/// (`epoch`, `step`, `wall_time_s`, losses and accuracies, and `bfd`: per series name its
/// `source`, `output`, `row_cap` and every per-checkpoint column of the group). CSV: tidy, one
/// row per checkpoint × series with the same columns, the union of the groups' columns, empty
/// where a group lacks one.
///
/// Numbers are JSON numbers; a non-finite value is written as the string "inf", "-inf" or
/// "nan" (gap_ratio is +∞ when the cut is the end of the spectrum), and as the same words in CSV.
enum InspectExport {
    /// The fixed per-checkpoint columns, in order.
    private static func checkpointColumns(_ reading: RunLogReading, row: Int) -> [(String, Any)] {
        [
            ("epoch", reading.epochs[row]), ("step", reading.steps[row]), ("wall_time_s", number(reading.wallTimes[row])),
            ("train_loss", number(reading.trainLoss[row])), ("train_accuracy", number(reading.trainAccuracy[row])),
            ("test_loss", number(reading.testLoss[row])), ("test_accuracy", number(reading.testAccuracy[row])),
        ]
    }

    /// A JSON value for `value`: the number, or "inf", "-inf", "nan".
    static func number(_ value: Double) -> Any {
        if value.isFinite { return value }
        return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")
    }

    /// `value` as a CSV cell: integers without a fraction, others in full precision.
    private static func cell(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// The JSON document.
    static func json(_ reading: RunLogReading) throws -> Data {
        var checkpoints: [[String: Any]] = []
        for row in reading.epochs.indices {
            var object = Dictionary(uniqueKeysWithValues: checkpointColumns(reading, row: row))
            var bfd: [String: Any] = [:]
            for series in reading.series {
                var group: [String: Any] = ["source": series.source, "output": series.output, "row_cap": series.rowCap]
                for (name, values) in series.evidence where row < values.count {
                    group[name] = number(values[row])
                }
                bfd[series.name] = group
            }
            object["bfd"] = bfd
            checkpoints.append(object)
        }
        let document: [String: Any] = [
            "log": reading.path, "status": reading.status, "format_version": reading.formatVersion,
            "created": reading.created, "config_yaml": reading.configYAML,
            "meta": Dictionary(reading.meta, uniquingKeysWith: { first, _ in first }),
            "series": reading.series.map(\.name),
            "checkpoints": checkpoints,
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The CSV text, header first.
    static func csv(_ reading: RunLogReading) -> String {
        var evidenceNames: [String] = []
        for series in reading.series {
            for (name, _) in series.evidence where !evidenceNames.contains(name) { evidenceNames.append(name) }
        }
        let fixed = ["epoch", "step", "wall_time_s", "train_loss", "train_accuracy", "test_loss", "test_accuracy"]
        var lines = [(fixed + ["series", "source", "output", "row_cap"] + evidenceNames).joined(separator: ",")]
        for row in reading.epochs.indices {
            let base = [
                String(reading.epochs[row]), String(reading.steps[row]), cell(reading.wallTimes[row]),
                cell(reading.trainLoss[row]), cell(reading.trainAccuracy[row]), cell(reading.testLoss[row]),
                cell(reading.testAccuracy[row]),
            ]
            for series in reading.series {
                let columns = Dictionary(series.evidence.map { ($0.name, $0.values) }, uniquingKeysWith: { first, _ in first })
                let values = evidenceNames.map { name in
                    columns[name].flatMap { row < $0.count ? cell($0[row]) : nil } ?? ""
                }
                lines.append((base + [series.name, series.source, series.output, String(series.rowCap)] + values)
                    .joined(separator: ","))
            }
            if reading.series.isEmpty {
                lines.append((base + ["", "", "", ""]).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension InspectExport {
    /// `geodim sweep --summary --json`: a JSON array with one object per point, in index order:
    /// `index`, `label`, `values`, `directory`, `status` (as `--list` gives them), and, once the
    /// point has a complete checkpoint, `last_checkpoint`: that checkpoint's columns as in
    /// `geodim inspect --json` (its `bfd` holding every series), plus the run's `wall_time_s`.
    static func sweepSummaryJSON(_ plan: SweepPlan) throws -> Data {
        let points: [[String: Any]] = plan.points.map { point in
            var object: [String: Any] = [
                "index": point.index, "label": point.label, "values": point.jsonValues,
                "directory": point.directory, "status": SweepRunner.status(of: point),
            ]
            if let reading = try? RunLogReading.read(path: point.directory + "/log.h5"), let last = reading.epochs.indices.last {
                var checkpoint = Dictionary(uniqueKeysWithValues: checkpointColumns(reading, row: last))
                var bfd: [String: Any] = [:]
                for series in reading.series {
                    var group: [String: Any] = ["source": series.source, "output": series.output, "row_cap": series.rowCap]
                    for (name, values) in series.evidence where last < values.count { group[name] = number(values[last]) }
                    bfd[series.name] = group
                }
                checkpoint["bfd"] = bfd
                object["last_checkpoint"] = checkpoint
                let meta = Dictionary(reading.meta, uniquingKeysWith: { first, _ in first })
                if let wall = meta["wall_time_s"].flatMap(Double.init) { object["wall_time_s"] = number(wall) }
            }
            return object
        }
        return try JSONSerialization.data(withJSONObject: points, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
