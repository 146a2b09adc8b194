import Datasets
import Foundation
import Linalg
import RunLog

/// Everything needed to continue a run bit-exactly where it stopped: the parameters and the
/// optimizer's moments and step count (exact bits, in the training precision), the position in
/// the data order, how many rows of the log belong to the run so far, and its clocks.
///
/// The data order needs no generator state: epoch `e` visits the samples in
/// `epochOrder(count:epoch:seed:)`, a function of (seed, e) alone, so (completed epochs,
/// batches into the next epoch) is the whole position. Initialisation is not repeated on a
/// resume. geodim has no other random stream during training.
///
/// The file `resume.state` (little-endian; docs/runner.md has the table):
///
///     0    "GEODIMRS"                      magic
///     8    u32 version (1), u32 bytes per scalar (4 = float32, 8 = float64)
///     16   i64 step, completed epochs, batches into the next epoch, optimizer step,
///              /train rows, /checkpoints rows
///     64   f64 wall, training and BFD seconds so far
///     88   i64 training-set size, u64 seed, i64 config bytes, i64 P, i64 first-moment
///              count, i64 second-moment count
///     136  config YAML (UTF-8), parameters, first moment, second moment
///     end  SHA-256 of every byte before it
///
/// It is written atomically: to `resume.state.tmp-<pid>`, fsync, rename, fsync of the directory.
public struct ResumeState: Equatable, Sendable {
    public static let magic = Array("GEODIMRS".utf8)
    public static let version: UInt32 = 1
    public static let headerBytes = 136

    /// 4 (float32) or 8 (float64).
    public var scalarBytes: Int
    /// Optimizer steps done since the start of the run.
    public var step: Int
    /// Whole epochs done.
    public var completedEpochs: Int
    /// Batches done in epoch `completedEpochs + 1` (0 at an epoch boundary).
    public var batchesIntoEpoch: Int
    /// The optimizer's own step counter (Adam's bias correction uses it).
    public var optimizerStep: Int
    /// Complete rows of `/train` and `/checkpoints` that this state accounts for.
    public var trainRows: Int
    public var checkpointRows: Int
    /// Seconds spent so far: in total, training (steps and evaluation), and measuring the BFD.
    public var wallTime: Double
    public var trainingTime: Double
    public var bfdTime: Double
    /// Training-set size and seed, checked against the data on resume.
    public var trainCount: Int
    public var seed: UInt64
    /// The resolved config this state was produced under.
    public var configYAML: String
    /// Raw little-endian scalars.
    public var parameters: [UInt8]
    public var firstMoment: [UInt8]
    public var secondMoment: [UInt8]

    public var parameterCount: Int { parameters.count / scalarBytes }

    /// The scalars of `bytes` as `S` (whose size must be `scalarBytes`).
    public static func values<S: BLASScalar>(_ bytes: [UInt8], as _: S.Type) -> [S] {
        precondition(MemoryLayout<S>.size > 0 && bytes.count % MemoryLayout<S>.size == 0)
        var values = [S](repeating: 0, count: bytes.count / MemoryLayout<S>.size)
        values.withUnsafeMutableBytes { target in
            bytes.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
        return values
    }

    /// The raw bytes of `values`.
    public static func bytes<S: BLASScalar>(_ values: [S]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    // MARK: - Encoding

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerBytes + configYAML.utf8.count + parameters.count * 3 + 32)
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        func put(_ value: Double) { put(value.bitPattern) }
        out += Self.magic
        put(Self.version)
        put(UInt32(scalarBytes))
        for value in [step, completedEpochs, batchesIntoEpoch, optimizerStep, trainRows, checkpointRows] {
            put(Int64(value))
        }
        put(wallTime)
        put(trainingTime)
        put(bfdTime)
        put(Int64(trainCount))
        put(seed)
        let config = Array(configYAML.utf8)
        put(Int64(config.count))
        put(Int64(parameters.count / scalarBytes))
        put(Int64(firstMoment.count / scalarBytes))
        put(Int64(secondMoment.count / scalarBytes))
        assert(out.count == Self.headerBytes)
        out += config
        out += parameters
        out += firstMoment
        out += secondMoment
        out += SHA256.digest(of: out)
        return out
    }

