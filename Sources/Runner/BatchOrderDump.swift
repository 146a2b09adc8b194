import Foundation
import RunLog

/// The order in which training visited its samples, written as it happens to a NumPy `.npy`
/// file: an int64 array of shape (epochs started, training samples), row e − 1 holding the
/// permutation of epoch e. Batch b of epoch e is `row[b·B : (b+1)·B]` (the last one shorter).
///
/// It is the debug export behind `geodim train --dump-batches`: an independent trainer fed
/// the logged initial parameters and this order must land on the logged parameters
/// (`scripts/reference_trainer.py`, the reference-trainer tests).
///
/// The header is written with room for any shape and rewritten after each epoch, so the file
/// is a valid array of the epochs so far even if the run stops part-way.
final class BatchOrderDump {
    /// The file's path, `<run dir>/batch_order.npy`.
    let path: String
    private let handle: FileHandle
    private let sampleCount: Int
    private var epochs = 0
    /// NPY version 1.0 header length, magic and padding included (a multiple of 64).
    private static let headerLength = 128

    /// Creates (or truncates) the file for `sampleCount` samples an epoch.
    init(path: String, sampleCount: Int) throws {
        self.path = path
        self.sampleCount = sampleCount
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ExperimentError.runDirectory(path: path, reason: "cannot create the batch-order dump")
        }
        self.handle = handle
        try writeHeader()
    }

    deinit { try? handle.close() }

    /// Appends the permutation of the next epoch (`order.count` must be the sample count).
    func append(epoch: Int, order: [Int]) throws {
        precondition(order.count == sampleCount, "BatchOrderDump: an epoch's order has \(order.count) entries, not \(sampleCount)")
        guard epoch == epochs + 1 else {
            throw ExperimentError.internalMismatch("batch-order dump: epoch \(epoch) after \(epochs) epochs")
        }
        var bytes = Data(capacity: order.count * 8)
        for index in order { withUnsafeBytes(of: Int64(index).littleEndian) { bytes.append(contentsOf: $0) } }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: bytes)
            epochs += 1
            try writeHeader()
        } catch {
            if isOutOfSpace(error) {
                let directory = (path as NSString).deletingLastPathComponent
                throw NoSpaceError(
                    directory: directory,
                    shortage: SpaceShortage(
                        file: path, operation: "append epoch \(epoch)'s order", needed: bytes.count,
                        available: availableBytes(directory)),
                    hint: "free some space there")
            }
            throw ExperimentError.runDirectory(path: path, reason: "cannot write the batch-order dump: \(error.localizedDescription)")
        }
    }

    /// (Re)writes the fixed-length header for the epochs written so far.
    private func writeHeader() throws {
        let dictionary = "{'descr': '<i8', 'fortran_order': False, 'shape': (\(epochs), \(sampleCount)), }"
        let prefixLength = 10  // magic (6), version (2), header length (2)
        let padding = Self.headerLength - prefixLength - dictionary.utf8.count - 1
        precondition(padding >= 0, "BatchOrderDump: header too long")
        var header = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(Self.headerLength - prefixLength)
        header.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        header.append(contentsOf: Array(dictionary.utf8) + [UInt8](repeating: 0x20, count: padding) + [0x0A])
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: header)
    }
}
