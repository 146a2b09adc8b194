import Foundation

/// The package root: the nearest folder at or above the folder of `filePath` that holds a
/// `Package.swift`. Pass nothing to start from the calling test file.
///
/// Tests use it to reach checked-in fixtures (`data/`, `configs/`) without depending on the
/// working directory `swift test` was started from.
public func packageRoot(filePath: String = #filePath) -> URL {
    var folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().standardizedFileURL
    while true {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            return folder
        }
        let parent = folder.deletingLastPathComponent()
        precondition(parent.path != folder.path, "no Package.swift in any folder above \(filePath)")
        folder = parent
    }
}
