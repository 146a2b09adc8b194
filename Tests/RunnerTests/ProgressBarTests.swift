import Foundation
import Testing

import Runner

/// The progress bar's line and its time-left estimate, as pure functions.
@Suite("progress bar")
struct ProgressBarTests {
    @Test("time left = epochs × seconds per epoch + checkpoints × seconds per measurement")
    func remainingTimeCountsTrainingAndMeasuringApart() {
        // 8 epochs left at 1.5 s, 4 checkpoints left at 10 s: 12 + 40 s.
        #expect(ProgressBar.remainingSeconds(epochsLeft: 8, secondsPerEpoch: 1.5, checkpointsLeft: 4, secondsPerCheckpoint: 10) == 52)
        // A rate not yet observed but needed leaves the estimate unknown; one not needed does not.
        #expect(ProgressBar.remainingSeconds(epochsLeft: 8, secondsPerEpoch: nil, checkpointsLeft: 0, secondsPerCheckpoint: 3) == nil)
        #expect(ProgressBar.remainingSeconds(epochsLeft: 0, secondsPerEpoch: nil, checkpointsLeft: 2, secondsPerCheckpoint: 3) == 6)
        #expect(ProgressBar.remainingSeconds(epochsLeft: 2, secondsPerEpoch: 4, checkpointsLeft: 1, secondsPerCheckpoint: nil) == nil)
    }

    @Test("the line shows the percentage, epoch, the phase and the times")
    func lineFormat() {
        let training = ProgressBar.render(
            fraction: 0.37, epochs: 252, totalEpochs: 680, detail: "step 31/469 · loss 0.0213", elapsed: 41, remaining: 70)
        #expect(training == "  37% |████████                | ep 252/680 · step 31/469 · loss 0.0213 [00:41<01:10]")
        let measuring = ProgressBar.render(
            fraction: 1.2, epochs: 10, totalEpochs: 10, detail: "BFD test exact 4/6", elapsed: 3700, remaining: nil)
        #expect(measuring == " 100% |████████████████████████| ep 10/10 · BFD test exact 4/6 [1:01:40<?]")
    }
}
