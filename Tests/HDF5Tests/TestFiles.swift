import Foundation
import Testing

/// A unique path under the temporary directory, removed (with any SWMR/lock leftovers) after
/// `body`.
func withTemporaryFile<R>(_ body: (String) throws -> R) throws -> R {
    let name = "geodim-hdf5-test-\(UUID().uuidString).h5"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Runs `python3 -c script args...`; returns the exit status and stdout+stderr.
func runPython(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Fails the test (does not skip it) when python3 cannot import h5py and numpy.
func requireH5py() throws {
    let (status, output) = try runPython("import h5py, numpy", [])
    try #require(
        status == 0,
        "python3 cannot import h5py/numpy (needed to check files with an external reader): run scripts/setup.sh. Python said: \(output)"
    )
}
