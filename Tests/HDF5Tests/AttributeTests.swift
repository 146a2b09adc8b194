import HDF5
import Testing

@Suite("Attributes")
struct AttributeTests {
    @Test("round-trip on file, group and dataset; overwrite changes type")
    func roundTrip() throws {
        try withTemporaryFile { path in
            do {
                let file = try HDF5File.create(path)
                let group = try file.root.createGroup("train")
                let dataset = try group.createExtendableDataset("loss", of: Double.self)
                for attributes in [file.attributes, group.attributes, dataset.attributes] {
                    try attributes.set("units", "nats ✓")
                    try attributes.set("seed", Int64(-42))
                    try attributes.set("count", 7)
                    try attributes.set("lr", 0.125)
                    try attributes.set("small", Float(0.5))
                    try attributes.set("spectrum", [1.5, -2.5, .infinity])
                    try attributes.set("sizes", [Int64(784), 256, 10])
                    try attributes.set("names", ["layer0", "layer1"])
                    try attributes.set("nothing", [Double]())
                    try attributes.set("status", "running")
                    try attributes.set("status", 3.0)  // overwrite with another type
                }
                try file.close()
            }
            let file = try HDF5File.open(path)
            let root = try file.root
            let owners = [file.attributes, try root.group("train").attributes, try root.dataset("train/loss").attributes]
            for attributes in owners {
                #expect(try attributes.string("units") == "nats ✓")
                #expect(try attributes.value("seed", as: Int64.self) == -42)
                #expect(try attributes.value("count", as: Int.self) == 7)
                #expect(try attributes.value("lr", as: Double.self) == 0.125)
                #expect(try attributes.value("small", as: Float.self) == 0.5)
                #expect(try attributes.array("spectrum", as: Double.self) == [1.5, -2.5, .infinity])
                #expect(try attributes.array("sizes", as: Int64.self) == [784, 256, 10])
                #expect(try attributes.strings("names") == ["layer0", "layer1"])
                #expect(try attributes.array("nothing", as: Double.self) == [])
                #expect(try attributes.value("status", as: Double.self) == 3)
                #expect(try attributes.elementType("status") == .float64)
                #expect(try attributes.elementType("units") == .string)
                #expect(try attributes.contains("units"))
                #expect(try !attributes.contains("missing"))
                #expect(
                    try attributes.names()
                        == ["count", "lr", "names", "nothing", "seed", "sizes", "small", "spectrum", "status", "units"])
            }
            try file.close()
        }
    }

    @Test("missing attributes, wrong types and remove")
    func errors() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let dataset = try file.root.createDataset("d", values: [1.0])
            try dataset.attributes.set("n", Int64(3))
            #expect(throws: HDF5Error.objectNotFound(file: path, object: "/d", operation: "read attribute 'x'")) {
                try dataset.attributes.string("x")
            }
            #expect {
                _ = try dataset.attributes.value("n", as: Double.self)
            } throws: { error in
                guard case .typeMismatch(_, "/d", _, "float64", "int64")? = error as? HDF5Error else { return false }
                return true
            }
            #expect(throws: HDF5Error.self) { try dataset.attributes.string("n") }
            try dataset.attributes.set("v", [1.0, 2.0])
            #expect(throws: HDF5Error.self) { try dataset.attributes.value("v", as: Double.self) }
            try dataset.attributes.remove("n")
            #expect(try !dataset.attributes.contains("n"))
            #expect(throws: HDF5Error.self) { try dataset.attributes.remove("n") }
            try file.close()
        }
    }
}
