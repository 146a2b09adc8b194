import Foundation
import RunLog

/// The fixed-format line printed (and written to train.log) at each checkpoint:
///
///     ep  40/680 | step   120 | train loss 0.0123 acc 1.0000 | test loss 0.4100 acc 0.9120 | logits tr 5400 te 4500 rnd 4500 | softmax tr 5392? te 4321? rnd 4500 | 84.1 s
///
/// A `?` after a rank marks a spectrum without a clear gap (ratio < 1e3 across the cut or
/// the cut under the method's floor): that number depends on the rank rule. With `bfd.exact`
/// the exact rank follows in brackets, `!` certified, `~` probabilistic: `tr 5400 [5400!]`.
enum SummaryLine {
    static func format(
        record: CheckpointRecord, totalEpochs: Int, series: [BFDSeries], outputs: [String]
    ) -> String {
        let width = String(totalEpochs).count
        var parts = [
            "ep " + pad(record.epoch, width) + "/\(totalEpochs)",
            String(format: "step %6d", record.step),
        ]
        if record.trainAccuracy.isNaN && record.testAccuracy.isNaN {
            // mse: no accuracy; the losses with more digits (they fall far below 1e-4).
            parts += [String(format: "train loss %.4e", record.trainLoss), String(format: "test loss %.4e", record.testLoss)]
        } else {
            parts += [
                String(format: "train loss %.4f acc %.4f", record.trainLoss, record.trainAccuracy),
                String(format: "test loss %.4f acc %.4f", record.testLoss, record.testAccuracy),
            ]
        }
        if let regions = record.regions { parts.append("regions \(regions.regionsSeen), kinks \(regions.distinctKinksInRange)") }
        if let trained = record.trained.first { parts.append("trained-param bfd \(trained.rank)\(trained.clear ? "" : "?")") }
        let short = ["train": "tr", "test": "te", "random": "rnd"]
        for output in outputs {
            var segment = output
            for (index, entry) in series.enumerated() where entry.output == output {
                let bfd = record.bfd[index]
                segment += " \(short[entry.source] ?? entry.source) \(bfd.rank)\(bfd.clear ? "" : "?")"
                if let exact = bfd.exact { segment += " [\(exact.rank)\(exact.certified ? "!" : "~")]" }
            }
            if segment != output { parts.append(segment) }
        }
        parts.append(String(format: "%.1f s", record.wallTime))
        return parts.joined(separator: " | ")
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
