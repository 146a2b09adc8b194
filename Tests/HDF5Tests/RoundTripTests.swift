import Foundation
import HDF5
import Testing

/// Writes `values` with `shape` into a fresh file, reopens it read-only and reads them back.
private func roundTrip<T: HDF5Scalar & Equatable>(_ values: [T], shape: [Int]) throws {
    try withTemporaryFile { path in
        do {
            let file = try HDF5File.create(path)
            try file.root.createDataset("data", values: values, shape: shape)
            try file.close()
        }
        let file = try HDF5File.open(path)
        let dataset = try file.root.dataset("/data")
        #expect(try dataset.elementType == T.hdf5ElementType)
        #expect(try dataset.shape == shape)
        let array = try dataset.read(as: T.self)
        #expect(array.values == values, "\(T.self) shape \(shape)")
        #expect(array.shape == shape)
        try file.close()
    }
}

private let shapes: [[Int]] = [[], [0], [1], [7], [2, 3], [2, 3, 4], [1, 1, 5, 2]]

private func sample<T>(_ count: Int, _ make: (Int) -> T) -> [T] { (0..<count).map(make) }

@Suite("Datasets round-trip")
struct RoundTripTests {
    @Test("every element type and shape reads back exactly", arguments: shapes)
    func everyTypeAndShape(shape: [Int]) throws {
        let n = shape.reduce(1, *)
        try roundTrip(sample(n) { Double($0) * 0.1 - 1e300 * Double($0 % 2) }, shape: shape)
        try roundTrip(sample(n) { Float($0) * 0.25 - 3.5 }, shape: shape)
        try roundTrip(sample(n) { Int64($0) * 1_000_000_007 - Int64.max / 2 }, shape: shape)
        try roundTrip(sample(n) { Int32($0) - 12 }, shape: shape)
        try roundTrip(sample(n) { UInt8(truncatingIfNeeded: $0 * 37) }, shape: shape)
        try roundTrip(sample(n) { $0 * 3 - 5 }, shape: shape)  // Int, stored as int64
    }

    @Test("1-D is the default shape; compression round-trips")
    func defaultShapeAndCompression() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let root = try file.root
            let values = (0..<100_000).map { sin(Double($0) / 100) }
            try root.createDataset("plain", values: [1.5, 2.5])
            try root.createDataset("packed", values: values, shape: [400, 250], compression: 6)
            #expect(try root.dataset("plain").shape == [2])
            let packed = try root.dataset("packed").read(as: Double.self)
            #expect(packed.values == values && packed.shape == [400, 250])
            try file.close()
        }
    }

    @Test("strings: scalar, 1-D, Unicode, empty; extendable string datasets")
    func strings() throws {
        try withTemporaryFile { path in
            let text = "model:\n  hidden: [256, 256]\nname: β-ℓ ünïcødé ✓ 🚀\n"
            let list = ["", "a", "β", "long " + String(repeating: "x", count: 1000)]
            do {
                let file = try HDF5File.create(path)
                let root = try file.root
                try root.createStringDataset("meta/config_yaml", value: text)
                try root.createStringDataset("meta/list", values: list)
                try root.createStringDataset("meta/empty_list", values: [])
                let events = try root.createExtendableStringDataset("events", chunkRows: 4)
                try events.append(strings: ["start"])
                try events.append(strings: ["ckpt 1", "ckpt ✓ 2"])
                try events.append(strings: [])
                try file.close()
            }
            let file = try HDF5File.open(path)
            let root = try file.root
            #expect(try root.dataset("meta/config_yaml").readString() == text)
            #expect(try root.dataset("meta/config_yaml").shape == [])
            #expect(try root.dataset("meta/config_yaml").elementType == .string)
            #expect(try root.dataset("meta/list").readStrings() == list)
            #expect(try root.dataset("meta/empty_list").readStrings() == [])
            #expect(try root.dataset("events").readStrings() == ["start", "ckpt 1", "ckpt ✓ 2"])
            #expect(throws: HDF5Error.self) { try root.dataset("meta/list").readString() }
            #expect(throws: HDF5Error.self) { try root.dataset("meta/list").read(as: Double.self) }
            try file.close()
        }
    }

    @Test("a string with NUL is rejected")
    func nulInString() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            #expect(throws: HDF5Error.self) { try file.root.createStringDataset("s", value: "a\u{0}b") }
            try file.close()
        }
    }

    @Test("reading with the wrong element type is a type mismatch")
    func wrongType() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let dataset = try file.root.createDataset("x", values: [Float(1), 2])
            #expect {
                _ = try dataset.read(as: Double.self)
            } throws: { error in
                guard case .typeMismatch(_, "/x", _, "float64", "float32")? = error as? HDF5Error else { return false }
                return true
            }
            #expect(throws: HDF5Error.self) { try file.root.createDataset("y", values: [1.0, 2, 3], shape: [2, 2]) }
            #expect(throws: HDF5Error.self) { try file.root.createDataset("z", values: [1.0], compression: 12) }
            try file.close()
        }
    }
}
