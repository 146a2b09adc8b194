import Foundation
import Timing

/// Phase timings on stderr when the environment variable GEODIM_TRACE is set (for
/// profiling the BFD engine; silent otherwise).
struct PhaseTrace {
    private let enabled = ProcessInfo.processInfo.environment["GEODIM_TRACE"] != nil
    private var last = ContinuousClock.now

    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        FileHandle.standardError.write(Data(String(format: "trace: %-28@ %8.3f s\n", phase, seconds(now - last)).utf8))
        last = now
    }
}
