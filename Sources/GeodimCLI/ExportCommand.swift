import ArgumentParser
import Foundation
import RunLog

/// `geodim export LOG --tensorboard DIR`: the log's scalars as a TensorBoard event file.
///
/// Tags, each with step = the optimizer step:
/// - per checkpoint: `checkpoints/<column>` (epoch, wall_time_s, train_loss, train_accuracy,
///   test_loss, test_accuracy); `bfd/<source>_<output>/<column>` for every per-checkpoint
///   column of every BFD group (rank, rank_numpy, rank_gap, rank_relative, tolerance,
///   gap_ratio, clear, upper_bound, rank_exact, exact_certified, …);
///   `neurons/<source>/dead/layer<l>`, `…/always_active/layer<l>` and `…/patterns`;
/// - per `/train` row: `train/loss` and `train/lr`.
///
/// The event file is written from Swift (RunLog/TensorBoardEventFile.swift: TFRecord framing,
/// masked CRC-32C and the Event/Summary protobufs by hand, about 150 lines) rather than by
/// the `tensorboard` package from Python: the export then needs neither Python nor
/// TensorBoard's dependency tree where the runs are, and the format it writes is small, fixed
/// and documented. The test reads the file back with TensorBoard's own reader. Scalars are
/// float32, as TensorBoard stores them (integers below 2^24 exactly). The file is named after
/// the log's creation time, so exporting again replaces it rather than doubling every point.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a run log to a tracker: TensorBoard event files.",
        discussion: """
            --tensorboard DIR writes DIR/events.out.tfevents.<created>.geodim with every \
            checkpoint column (losses, accuracies, every BFD series' columns, neuron counts) and \
            every /train row (loss, lr), step = the optimizer step. View with \
            `tensorboard --logdir DIR`; give each run its own DIR (e.g. tb/<run name>).
            """)

    @Argument(help: "A run log (log.h5), or a run directory containing one.")
    var log: String

    @Option(name: .long, help: "The directory to write the TensorBoard event file into (created if missing).")
    var tensorboard: String

    func run() throws {
        var path = log
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            path += "/log.h5"
        }
        do {
            let reading = try RunLogReading.read(path: path)
            let tracks = try RunLogTracks.read(path: path)
            let start = ISO8601DateFormatter().date(from: reading.created)?.timeIntervalSince1970 ?? 0
            let events = Self.events(reading, tracks, start: start)
            try FileManager.default.createDirectory(atPath: tensorboard, withIntermediateDirectories: true)
            let name = "events.out.tfevents.\(Int64(start)).geodim"
            let file = URL(fileURLWithPath: tensorboard).appendingPathComponent(name)
            try TensorBoardEventFile.encode(events, wallTime: start).write(to: file, options: .atomic)
            let count = events.reduce(0) { $0 + $1.scalars.count }
            say("geodim export: wrote \(count) scalars at \(events.count) steps to \(file.path)")
        } catch {
            throw GeodimExit.report(error, usage: false)
        }
    }

    /// The events in step order: at a step with both, the /train row comes first.
    static func events(_ reading: RunLogReading, _ tracks: RunLogTracks, start: Double) -> [TensorBoardEventFile.Event] {
        var events: [TensorBoardEventFile.Event] = []
        for row in tracks.trainSteps.indices {
            events.append(TensorBoardEventFile.Event(
                step: tracks.trainSteps[row], wallTime: start + tracks.trainWallTimes[row],
                scalars: [("train/loss", Float(tracks.trainLoss[row])), ("train/lr", Float(tracks.trainLR[row]))]))
        }
        for row in reading.steps.indices {
            var scalars: [(tag: String, value: Float)] = [
                ("checkpoints/epoch", Float(reading.epochs[row])), ("checkpoints/wall_time_s", Float(reading.wallTimes[row])),
                ("checkpoints/train_loss", Float(reading.trainLoss[row])),
                ("checkpoints/train_accuracy", Float(reading.trainAccuracy[row])),
                ("checkpoints/test_loss", Float(reading.testLoss[row])),
                ("checkpoints/test_accuracy", Float(reading.testAccuracy[row])),
            ]
            for series in reading.series {
                for (name, values) in series.evidence where row < values.count {
                    scalars.append(("bfd/\(series.name)/\(name)", Float(values[row])))
                }
            }
            for (source, columns) in tracks.neurons {
                for (name, values) in columns where row < values.count {
                    scalars.append(("neurons/\(source)/\(name)", Float(values[row])))
                }
            }
            events.append(TensorBoardEventFile.Event(step: reading.steps[row], wallTime: start + reading.wallTimes[row], scalars: scalars))
        }
        let order = events.indices.sorted { (events[$0].step, $0) < (events[$1].step, $1) }
        return order.map { events[$0] }
    }
}
