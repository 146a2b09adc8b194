import Foundation
import Testing
import TestSupport

/// A log damaged where the readers rely on it gives one clear line and a non-zero exit, never
/// a trap.
@Suite("malformed logs")
struct MalformedLogTests {
    @Test("a log whose /meta layer_sizes is empty or too short is named, not trapped on", arguments: ["[]", "[784]"])
    func layerSizesAreChecked(_ sizes: String) throws {
        let scratch = try Scratch("malformed-\(sizes.count)")
        let directory = scratch.runs + "/run"
        let trained = try scratch.geodim(["train", scratch.configPath, "--run-dir", directory] + scratch.placement)
        #expect(trained.status == 0, "\(trained.stderr)")
        let damage = try runPython(script: #"""
            import sys, json, h5py, numpy as np
            with h5py.File(sys.argv[1], "r+") as f:
                f["meta"].attrs["layer_sizes"] = np.array(json.loads(sys.argv[2]), dtype=np.int64)
            print("OK")
            """#, arguments: [directory + "/log.h5", sizes])
        #expect(damage.stdout.hasPrefix("OK"), "\(damage.stderr)")
        let bfd = try scratch.geodim(["bfd", directory, "--inputs", "test"])
        #expect(bfd.status == 1, "exit \(bfd.status): \(bfd.stderr)")
        #expect(bfd.stderr.split(separator: "\n").count == 1, "\(bfd.stderr)")
        #expect(bfd.stderr.contains("layer_sizes") && bfd.stderr.contains(directory), "\(bfd.stderr)")
    }
}
