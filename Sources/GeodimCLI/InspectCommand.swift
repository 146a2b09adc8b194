import ArgumentParser
import Foundation
import RunLog

/// `geodim inspect LOG.h5`: the run's config summary and a table of its checkpoints.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a run log's config summary and a table of its checkpoints.",
        discussion: """
            --json prints the run and every checkpoint's columns as one JSON object; --csv prints a \
            tidy table, one row per checkpoint and BFD series, with every evidence column \
            (docs/log-format.md). Non-finite numbers are written as "inf", "-inf" or "nan".
            """)

    @Argument(help: "A run log (log.h5), or a run directory containing one.")
    var log: String

    @Flag(name: .long, help: "Also print the full resolved config.")
    var config = false

    @Flag(name: .long, help: "Print the run and its checkpoints as JSON.")
    var json = false

    @Flag(name: .long, help: "Print one CSV row per checkpoint and BFD series.")
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("give at most one of --json and --csv") }
        if config && (json || csv) { throw ValidationError("--config goes with the text report (--json holds config_yaml)") }
    }

    func run() throws {
        var path = log
        var isDirectory: ObjCBool = false
        // A run directory names its log; a directory without one (or a log.h5 that is itself
        // a directory) is left for the reader to refuse by name.
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
           FileManager.default.fileExists(atPath: path + "/log.h5") || !path.hasSuffix(".h5") {
            path += "/log.h5"
        }
        let reading: RunLogReading
        do {
            reading = try RunLogReading.read(path: path)
        } catch {
            throw GeodimExit.report(error, usage: false)
        }
        if json {
            do {
                say(String(decoding: try InspectExport.json(reading), as: UTF8.self))
            } catch {
                throw GeodimExit.report(error, usage: false)
            }
            return
        }
        if csv {
            FileHandle.standardOutput.write(Data(InspectExport.csv(reading).utf8))
            return
        }
        for line in InspectReport.lines(reading, fullConfig: config) { say(line) }
    }
}

/// The text `geodim inspect` prints.
enum InspectReport {
    static func lines(_ reading: RunLogReading, fullConfig: Bool) -> [String] {
        let meta = Dictionary(reading.meta, uniquingKeysWith: { first, _ in first })
        var lines = [
            "log          : \(reading.path)",
            "status       : \(reading.status)   (format version \(reading.formatVersion), created \(reading.created))",
            "network      : \(meta["architecture"] ?? "?")  P = \(meta["parameter_count"] ?? "?"), hidden neurons \(meta["hidden_neurons"] ?? "?"), \(meta["precision"] ?? "?")",
            "seed         : \(meta["seed"] ?? "?")",
            "command      : \(meta["command_line"] ?? "?")",
            "machine      : \(meta["host"] ?? "?"), \(meta["cpu_model"] ?? "?"), BLAS threads \(meta["blas_threads"] ?? "?")",
        ]
        if let wall = meta["wall_time_s"].flatMap(Double.init), let training = meta["training_time_s"].flatMap(Double.init),
           let bfd = meta["bfd_time_s"].flatMap(Double.init) {
            lines.append(String(format: "times        : wall %.1f s, training %.1f s, BFD %.1f s", wall, training, bfd))
        }
        if fullConfig {
            lines.append("config:")
            lines += reading.configYAML.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        }
        lines.append("")
        var header = [("epoch", 6), ("step", 7), ("tr_loss", 9), ("tr_acc", 9), ("te_loss", 9), ("te_acc", 9)]
            .map { padLeft($0.0, $0.1) }.joined(separator: " ")
        for series in reading.series {
            header += " " + padLeft(series.name, 15)
            if series.exactRanks != nil { header += " " + padLeft("exact", 8) }
        }
        lines.append(header)
        for row in reading.epochs.indices {
            var line = String(
                format: "%6lld %7lld %9.4f %9.4f %9.4f %9.4f", reading.epochs[row], reading.steps[row],
                reading.trainLoss[row], reading.trainAccuracy[row], reading.testLoss[row], reading.testAccuracy[row])
            for series in reading.series where row < series.ranks.count {
                let mark = series.clear[row] == 1 ? " " : "?"
                line += " " + padLeft("\(series.ranks[row])\(mark)/\(series.rowCap)", 15)
                if let exact = series.exactRanks, let certified = series.exactCertified, row < exact.count {
                    line += " " + padLeft(exact[row] < 0 ? "-" : "\(exact[row])\(certified[row] == 1 ? "!" : "~")", 8)
                }
            }
            lines.append(line)
        }
        lines.append("(rank/row cap; ? = no clear gap in the spectrum, the rank depends on the rule)")
        let sides = reading.series.filter { !$0.gramSideNames.isEmpty }
            .map { "\($0.name) \($0.gramSideNames.joined(separator: "+"))" }
        if !sides.isEmpty { lines.append("(gram side: " + sides.joined(separator: ", ") + ")") }
        if reading.series.contains(where: { $0.exactRanks != nil }) {
            lines.append("(exact: the rank modulo random primes; ! = certified, it equals the structural bound; ~ = a proven lower bound, exact up to the logged exact_failure_bound)")
        }
        return lines
    }
}
