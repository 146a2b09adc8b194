import Foundation

/// The repository's `scripts/` folder, which holds `geodim_log.py`, the one Python reader of
/// run logs (see docs/log-format.md).
public func scriptsDirectory() -> String {
    packageRoot().appendingPathComponent("scripts").path
}

/// Runs `python3 -c script arguments…` in the package root and waits for it; its exit status
/// and output. `scripts/` is put first on `PYTHONPATH`, so a snippet can `import geodim_log`
/// and read a log through the same reader as the scripts. The tests that use it fail, rather
/// than skip, when python3 or h5py is missing (`bash scripts/setup.sh` installs them).
public func runPython(script: String, arguments: [String] = []) throws -> ProgramResult {
    var environment = ProcessInfo.processInfo.environment
    environment["PYTHONPATH"] = ([scriptsDirectory()] + (environment["PYTHONPATH"].map { [$0] } ?? []))
        .filter { !$0.isEmpty }.joined(separator: ":")
    return try runProgram(
        "/usr/bin/env", ["python3", "-c", script] + arguments, directory: packageRoot().path, environment: environment)
}
