import Foundation
import HDF5
import Testing

@Suite("Errors and file modes")
struct ErrorTests {
    @Test("opening a missing file names the path")
    func missingFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("geodim-missing-\(UUID()).h5").path
        #expect(throws: HDF5Error.fileNotFound(file: path)) { try HDF5File.open(path) }
        #expect(HDF5Error.fileNotFound(file: path).description.contains(path))
    }

    @Test("opening a non-HDF5 file names the path")
    func notHDF5() throws {
        try withTemporaryFile { path in
            try Data("step,loss\n1,0.5\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: HDF5Error.notHDF5(file: path)) { try HDF5File.open(path) }
            #expect(throws: HDF5Error.notHDF5(file: path)) { try HDF5File.open(path, mode: .readWrite) }
            #expect(HDF5Error.notHDF5(file: path).description == "HDF5: not an HDF5 file: \(path)")
        }
    }

    @Test("exclusive create fails on an existing file and leaves it untouched")
    func exclusiveCreate() throws {
        try withTemporaryFile { path in
            let original = Data("do not touch".utf8)
            try original.write(to: URL(fileURLWithPath: path))
            #expect(throws: HDF5Error.fileExists(file: path)) { try HDF5File.create(path, mode: .exclusive) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
            try FileManager.default.removeItem(atPath: path)
            let file = try HDF5File.create(path, mode: .exclusive)
            try file.close()
            #expect(throws: HDF5Error.fileExists(file: path)) { try HDF5File.create(path, mode: .exclusive) }
            let reopened = try HDF5File.open(path)  // still a valid (empty) HDF5 file
            #expect(try reopened.root.childNames() == [])
        }
    }

    @Test("library failures carry HDF5's own message")
    func libraryMessage() throws {
        try withTemporaryFile { path in
            try HDF5File.create(path).close()
            let file = try HDF5File.open(path, mode: .readOnly)
            #expect {
                _ = try file.root.createGroup("g")
            } throws: { error in
                guard let error = error as? HDF5Error, case .library(path, "/g", "create group", let message) = error
                else { return false }
                // e.g. "H5Gcreate2: unable to create group: no write intent on file"
                return message.hasPrefix("H5Gcreate2: ") && message.contains("write intent")
                    && error.description.contains(path) && !error.description.contains("\n")
            }
            try file.close()
        }
    }

    @Test("objects of a closed file throw closed; close is idempotent")
    func closed() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let dataset = try file.root.createExtendableDataset("x", of: Double.self)
            try file.close()
            try file.close()
            #expect(!file.isOpen)
            #expect(throws: HDF5Error.closed(file: path, object: "/x", operation: "append rows")) {
                try dataset.append(rows: [1.0])
            }
            #expect(throws: HDF5Error.self) { try file.root }
            try dataset.close()
        }
    }

    @Test("read-write reopen appends to an existing log")
    func reopenReadWrite() throws {
        try withTemporaryFile { path in
            do {
                let file = try HDF5File.create(path)
                try file.root.createExtendableDataset("x", of: Int64.self).append(rows: [1, 2])
            }  // released: closed by deinit
            do {
                let file = try HDF5File.open(path, mode: .readWrite)
                try file.root.dataset("x").append(rows: [Int64(3)])
                try file.close()
            }
            let file = try HDF5File.open(path)
            #expect(try file.root.dataset("x").read(as: Int64.self).values == [1, 2, 3])
            #expect(HDF5Library.version.hasPrefix("1."))
        }
    }
}
