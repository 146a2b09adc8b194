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

    @Test("sweep.sbatch outside Slurm: refuses without an array task or a config; runs point i with threads from the allocation unless given")
    func batchScriptByHand() throws {
        let script = packageRoot().appendingPathComponent("scripts/slurm/sweep.sbatch").path
        let scratch = try Scratch("sbatch-by-hand", config: runnerConfig.replacingOccurrences(of: "  epochs: 4", with: "  epochs: 1")
            + "\nsweep:\n  seed: [0, 1, 2]\n")
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("SLURM_") { environment[key] = nil }
        environment["GEODIM"] = try geodimExecutable()
        environment["SLURM_SUBMIT_DIR"] = packageRoot().path

        let notArray = try runProgram("/bin/bash", [script, scratch.configPath], environment: environment)
        #expect(notArray.status == 64 && notArray.stderr.contains("not an array task"), "\(notArray.stderr)")
        environment["SLURM_ARRAY_TASK_ID"] = "2"
        let noConfig = try runProgram("/bin/bash", [script], environment: environment)
        #expect(noConfig.status == 64 && noConfig.stderr.contains("no sweep config"), "\(noConfig.stderr)")

        environment["SLURM_CPUS_PER_TASK"] = "3"
        let task = try runProgram("/bin/bash", [script, scratch.configPath] + scratch.placement, environment: environment)
        #expect(task.status == 0, "\(task.stderr)")
        #expect(task.stdout.contains("sweep point 2/2: seed=2") && task.stdout.contains("3 BLAS thread(s)"), "\(task.stdout)")
        environment["SLURM_ARRAY_TASK_ID"] = "0"
        let own = try runProgram("/bin/bash", [script, scratch.configPath, "threads=2"] + scratch.placement, environment: environment)
        #expect(own.status == 0, "\(own.stderr)")
        #expect(own.stdout.contains("sweep point 0/2: seed=0") && own.stdout.contains("2 BLAS thread(s)"), "\(own.stdout)")
        let left = try scratch.geodim(["sweep", scratch.configPath, "--list", "--unfinished"] + scratch.placement)
        #expect(left.status == 0 && left.stdout == "1\n", "\(left.stdout)\(left.stderr)")
    }
}
