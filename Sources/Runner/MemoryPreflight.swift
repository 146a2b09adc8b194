import Config
import Foundation

/// The memory check made before a run or a measurement starts: refuse when the estimated
/// peak exceeds the memory available, warn (one line, then carry on) above 80% of it.
///
/// `--ignore-memory-check` turns the refusal into a warning, for a node whose swap or
/// overcommit is meant to be used or an estimate known to be pessimistic for the data at
/// hand; overflowing sizes and HDF5's chunk limit are never skipped.
public enum MemoryPreflight {
    /// Above this fraction of the available memory the check warns.
    public static let warningFraction = 0.8

    /// What the check concluded.
    public enum Verdict: Equatable, Sendable {
        /// Well within the memory available.
        case fits
        /// Go on, after printing this warning.
        case warn(String)
        /// Do not start.
        case refuse(PreflightError)
    }

    /// The verdict for `estimate` on `machine`; `ignore` turns a refusal into a warning.
    public static func verdict(_ estimate: RunMemoryEstimate, machine: MachineMemory, ignore: Bool) -> Verdict {
        verdict(
            peak: estimate.peakBytes, machine: machine, hint: estimate.lever,
            breakdown: breakdown(estimate), ignore: ignore)
    }

    /// The verdict for a peak of `peak` bytes on `machine`.
    public static func verdict(peak: Int, machine: MachineMemory, hint: String, breakdown: String, ignore: Bool) -> Verdict {
        let share = fraction(peak, of: machine)
        if peak > machine.bytes {
            guard ignore else {
                return .refuse(.insufficientMemory(needed: peak, available: machine, breakdown: breakdown, hint: hint))
            }
            return .warn("the estimated peak memory, \(formatBytes(peak)) (\(breakdown)), exceeds the "
                         + "\(formatBytes(machine.bytes)) available (\(machine.source)); running anyway (--ignore-memory-check)")
        }
        if share > warningFraction {
            return .warn(String(format: "the estimated peak memory, %@, is %.0f%% of the %@ available (%@): "
                                + "the run may be killed for lack of memory (hint: %@)",
                                formatBytes(peak), 100 * share, formatBytes(machine.bytes), machine.source, hint))
        }
        return .fits
    }

    /// Applies the verdict: throws a refusal, writes a warning to stderr as one
    /// `geodim: warning: …` line.
    public static func enforce(_ verdict: Verdict) throws(PreflightError) {
        switch verdict {
        case .fits: return
        case .warn(let text): FileHandle.standardError.write(Data("geodim: warning: \(text)\n".utf8))
        case .refuse(let error): throw error
        }
    }

    /// peak / available.
    static func fraction(_ peak: Int, of machine: MachineMemory) -> Double {
        Double(peak) / Double(max(machine.bytes, 1))
    }

    /// The training peak and the largest BFD method's peak in words, e.g. "training 576 MiB;
    /// BFD +11 MiB for gram on train (n = 100), largest buffer K (m × m = 1000 × 1000)".
    public static func breakdown(_ estimate: RunMemoryEstimate) -> String {
        var text = "training \(formatBytes(estimate.trainingPeakBytes))"
        if let largest = estimate.largestMeasurement {
            text += "; BFD +\(formatBytes(largest.model.peakBytes)) for \(largest.model.label) on \(largest.source)"
            if let buffer = largest.model.peak?.largest { text += ", largest buffer \(buffer.name)" }
        }
        return text
    }

    /// The startup table's line: the peak against the machine, then the breakdown.
    public static func summary(_ estimate: RunMemoryEstimate, machine: MachineMemory) -> String {
        String(format: "peak ≈ %@ of %@ (%@, %.0f%%): ", formatBytes(estimate.peakBytes), formatBytes(machine.bytes),
               machine.source, 100 * fraction(estimate.peakBytes, of: machine))
            + breakdown(estimate)
    }
}

extension MemoryPreflight {
    /// The checks a training run (fresh or resumed) passes before anything is loaded or
    /// written, in order: every size fits in 64 bits (``RunMemoryEstimate/init(config:overrides:resuming:)``),
    /// every log chunk fits HDF5 (``LogChunkLimits``), and the estimated peak fits the machine
    /// (``MachineMemory``; `ignore` makes that a warning). Returns the startup table's line.
    public static func check(
        config: ExperimentConfig, overrides: [String], ignore: Bool, resuming: Bool
    ) throws(PreflightError) -> String {
        let estimate = try RunMemoryEstimate(config: config, overrides: overrides, resuming: resuming)
        try LogChunkLimits.check(config, overrides: overrides)
        let machine = try MachineMemory.current()
        try enforce(verdict(estimate, machine: machine, ignore: ignore))
        return summary(estimate, machine: machine)
    }
}
