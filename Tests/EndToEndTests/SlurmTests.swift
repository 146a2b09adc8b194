import Foundation
import Testing
import TestSupport

/// A real Slurm on localhost (Debian's slurm-wlm and munge, daemons started by hand) runs a
/// sweep through scripts/slurm/sweep.sbatch: `scripts/slurm/localhost_test.py` submits a
/// 4-point array, requeues one task and cancels another while they train, resubmits what
/// `geodim sweep --list --unfinished` names, and compares every point with a sequential sweep
/// (see its docstring). Cancelled, not passed, where Slurm cannot run here (exit 77: not
/// root and not installed, no apt-get, or GEODIM_SLURM_TEST=0); any other failure fails.
@Suite("Slurm on localhost", .serialized)
struct SlurmTests {
    @Test("a 4-point array with a requeued and a cancelled task completes every point as a sequential sweep does")
    func arrayOnLocalhostSlurm() throws {
        let script = packageRoot().appendingPathComponent("scripts/slurm/localhost_test.py").path
        let result = try runProgram("/usr/bin/env", ["python3", script, "--geodim", try geodimExecutable()],
                                    directory: packageRoot().path)
        if result.status == 77 {
            try Test.cancel(Comment(rawValue: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        #expect(result.status == 0, "exit \(result.status)\n\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("equal the sequential sweep's"), "\(result.stdout)")
    }
}
