import Foundation
import Testing

import Config
import Runner

/// The resume state file: exact round trip, and damage or a newer version named.
@Suite("resume state file")
struct ResumeStateTests {
    private func sample() -> ResumeState {
        let parameters: [Float] = [1.5, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi]
        return ResumeState(
            scalarBytes: 4, step: 1234, completedEpochs: 7, batchesIntoEpoch: 3, optimizerStep: 1234,
            trainRows: 411, checkpointRows: 4, wallTime: 12.5, trainingTime: 10.25, bfdTime: 2.0, trainCount: 600,
            seed: .max, configYAML: "name: ünïcode\n", parameters: ResumeState.bytes(parameters),
            firstMoment: ResumeState.bytes([Float](repeating: 0.25, count: 5)), secondMoment: [])
    }

    @Test func roundTripIsExact() throws {
        let state = sample()
        let decoded = try ResumeState(decoding: state.encoded(), path: "s")
        #expect(decoded == state)
        let values = ResumeState.values(decoded.parameters, as: Float.self)
        #expect(values.map(\.bitPattern) == [1.5, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, Float.pi].map(\.bitPattern))
    }

    @Test func saveReplacesAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geodim-state-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var state = sample()
        try state.save(path: directory + "/resume.state")
        state.step = 99
        try state.save(path: directory + "/resume.state")
        #expect(try ResumeState.load(path: directory + "/resume.state").step == 99)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["resume.state"], "no temporary left behind")
    }

    @Test func damageAndNewerVersionsAreNamed() throws {
        let bytes = sample().encoded()
        func problem(_ bytes: [UInt8]) -> String {
            do {
                _ = try ResumeState(decoding: bytes, path: "run/resume.state")
                return "no error"
            } catch {
                return String(describing: error)
            }
        }
        var flipped = bytes
        flipped[150] ^= 1
        #expect(problem(flipped).contains("checksum does not match"))
        #expect(problem(Array(bytes.prefix(100))).contains("not a geodim resume state"))
        #expect(problem(Array("GEODIMXX".utf8) + bytes.dropFirst(8)).contains("not a geodim resume state"))
        var newer = bytes
        newer[8] = 9
        #expect(problem(newer).contains("state version 9 is newer"))
        #expect(problem(flipped).hasPrefix("run/resume.state: cannot use the resume state"))
    }
}
