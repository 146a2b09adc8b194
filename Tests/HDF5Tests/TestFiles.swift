import Foundation
import Testing
import TestSupport

/// A unique path under the temporary directory, removed (with any SWMR/lock leftovers) after
/// `body`.
func withTemporaryFile<R>(_ body: (String) throws -> R) throws -> R {
    let name = "geodim-hdf5-test-\(UUID().uuidString).h5"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Fails the test (does not skip it) when python3 cannot import h5py and numpy.
func requireH5py() throws {
    let result = try runPython(script: "import h5py, numpy")
    try #require(
        result.status == 0,
        "python3 cannot import h5py/numpy (needed to check files with an external reader): run scripts/setup.sh. Python said: \(result.stderr)"
    )
}
