import Config
import Datasets
import Foundation
import Linalg

extension Provenance {
    /// The LAPACK version the linked BLAS library reports through `ILAVER` (OpenBLAS bundles
    /// reference LAPACK), or "unknown".
    public static var lapackVersion: String {
        typealias Ilaver = @convention(c) (
            UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>
        ) -> Void
        guard let symbol = dlsym(nil, "ilaver_") else { return "unknown" }
        let ilaver = unsafeBitCast(symbol, to: Ilaver.self)
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        ilaver(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// The /meta text attributes of a run: machine, libraries, data checksums, where it ran.
    static func runText(config: ExperimentConfig, data: ExperimentData, blasThreads: Int, start: Date) -> (text: [(String, String)], integers: [(String, Int64)]) {
        let git = gitState()
        var text: [(String, String)] = [
            ("host", host), ("cpu_model", cpuModel),
            ("blas", BLASRuntime.configuration), ("blas_core", BLASRuntime.coreName),
            ("lapack_version", lapackVersion + " (the LAPACK inside OpenBLAS)"),
            ("start_time", timestamp(start)),
            ("git_commit", git?.commit ?? "unknown"),
            ("working_directory", FileManager.default.currentDirectoryPath),
            ("data_source", config.data.source.rawValue),
            ("loss", config.training.loss.rawValue),
            ("trained_layers", config.trainedLayers.map(String.init).joined(separator: ",")),
        ]
        if let mnist = data.mnist {
            text += [
                ("data_directory", config.data.directory),
                ("dataset", mnist.dataset.name),
                ("dataset_description", mnist.dataset.description),
                ("dataset_checksums", mnist.dataset.canonicalSHA256 == nil ? "not checked (idx)" : "verified"),
            ]
            // `mnist_sha256_<file>`: the name predates other data sets; it holds the SHA-256 of
            // whatever data set's file was read.
            for file in MNIST.File.allCases {
                text.append(("mnist_sha256_" + file.rawValue, mnist.sha256[file] ?? "unknown"))
            }
        } else {
            text += [
                ("dataset", "synthetic"),
                ("dataset_description", "seeded synthetic regression (/data/synthetic holds every input and target)"),
            ]
        }
        let integers: [(String, Int64)] = [
            ("cpu_count", Int64(cpuCount)), ("blas_threads", Int64(blasThreads)),
            // LAPACK runs inside OpenBLAS, on its threads.
            ("lapack_threads", Int64(blasThreads)),
            ("git_dirty", Int64(git.map { $0.dirty ? 1 : 0 } ?? -1)),
        ]
        return (text, integers)
    }
}
