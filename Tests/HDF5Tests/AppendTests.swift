import HDF5
import Testing

@Suite("Extendable datasets")
struct AppendTests {
    @Test("appends over several calls read back as their concatenation")
    func concatenation() throws {
        try withTemporaryFile { path in
            var expected: [Float] = []
            do {
                let file = try HDF5File.create(path)
                let dataset = try file.root.createExtendableDataset(
                    "checkpoints/spectra", of: Float.self, rowShape: [2, 3], chunkRows: 2, compression: 4)
                #expect(try dataset.shape == [0, 2, 3])
                #expect(try dataset.isExtendable)
                for (call, rows) in [1, 3, 0, 2, 5].enumerated() {
                    let chunk = (0..<(rows * 6)).map { Float(call * 100 + $0) }
                    try dataset.append(rows: chunk)
                    expected += chunk
                    #expect(try dataset.rowCount == expected.count / 6)
                }
                try file.flush()
                try file.close()
            }
            let file = try HDF5File.open(path)
            let dataset = try file.root.dataset("checkpoints/spectra")
            let all = try dataset.read(as: Float.self)
            #expect(all.shape == [11, 2, 3])
            #expect(all.values == expected)
            let middle = try dataset.readRows(2..<5, as: Float.self)
            #expect(middle.shape == [3, 2, 3])
            #expect(middle.values == Array(expected[12..<30]))
            #expect(try dataset.readRows(4..<4, as: Float.self).values.isEmpty)
            #expect(throws: HDF5Error.self) { try dataset.readRows(10..<12, as: Float.self) }
            try file.close()
        }
    }

    @Test("scalar rows of every type; default chunking")
    func scalarRows() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let root = try file.root
            let steps = try root.createExtendableDataset("train/step", of: Int64.self)
            let loss = try root.createExtendableDataset("train/loss", of: Double.self)
            let flags = try root.createExtendableDataset("train/flag", of: UInt8.self)
            let epochs = try root.createExtendableDataset("train/epoch", of: Int32.self)
            for step in 0..<3000 {
                try steps.append(rows: [Int64(step)])
                try loss.append(rows: [1 / Double(step + 1)])
                try flags.append(rows: [UInt8(step % 2)])
                try epochs.append(rows: [Int32(step / 100)])
            }
            #expect(try steps.read(as: Int64.self).values == (0..<3000).map { Int64($0) })
            #expect(try loss.read(as: Double.self).values == (0..<3000).map { 1 / Double($0 + 1) })
            #expect(try flags.read(as: UInt8.self).values == (0..<3000).map { UInt8($0 % 2) })
            #expect(try epochs.read(as: Int32.self).shape == [3000])
            try file.close()
        }
    }

    @Test("wrong lengths, wrong types and fixed datasets are rejected")
    func validation() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let root = try file.root
            let dataset = try root.createExtendableDataset("x", of: Double.self, rowShape: [4])
            #expect {
                try dataset.append(rows: [1.0, 2, 3])
            } throws: { error in
                guard case .invalidArgument(_, "/x", "append rows", let reason)? = error as? HDF5Error else { return false }
                return reason.contains("whole rows")
            }
            #expect(throws: HDF5Error.self) { try dataset.append(rows: [Float(1), 2, 3, 4]) }
            #expect(throws: HDF5Error.self) { try root.createExtendableDataset("y", of: Double.self, rowShape: [0]) }
            let fixed = try root.createDataset("fixed", values: [1.0, 2])
            #expect(throws: HDF5Error.self) { try fixed.append(rows: [3.0]) }
            #expect(try dataset.rowCount == 0)
            try file.close()
        }
    }

    @Test("fill value pads new rows; setRowCount shrinks and grows")
    func fillValueAndResize() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let spectra = try file.root.createExtendableDataset(
                "spectra", of: Double.self, rowShape: [3], fillValue: .nan)
            try spectra.append(rows: [1.0, 2, 3, 4, 5, 6])
            try spectra.setRowCount(1)
            #expect(try spectra.read(as: Double.self).values == [1, 2, 3])
            try spectra.setRowCount(2)
            let grown = try spectra.read(as: Double.self).values
            #expect(grown[..<3] == [1, 2, 3] && grown[3...].allSatisfy(\.isNaN))
            try file.close()
        }
    }
}

@Suite("Groups")
struct GroupTests {
    @Test("create with intermediates, exists, open, list children")
    func groups() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let root = try file.root
            let c = try root.createGroup("a/b/c")
            #expect(c.path == "/a/b/c")
            try root.createGroup("a/z")
            try c.createDataset("values", values: [1.0])
            try root.createDataset("a/ds", values: [Int64(1)])
            #expect(try root.exists("a/b"))
            #expect(try root.exists("/a/b/c/values"))
            #expect(try root.exists("/"))
            #expect(try !root.exists("a/x"))
            #expect(try !root.exists("a/x/y"))
            #expect(try !root.exists("a/ds/inner"))
            let a = try root.group("a")
            #expect(try a.childNames() == ["b", "ds", "z"])
            #expect(try root.childNames() == ["a"])
            #expect(try a.group("b").exists("c/values"))
            #expect(try a.dataset("/a/b/c/values").path == "/a/b/c/values")
            #expect {
                _ = try root.group("a/ds")
            } throws: { error in
                guard case .typeMismatch(_, "/a/ds", "open group", "a group", "a dataset")? = error as? HDF5Error else {
                    return false
                }
                return true
            }
            #expect(throws: HDF5Error.objectExists(file: path, object: "/a/b", operation: "create group")) {
                try root.createGroup("a/b")
            }
            #expect(throws: HDF5Error.objectExists(file: path, object: "/a/ds", operation: "create dataset")) {
                try root.createDataset("a/ds", values: [1.0])
            }
            try file.close()
        }
    }
}

@Suite("Dimension scales")
struct DimensionScaleTests {
    @Test("attach step to axis 0; invalid scales and axes are rejected")
    func attach() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let root = try file.root
            let step = try root.createExtendableDataset("checkpoints/step", of: Int64.self)
            let weight = try root.createExtendableDataset("params/w", of: Float.self, rowShape: [2, 3])
            #expect(try !step.isDimensionScale())
            try step.makeDimensionScale(name: "step")
            #expect(try step.isDimensionScale())
            #expect(try !weight.hasDimensionScale(step))
            try weight.attachDimensionScale(step)
            #expect(try weight.hasDimensionScale(step, axis: 0))
            #expect(try !weight.hasDimensionScale(step, axis: 1))
            #expect(throws: HDF5Error.self) { try weight.attachDimensionScale(step, axis: 3) }
            #expect(throws: HDF5Error.self) { try step.attachDimensionScale(weight) }
            #expect(throws: HDF5Error.self) { try step.attachDimensionScale(step) }
            try file.close()
        }
    }
}
