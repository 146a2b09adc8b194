import Foundation
import HDF5
import Testing

/// Disk space for a file's next writes: the bound on what an append allocates, and blocks
/// reserved past the end of the file (the mechanism that keeps a log intact on a full disk).
@Suite("Disk space reservations")
struct SpaceTests {
    @Test("appendAllocationBound covers what each append and flush allocates", arguments: [false, true])
    func boundCoversAppends(latestFormat: Bool) throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path, latestFormat: latestFormat)
            let root = try file.root
            // The kinds of growing datasets a run log has.
            let scalar = try root.createExtendableDataset("a/int64", of: Int64.self)
            let flags = try root.createExtendableDataset("a/flags", of: UInt8.self)
            let real = try root.createExtendableDataset("a/real", of: Double.self)
            let row = try root.createExtendableDataset("a/row", of: Int64.self, rowShape: [16])
            let spectrum = try root.createExtendableDataset("b/spectrum", of: Double.self, rowShape: [60], chunkRows: 1, compression: 4)
            let weight = try root.createExtendableDataset("b/weight", of: Float.self, rowShape: [16, 784], chunkRows: 1, compression: 4)
            let bias = try root.createExtendableDataset("b/bias", of: Float.self, rowShape: [16], chunkRows: 1)
            try file.flush()
            var worst = 0.0
            for step in 0..<300 {
                let rows = step % 50 == 49 ? 700 : 1
                let datasets = [scalar, flags, real, row, spectrum, weight, bias]
                let bound = try datasets.reduce(0) { $0 + (try $1.appendAllocationBound(rows: rows)) }
                let before = try file.allocatedBytes
                try scalar.append(rows: (0..<rows).map { Int64(step * 1000 + $0) })
                try flags.append(rows: [UInt8](repeating: 1, count: rows))
                try real.append(rows: (0..<rows).map { Double($0) / 7 })
                try row.append(rows: (0..<(rows * 16)).map(Int64.init))
                try spectrum.append(rows: (0..<(rows * 60)).map { sin(Double($0 + step)) })
                try weight.append(rows: (0..<(rows * 16 * 784)).map { Float(($0 * 7919 + step) % 1000) / 999 })
                try bias.append(rows: [Float](repeating: 0.5, count: rows * 16))
                try file.flush()
                let used = try file.allocatedBytes - before
                #expect(used <= bound, "append \(step) (\(rows) row(s)): allocated \(used) bytes, bound \(bound)")
                if bound > 0 { worst = max(worst, Double(used) / Double(bound)) }
            }
            print("largest allocated / bound over 300 appends (latest format \(latestFormat)): \(worst)")
            try file.close()
        }
    }

    @Test("a reservation takes blocks past the end without changing the size; closing gives them back")
    func reservationIsInvisibleAndReleased() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            try file.root.createDataset("x", values: [Double](repeating: 1, count: 1000))
            try file.flush()
            let before = try fileStatus(path)
            try file.reserveSpace(4 << 20, for: "test")
            let reserved = try fileStatus(path)
            #expect(reserved.size == before.size, "the size must not change")
            #expect(reserved.allocated >= before.allocated + (4 << 20), "\(before) -> \(reserved)")
            try file.close()
            let closed = try fileStatus(path)
            #expect(closed.allocated < closed.size + 64 * 1024, "blocks past the end remain after close: \(closed)")
            let reopened = try HDF5File.open(path)
            #expect(try reopened.root.dataset("x").read(as: Double.self).values.count == 1000)
            try reopened.close()
        }
    }

    @Test("byteText writes sizes for people")
    func byteTexts() {
        #expect(byteText(812) == "812 B")
        #expect(byteText(12 * 1024 + 300) == "12 KB")
        #expect(byteText(2_202_009) == "2.1 MB")
        #expect(byteText(300 << 20) == "300 MB")
    }

    private func fileStatus(_ path: String) throws -> (size: Int, allocated: Int) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CocoaError(.fileReadNoSuchFile) }
        return (Int(info.st_size), Int(info.st_blocks) * 512)
    }
}
