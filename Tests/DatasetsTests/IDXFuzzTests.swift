import Datasets
import Foundation
import Testing
import TestSupport

/// The IDX reader against damaged headers: a bounded rank, the shape a file's role needs
/// checked before its payload, and a seeded random-mutation fuzz loop over raw and gzip
/// files. Every input must parse to a consistent file or fail with one short line.
@Suite struct IDXFuzzTests {
    @Test("a rank byte of 0xFF is refused in one short line, without listing 255 sizes")
    func rank255IsShort() throws {
        let bytes: [UInt8] = [0, 0, 0x08, 0xFF] + [UInt8](repeating: 0, count: 4 * 255) + [1, 2, 3]
        let error = try #require(throws: DatasetError.self) { try IDXFile(contents: bytes, path: "x-idx") }
        #expect(error == .invalidDimensions(path: "x-idx", reason: "rank 255, more than the 8 dimensions an IDX data set has"))
        #expect(error.description.count < 200 && !error.description.contains("\n"), "\(error)")
        // Rank 8 is still read.
        let eight = TestFiles.idx(shape: [1, 1, 1, 1, 1, 1, 1, 2], payload: [4, 5])
        #expect(try IDXFile(contents: eight, path: "eight").shape == [1, 1, 1, 1, 1, 1, 1, 2])
    }

    @Test("a shape requirement is checked before the payload: 28×27 images are a wrong shape, not trailing garbage")
    func shapeRequirementComesFirst() throws {
        let images = IDXFile.ShapeRequirement(trailing: [28, 28], description: "n×28×28 images")
        let labels = IDXFile.ShapeRequirement(trailing: [], description: "n labels (rank 1)")
        let wrong = TestFiles.idx(shape: [10, 28, 27], payload: [UInt8](repeating: 3, count: 10 * 28 * 28))
        // Without a requirement the payload is 280 bytes too long…
        #expect(throws: DatasetError.extraBytes(path: "w", shape: [10, 28, 27], expectedBytes: 7560, actualBytes: 7840)) {
            try IDXFile(contents: wrong, path: "w")
        }
        // …with one, the shape is named, whatever the payload.
        #expect(throws: DatasetError.wrongShape(path: "w", shape: [10, 28, 27], expected: "n×28×28 images")) {
            try IDXFile(contents: wrong, path: "w", requiring: images)
        }
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try TestFiles.write(try TestFiles.gzip(wrong), to: directory, name: "wrong.gz")
        #expect(throws: DatasetError.wrongShape(path: path, shape: [10, 28, 27], expected: "n×28×28 images")) {
            try IDXFile.read(path: path, requiring: images)
        }
        #expect(throws: DatasetError.wrongShape(path: "l", shape: [4, 1], expected: "n labels (rank 1)")) {
            try IDXFile(contents: TestFiles.idx(shape: [4, 1], payload: [0, 1, 2, 3]), path: "l", requiring: labels)
        }
        let right = TestFiles.idx(shape: [2, 28, 28], payload: [UInt8](repeating: 9, count: 2 * 28 * 28))
        #expect(try IDXFile(contents: right, path: "r", requiring: images).shape == [2, 28, 28])
    }

    /// Flips, cuts, duplications and overwritten header bytes.
    static func mutate(_ bytes: [UInt8], random: inout TestRandom) -> [UInt8] {
        var out = bytes
        for _ in 0..<(1 + Int(random.next() % 3)) {
            let position = out.isEmpty ? 0 : Int(random.next() % UInt64(out.count))
            switch random.next() % 6 {
            case 0 where !out.isEmpty:
                out[position] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
            case 1 where !out.isEmpty:
                out[Int(random.next() % UInt64(min(out.count, 24)))] = UInt8(truncatingIfNeeded: random.next())
            case 2:
                out.removeSubrange(min(position, out.count)..<out.count)
            case 3 where !out.isEmpty:
                let end = min(out.count, position + 1 + Int(random.next() % 64))
                out.insert(contentsOf: out[position..<end], at: position)
            case 4 where out.count > 3:
                out[3] = UInt8(truncatingIfNeeded: random.next())  // the rank
            default:
                out.append(contentsOf: (0..<Int(random.next() % 16)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
        }
        return out
    }

    /// The contract for one input: a file whose shape accounts for its payload exactly, or a
    /// ``DatasetError`` of one line naming the path.
    static func check(_ read: () throws -> IDXFile, path: String) -> Bool {
        do {
            let file = try read()
            #expect(file.shape.reduce(1, *) == file.payload.count && file.payloadOffset == 4 + 4 * file.shape.count)
            return true
        } catch let error as DatasetError {
            let line = error.description
            #expect(line.hasPrefix(path) && !line.contains("\n") && line.count < 600, "\(line.prefix(800))")
            return false
        } catch {
            Issue.record("not a DatasetError: \(error)")
            return false
        }
    }

    @Test("20,000 raw mutants and 300 gzip mutants parse consistently or fail in one line")
    func mutatedFilesNeverCrash() throws {
        var random = TestRandom(seed: 0x1D)
        let seeds: [[UInt8]] = [
            TestFiles.idx(shape: [50], payload: (0..<50).map { UInt8($0 % 10) }),
            TestFiles.idx(shape: [3, 28, 28], payload: (0..<(3 * 784)).map { UInt8(truncatingIfNeeded: $0 * 7) }),
            TestFiles.idx(shape: [2, 3, 4, 5], payload: [UInt8](repeating: 1, count: 120)),
        ]
        let images = IDXFile.ShapeRequirement(trailing: [28, 28], description: "n×28×28 images")
        var parsed = 0
        var refused = 0
        for trial in 0..<20_000 {
            let bytes = Self.mutate(seeds[trial % seeds.count], random: &random)
            let requirement = trial % 2 == 0 ? images : nil
            if Self.check({ try IDXFile(contents: bytes, path: "m\(trial)", requiring: requirement) }, path: "m\(trial)") {
                parsed += 1
            } else {
                refused += 1
            }
        }
        // Gzip: mutate the compressed stream itself (the inflater's checks), or the contents.
        let directory = try TestFiles.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let compressed = try seeds.map { try TestFiles.gzip($0) }
        for trial in 0..<300 {
            let bytes = trial % 3 == 0
                ? try TestFiles.gzip(Self.mutate(seeds[trial % seeds.count], random: &random))
                : Self.mutate(compressed[trial % seeds.count], random: &random)
            let path = try TestFiles.write(bytes, to: directory, name: "g\(trial).gz")
            if Self.check({ try IDXFile.read(path: path) }, path: path) { parsed += 1 } else { refused += 1 }
        }
        #expect(parsed > 100 && refused > 10_000, "parsed \(parsed), refused \(refused)")
        print("IDX fuzz: 20300 inputs, \(parsed) parsed, \(refused) refused with one line, 0 crashes")
    }
}