    /// Decodes a state file's bytes; `path` names it in errors.
    public init(decoding bytes: [UInt8], path: String) throws {
        func bad(_ reason: String) -> RunnerError { .badResumeState(path: path, reason: reason) }
        guard bytes.count >= Self.headerBytes + 32, Array(bytes[0..<8]) == Self.magic else {
            throw bad("not a geodim resume state (no GEODIMRS header)")
        }
        var offset = 8
        func take<T: FixedWidthInteger>(_: T.Type) -> T {
            var value: T = 0
            withUnsafeMutableBytes(of: &value) { target in
                bytes.withUnsafeBytes { source in
                    target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + MemoryLayout<T>.size)]))
                }
            }
            offset += MemoryLayout<T>.size
            return T(littleEndian: value)
        }
        func int() -> Int { Int(take(Int64.self)) }
        let version = take(UInt32.self)
        guard version <= Self.version else {
            throw bad("state version \(version) is newer than this geodim reads (\(Self.version)) (hint: use a newer geodim)")
        }
        let body = bytes[0..<(bytes.count - 32)]
        guard SHA256.digest(of: Array(body)) == Array(bytes[(bytes.count - 32)...]) else {
            throw bad("its checksum does not match (the file is damaged)")
        }
        scalarBytes = Int(take(UInt32.self))
        step = int()
        completedEpochs = int()
        batchesIntoEpoch = int()
        optimizerStep = int()
        trainRows = int()
        checkpointRows = int()
        wallTime = Double(bitPattern: take(UInt64.self))
        trainingTime = Double(bitPattern: take(UInt64.self))
        bfdTime = Double(bitPattern: take(UInt64.self))
        trainCount = int()
        seed = take(UInt64.self)
        let configCount = int(), parameterCount = int(), firstCount = int(), secondCount = int()
        guard scalarBytes == 4 || scalarBytes == 8,
              [configCount, parameterCount, firstCount, secondCount, step, completedEpochs, batchesIntoEpoch,
               trainRows, checkpointRows].allSatisfy({ $0 >= 0 }),
              Self.headerBytes + configCount + (parameterCount + firstCount + secondCount) * scalarBytes + 32 == bytes.count
        else {
            throw bad("its header does not describe its contents")
        }
        var cursor = Self.headerBytes
        func slice(_ count: Int) -> [UInt8] {
            defer { cursor += count }
            return Array(bytes[cursor..<(cursor + count)])
        }
        configYAML = String(decoding: slice(configCount), as: UTF8.self)
        parameters = slice(parameterCount * scalarBytes)
        firstMoment = slice(firstCount * scalarBytes)
        secondMoment = slice(secondCount * scalarBytes)
    }

    public init(
        scalarBytes: Int, step: Int, completedEpochs: Int, batchesIntoEpoch: Int, optimizerStep: Int,
        trainRows: Int, checkpointRows: Int, wallTime: Double, trainingTime: Double, bfdTime: Double,
        trainCount: Int, seed: UInt64, configYAML: String, parameters: [UInt8], firstMoment: [UInt8],
        secondMoment: [UInt8]
    ) {
        self.scalarBytes = scalarBytes
        self.step = step
        self.completedEpochs = completedEpochs
        self.batchesIntoEpoch = batchesIntoEpoch
        self.optimizerStep = optimizerStep
        self.trainRows = trainRows
        self.checkpointRows = checkpointRows
        self.wallTime = wallTime
        self.trainingTime = trainingTime
        self.bfdTime = bfdTime
        self.trainCount = trainCount
        self.seed = seed
        self.configYAML = configYAML
        self.parameters = parameters
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    // MARK: - Files

    /// Reads the state at `path`.
    public static func load(path: String) throws -> ResumeState {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw RunnerError.badResumeState(path: path, reason: exists ? "cannot read it" : "no such file")
        }
        return try ResumeState(decoding: [UInt8](data), path: path)
    }

    /// Writes the state to `path` atomically: a reader (or a crash) sees the old file or the
    /// new one, never a mixture.
    public func save(path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }
}

/// Whole-file replacement that survives a crash at any moment.
enum AtomicFile {
    /// Writes `bytes` to `path + ".tmp-<pid>"`, fsyncs it, renames it over `path`, and fsyncs
    /// the directory so the rename itself is durable.
    ///
    /// A full disk (ENOSPC, EDQUOT) throws ``NoSpaceError``; the temporary file is removed and
    /// the previous state stays in place.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        // Built after the temporary file is gone, so the free space it reports is real.
        func failure(_ what: String, _ code: Int32) -> Error {
            if isOutOfSpace(code) {
                let directory = (path as NSString).deletingLastPathComponent
                return NoSpaceError(
                    directory: directory,
                    shortage: SpaceShortage(
                        file: path, operation: "save the resume state", needed: bytes.count,
                        available: availableBytes(directory.isEmpty ? "." : directory)),
                    hint: "free some space there")
            }
            return RunnerError.cannotSaveState(path: path, reason: what + ": " + String(cString: strerror(code)))
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary)", errno) }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return raw.count == 0 }
            while written < raw.count {
                let result = Foundation.write(descriptor, base + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return true
        }
        guard ok, fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            unlink(temporary)
            throw failure("cannot write \(temporary)", code)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure("cannot rename \(temporary)", code)
        }
        let directory = (path as NSString).deletingLastPathComponent
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}
