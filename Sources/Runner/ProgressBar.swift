import Foundation

/// A tqdm-style progress bar on stderr, drawn only when stderr is a terminal (or when the
/// environment sets `GEODIM_PROGRESS=always`, for logs and tests; `never` turns it off).
///
/// While training it shows the epoch, the step within the epoch and the last loss; while a
/// checkpoint is measured, the phase (which input set, numerical or exact, or the CFFD) and
/// its count:
///
///     37% |████████▉               | ep 252/680 · step 31/469 · loss 0.0213 [00:41<01:10]
///     37% |████████▉               | ep 252/680 · BFD test exact 4/6 [00:43<01:10]
///
/// The time left is the remaining epochs at the observed seconds per epoch of training plus
/// the remaining checkpoints at the observed seconds per measurement, so that slow BFD
/// checkpoints do not make the estimate swing (``remainingSeconds(…)``).
public final class ProgressBar {
    private let totalEpochs: Int
    private let stepsPerEpoch: Int
    private let checkpointEpochs: [Int]
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    /// Seconds of training and of measuring seen by this bar, and how much each covered.
    private var trainingSeconds = 0.0
    private var epochsTrained = 0.0
    private var measuringSeconds = 0.0
    private var checkpointsMeasured = 0
    private var phaseStart = Date()
    private var measuring = false
    private var position = (epochs: 0, batches: 0)
    private var epochsAtPhaseStart = 0.0

    /// A bar for `totalEpochs` epochs of `stepsPerEpoch` steps with checkpoints after the
    /// epochs `checkpointEpochs`.
    public init(totalEpochs: Int, stepsPerEpoch: Int, checkpointEpochs: [Int]) {
        self.totalEpochs = max(totalEpochs, 1)
        self.stepsPerEpoch = max(stepsPerEpoch, 1)
        self.checkpointEpochs = checkpointEpochs
        switch ProcessInfo.processInfo.environment["GEODIM_PROGRESS"] {
        case "always": enabled = true
        case "never": enabled = false
        default: enabled = isatty(STDERR_FILENO) == 1
        }
    }

    /// Training at `epochs` done plus `batches` steps into the next, the last step's `loss`.
    /// Redraws at most ten times a second, and at the first step of each epoch.
    public func training(epochs: Int, batches: Int, loss: Double) {
        let resumed = measuring  // the first step after a measurement is always drawn
        if measuring { endMeasuring() }
        position = (epochs, batches)
        guard enabled else { return }
        let now = Date()
        guard resumed || batches == 1 || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        let detail = String(format: "step %d/%d · loss %.4f", batches, stepsPerEpoch, loss)
        draw(detail, now: now)
    }

    /// Measuring a checkpoint: phase `index` (1-based) of `count`, named `label`.
    public func measuringPhase(_ label: String, index: Int, count: Int) {
        if !measuring {
            accountTraining(until: Date())
            measuring = true
            phaseStart = Date()
        }
        guard enabled else { return }
        draw("BFD \(label) \(index)/\(count)", now: Date())
    }

    /// The measurement of a checkpoint is done.
    public func endMeasuring() {
        guard measuring else { return }
        measuring = false
        measuringSeconds += Date().timeIntervalSince(phaseStart)
        checkpointsMeasured += 1
        phaseStart = Date()
        epochsAtPhaseStart = fractionalEpochs
    }

    /// Erases the bar so the next line starts clean.
    public func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private var fractionalEpochs: Double { Double(position.epochs) + Double(position.batches) / Double(stepsPerEpoch) }

    private func accountTraining(until now: Date) {
        trainingSeconds += now.timeIntervalSince(phaseStart)
        epochsTrained += max(0, fractionalEpochs - epochsAtPhaseStart)
        phaseStart = now
        epochsAtPhaseStart = fractionalEpochs
    }

    private func draw(_ detail: String, now: Date) {
        lastDraw = now
        var seconds = trainingSeconds, epochs = epochsTrained
        if !measuring {  // the training phase in progress counts too
            seconds += now.timeIntervalSince(phaseStart)
            epochs += max(0, fractionalEpochs - epochsAtPhaseStart)
        }
        let done = fractionalEpochs
        let remaining = Self.remainingSeconds(
            epochsLeft: Double(totalEpochs) - done, secondsPerEpoch: epochs > 0 ? seconds / epochs : nil,
            checkpointsLeft: checkpointEpochs.filter { Double($0) > done || ($0 == position.epochs && measuring) }.count,
            secondsPerCheckpoint: checkpointsMeasured > 0 ? measuringSeconds / Double(checkpointsMeasured) : nil)
        let line = Self.render(
            fraction: done / Double(totalEpochs), epochs: position.epochs, totalEpochs: totalEpochs, detail: detail,
            elapsed: now.timeIntervalSince(start), remaining: remaining)
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    /// The estimated seconds left: epochs × seconds per epoch of training, plus checkpoints ×
    /// seconds per measurement; nil while either rate is unknown and still needed.
    public static func remainingSeconds(
        epochsLeft: Double, secondsPerEpoch: Double?, checkpointsLeft: Int, secondsPerCheckpoint: Double?
    ) -> Double? {
        var total = 0.0
        if epochsLeft > 0 {
            guard let secondsPerEpoch else { return nil }
            total += epochsLeft * secondsPerEpoch
        }
        if checkpointsLeft > 0 {
            guard let secondsPerCheckpoint else { return nil }
            total += Double(checkpointsLeft) * secondsPerCheckpoint
        }
        return total
    }

    /// One line of the bar: percentage, bar, `ep e/E · detail`, elapsed and remaining time
    /// (`?` while unknown).
    public static func render(
        fraction: Double, epochs: Int, totalEpochs: Int, detail: String, elapsed: Double, remaining: Double?
    ) -> String {
        let clamped = min(max(fraction, 0), 1)
        let width = 24
        let filled = Int(clamped * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: " ", count: width - filled)
        return String(format: "%4d%% |", Int(clamped * 100)) + bar + "| ep \(epochs)/\(totalEpochs) · \(detail) ["
            + clock(elapsed) + "<" + (remaining.map(clock) ?? "?") + "]"
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%02d:%02d", total / 60, total % 60)
    }
}
