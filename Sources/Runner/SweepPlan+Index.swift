import Config
import Foundation

extension SweepPlan {
    /// Creates the sweep directory and writes `sweep.json` (atomically; every job of a sweep
    /// writes the same content).
    public func writeIndex() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ExperimentError.runDirectory(path: directory, reason: error.localizedDescription)
        }
        try AtomicFile.write([UInt8](try indexJSON()) + [10], to: indexPath)
    }
}
