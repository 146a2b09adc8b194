import Foundation
import Optimizers
import Testing

/// The schedules against their closed forms at the points where those are known exactly
/// (ends, decay boundaries, the cosine's midpoint), and their shape in between.
@Suite struct LearningRateScheduleTests {
    @Test func constantIsTheBaseRateBitForBit() {
        let schedule = LearningRateSchedule(base: 0.1)
        #expect((0..<1000).allSatisfy { schedule.learningRate(stepsTaken: $0) == 0.1 })
    }

    @Test func warmupRisesLinearlyThenHolds() {
        let schedule = LearningRateSchedule(base: 0.2, warmupSteps: 4)
        let rates = (0..<8).map { schedule.learningRate(stepsTaken: $0) }
        #expect(rates[0] == 0.2 / 4 && rates[3] == 0.2)
        // Equal increments of η/W, then constant.
        for k in 1..<4 { #expect(abs((rates[k] - rates[k - 1]) - 0.05) < 1e-16) }
        #expect(rates[4...].allSatisfy { $0 == 0.2 })
    }

    /// η·γ^⌊k/s⌋: constant within each block of s steps, × γ across a boundary.
    @Test func stepDecayMultipliesAtEachBoundary() {
        let schedule = LearningRateSchedule(base: 0.5, decay: .step(every: 3, factor: 0.1))
        let rates = (0..<10).map { schedule.learningRate(stepsTaken: $0) }
        #expect(rates[0...2].allSatisfy { $0 == 0.5 })
        #expect(rates[3...5].allSatisfy { abs($0 - 0.05) < 1e-17 })
        #expect(rates[6...8].allSatisfy { abs($0 - 0.005) < 1e-18 })
        #expect(abs(rates[9] - 0.0005) < 1e-18)
    }

    /// After W warm-up steps the cosine starts at η, passes (η + η_min)/2 halfway and reaches
    /// η_min at K; it falls monotonically in between.
    @Test func cosineRunsFromTheRateToItsFloor() {
        let (total, warmup) = (110, 10)
        let schedule = LearningRateSchedule(base: 0.1, decay: .cosine(totalSteps: total, minimum: 0.02), warmupSteps: warmup)
        #expect(abs(schedule.learningRate(stepsTaken: 0) - 0.1 / 10) < 1e-17)
        #expect(schedule.learningRate(stepsTaken: warmup) == 0.1)
        #expect(abs(schedule.learningRate(stepsTaken: warmup + 50) - 0.06) < 1e-16)
        #expect(abs(schedule.learningRate(stepsTaken: total) - 0.02) < 1e-16)
        let decaying = (warmup...total).map { schedule.learningRate(stepsTaken: $0) }
        #expect(zip(decaying, decaying.dropFirst()).allSatisfy { $0 > $1 })
        // The closed form at a point off the symmetric ones: t = 25 of T = 100.
        let expected = 0.02 + 0.08 * (1 + cos(Double.pi / 4)) / 2
        #expect(abs(schedule.learningRate(stepsTaken: warmup + 25) - expected) < 1e-16)
    }
}
