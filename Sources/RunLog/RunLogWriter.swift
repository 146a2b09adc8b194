import Foundation
import HDF5

/// Writes one run's HDF5 log in the layout of docs/log-format.md.
///
/// Everything is created up front (groups, growing datasets, dimension scales), then rows are
/// appended: `/train` every few steps, `/checkpoints` (with BFD, neuron statistics and
/// parameters) at each checkpoint.
///
/// Crash safety. A new log is built under `log.h5.partial` and renamed to its final name
/// once its whole layout is on disk, so `log.h5` is never a half-created file. Rows are
/// committed in two phases: every column of a row is written and the file flushed, then the
/// commit column (`/train/step` or `/checkpoints/step`, the dimension scale) is extended and
/// the file flushed again. A process killed at any moment therefore leaves a log whose
/// `step` columns count only complete rows; other columns may hold one more, partial row,
/// which readers ignore and `geodim resume` cuts off.
///
/// Disk full. Before each group of writes (a row commit's phase, the end-of-run attributes)
/// the writer reserves the file space that group can take at most (see
/// ``HDF5File/reserveSpace(_:for:)``), plus ``spaceMargin`` that stays reserved for recording a
/// failure. When the file system has no room, the group is refused with
/// ``RunLogError/noSpace(path:operation:needed:available:)`` before any byte is written: the
/// log stays as its last commit left it.
///
/// Live logs (`live: true`) are written with the latest file format and HDF5 SWMR (single
/// writer, multiple readers), so that readers opening with `swmr=True` can follow the run.
public final class RunLogWriter {
    /// Where the log lives.
    public let path: String
    /// The groups the log has; reopening must be given the layout the log was created with.
    public let layout: RunLogLayout
    /// Whether the log is written in SWMR mode.
    public let live: Bool
    /// Complete rows in `/train`.
    public private(set) var trainRowCount: Int
    /// Complete rows in `/checkpoints`.
    public private(set) var checkpointRowCount: Int
    private let file: HDF5File
    let handles: RunLogHandles

    /// Bytes reserved on top of what each group of writes can take: room for the end-of-run
    /// attributes (status, error, times) and the close, so that a run stopped by a full disk
    /// can still record why.
    public static let spaceMargin = 64 * 1024

    init(path: String, file: HDF5File, layout: RunLogLayout, live: Bool) throws {
        self.path = path
        self.file = file
        self.layout = layout
        self.live = live
        handles = try RunLogHandles.open(try file.root, layout: layout)
        trainRowCount = try handles.trainStep.rowCount
        checkpointRowCount = try handles.checkpointStep.rowCount
    }

    /// Creates the log at `path` (which must not exist) and writes the metadata and inputs.
    ///
    /// The file is built as `path + ".partial"` and appears under `path` only once complete
    /// (and, when `live`, already in SWMR mode).
    public convenience init(
        path: String, metadata: RunMetadata, inputs: RunInputs, layout: RunLogLayout, created: String,
        live: Bool = false
    ) throws {
        if FileManager.default.fileExists(atPath: path) { throw HDF5Error.fileExists(file: path) }
        let staging = path + ".partial"
        let file: HDF5File
        do {
            file = try HDF5File.create(staging, mode: .truncate, latestFormat: live)
        } catch let error as HDF5Error {
            guard case .noSpace = error else { throw error }
            let directory = (path as NSString).deletingLastPathComponent
            throw RunLogError.noSpace(
                path: path, operation: "create the log", needed: nil, available: freeBytes(directory.isEmpty ? "." : directory))
        }
        do {
            try RunLogWriter.createLayout(in: file, layout: layout, metadata: metadata, inputs: inputs, created: created)
            if live {
                // SWMR readers may not see attributes created later: create the end-of-run
                // ones now, empty.
                let meta = try file.root.group("meta")
                try meta.attributes.set("status", RunStatus.running.rawValue)
                try meta.attributes.set("end_time", "")
                try meta.attributes.set("error", "")
                try meta.attributes.set("interrupted_by", "")
                try meta.attributes.set("stopped_early_epoch", Int64(-1))
                for name in ["wall_time_s", "training_time_s", "bfd_time_s"] { try meta.attributes.set(name, Double.nan) }
            }
            try file.flush()
            if live { try file.startSWMRWrite() }
            try RunLogWriter.publish(staging, as: path)
        } catch {
            try? file.close()
            unlink(staging)
            if let shortage = SpaceShortage(error) {
                let directory = (path as NSString).deletingLastPathComponent
                throw RunLogError.noSpace(
                    path: path, operation: "create the log (\(shortage.operation))", needed: shortage.needed,
                    available: freeBytes(directory.isEmpty ? "." : directory))
            }
            throw error
        }
        try self.init(path: path, file: file, layout: layout, live: live)
    }

    /// Cuts the log back to `trainRows` and `checkpointRows` complete rows (dropping any partial
    /// row a killed writer left).
    func truncate(trainRows: Int, checkpointRows: Int) throws {
        let trainShort = try ([handles.trainStep] + handles.trainData).first { try $0.rowCount < trainRows }
        let checkpointShort = try ([handles.checkpointStep] + handles.checkpointData).first { try $0.rowCount < checkpointRows }
        if let short = trainShort ?? checkpointShort {
            throw RunLogError.inconsistent(
                path: path,
                reason: "\(short.path) has \(try short.rowCount) rows, fewer than the resume state's "
                    + "\(short === trainShort ? trainRows : checkpointRows)")
        }
        for dataset in [handles.trainStep] + handles.trainData { try dataset.setRowCount(trainRows) }
        for dataset in [handles.checkpointStep] + handles.checkpointData { try dataset.setRowCount(checkpointRows) }
        trainRowCount = trainRows
        checkpointRowCount = checkpointRows
    }

    static let bfdIntegerColumns: [(String, String)] = [
        ("rank", "the headline BFD, under the group's rank_rule"),
        ("rank_numpy", "singular values > sigma_1 * max(m, P) * eps (numpy's matrix_rank default)"),
        ("rank_gap", "cut at the largest ratio sigma_r / sigma_(r+1) above the method's floor"),
        ("rank_relative", "singular values > max(relative_tolerance, floor) * sigma_1"),
        ("upper_bound", "min(row cap, P - hidden - sum over dead neurons of (n_(l-1) + n_(l+1)))"),
    ]
    static let bfdFlagColumns: [(String, String)] = [
        ("clear", "1 when the gap ratio is >= 1e3 and sigma_r is above the floor"),
        ("rules_disagree", "1 when the numpy, gap and relative rules give different ranks"),
    ]
    static let bfdRealColumns: [(String, String)] = [
        ("tolerance", "absolute singular-value threshold the headline rule used"),
        ("gap_ratio", "sigma_r / sigma_(r+1) across the headline cut (inf at the end of the spectrum)"),
        ("sigma_above", "sigma_r / sigma_1 just above the cut"),
        ("sigma_below", "sigma_(r+1) / sigma_1 just below the cut (0 at the end of the spectrum)"),
        ("floor", "relative level below which the method cannot resolve singular values"),
        ("seconds", "time to compute this entry"),
    ]

    /// The codes of the per-checkpoint `gram_side` column: which Gram product gave the rank;
    /// −1 where none did (method jacobian).
    public static let gramSideCodes: [(name: String, code: Int64)] = [("rows", 0), ("parameters", 1), ("block_schur", 2)]
    /// The `gram_side` column's `codes` attribute text.
    static let gramSideCodeText = "0 = rows (J~ J~^T, m x m), 1 = parameters (J~^T J~, P~ x P~), 2 = block_schur, -1 = none (method jacobian)"

    static let exactIntegerColumns: [(String, String)] = [
        ("rank_exact", "max over the primes of the rank modulo p: a proven lower bound on the BFD"),
        ("pattern_ambiguous", "hidden pre-activations whose margin is below 1e-9 (their float sign cannot be trusted)"),
    ]
    static let exactRealColumns: [(String, String)] = [
        ("exact_failure_bound", "upper bound on the probability that the BFD exceeds rank_exact (0 when certified)"),
        ("exact_integer_bits", "log2 of the Hadamard bound on the scaled integer minors the failure bound counts"),
        ("pattern_margin", "smallest |z| / (sum |w_b a_b| + |b|) over the hidden pre-activations"),
        ("exact_seconds", "time to compute the exact entry"),
    ]
    /// Every exact column's name, the flag and the per-prime rows included.
    static var exactColumnNames: [String] {
        exactIntegerColumns.map(\.0) + exactRealColumns.map(\.0) + ["exact_certified", "exact_primes", "exact_ranks"]
    }

    /// Appends rows to /train: the data columns, a flush, then the `step` column and a flush.
    /// Throws `RunLogError.noSpace`, having written nothing of a phase, when the disk has no room.
    public func appendTrainRows(steps: [Int64], epochs: [Double], losses: [Double], learningRates: [Double], wallTimes: [Double]) throws {
        guard !steps.isEmpty else { return }
        let operation = "append \(steps.count) row(s) to /train"
        try reserve(handles.trainData, rows: steps.count, for: operation)
        try handles.trainColumns.epoch.append(rows: epochs)
        try handles.trainColumns.loss.append(rows: losses)
        try handles.trainColumns.lr.append(rows: learningRates)
        try handles.trainColumns.wall.append(rows: wallTimes)
        try file.flush()
        try reserve([handles.trainStep], rows: steps.count, for: operation)
        try handles.trainStep.append(rows: steps)
        try file.flush()
        trainRowCount += steps.count
    }

    /// Appends one checkpoint row: every column, a flush, then `/checkpoints/step` and a flush.
    /// Throws `RunLogError.noSpace`, having written nothing of a phase, when the disk has no room.
    public func appendCheckpoint(_ record: CheckpointRecord) throws {
        let operation = "write checkpoint \(checkpointRowCount + 1) (epoch \(record.epoch))"
        try reserve(handles.checkpointData, rows: 1, for: operation)
        let columns = handles.checkpointColumns
        try columns.epoch.append(rows: [Int64(record.epoch)])
        try columns.wall.append(rows: [record.wallTime])
        try columns.trainLoss.append(rows: [record.trainLoss])
        try columns.trainAccuracy.append(rows: [record.trainAccuracy])
        try columns.testLoss.append(rows: [record.testLoss])
        try columns.testAccuracy.append(rows: [record.testAccuracy])
        precondition(record.bfd.count == layout.series.count && record.neurons.count == layout.neuronSources.count)
        for (index, entry) in record.bfd.enumerated() {
            let datasets = handles.bfd[index]
            let integers: [String: Int] = [
                "rank": entry.rank, "rank_numpy": entry.rankNumpy, "rank_gap": entry.rankGap,
                "rank_relative": entry.rankRelative, "upper_bound": entry.upperBound,
            ]
            for (name, value) in integers { try datasets[name]?.append(rows: [Int64(value)]) }
            try datasets["clear"]?.append(rows: [UInt8(entry.clear ? 1 : 0)])
            try datasets["rules_disagree"]?.append(rows: [UInt8(entry.rulesDisagree ? 1 : 0)])
            let reals: [String: Double] = [
                "tolerance": entry.tolerance, "gap_ratio": entry.gapRatio, "sigma_above": entry.sigmaAbove,
                "sigma_below": entry.sigmaBelow, "floor": entry.floor, "seconds": entry.seconds,
            ]
            for (name, value) in reals { try datasets[name]?.append(rows: [value]) }
            let sideCode = RunLogWriter.gramSideCodes.first { $0.name == entry.gramSide }?.code ?? -1
            try datasets["gram_side"]?.append(rows: [sideCode])
            if let slots = layout.series[index].exact?.primeSlots {
                let exact = entry.exact
                try datasets["rank_exact"]?.append(rows: [Int64(exact?.rank ?? -1)])
                try datasets["pattern_ambiguous"]?.append(rows: [Int64(exact?.ambiguous ?? -1)])
                try datasets["exact_certified"]?.append(rows: [UInt8(exact?.certified == true ? 1 : 0)])
                let exactReals: [String: Double] = [
                    "exact_failure_bound": exact?.failureBound ?? .nan, "exact_integer_bits": exact?.integerBits ?? .nan,
                    "pattern_margin": exact?.patternMargin ?? .nan, "exact_seconds": exact?.seconds ?? .nan,
                ]
                for (name, value) in exactReals { try datasets[name]?.append(rows: [value]) }
                let primes = exact?.primes ?? []
                let ranks = exact?.ranks ?? []
                try datasets["exact_primes"]?.append(rows: (0..<slots).map { $0 < primes.count ? Int64(primes[$0]) : 0 })
                try datasets["exact_ranks"]?.append(rows: (0..<slots).map { $0 < ranks.count ? Int64(ranks[$0]) : -1 })
            }
            if let spectrum = datasets["spectrum"] {
                let width = spectrum.rowShapeWidth
                var row = [Double](repeating: .nan, count: width)
                for i in 0..<min(width, entry.spectrum.count) { row[i] = entry.spectrum[i] }
                try spectrum.append(rows: row)
            }
        }
        for (index, entry) in record.neurons.enumerated() {
            let datasets = handles.neurons[index]
            try datasets["dead"]?.append(rows: entry.dead.map(Int64.init))
            try datasets["always_active"]?.append(rows: entry.alwaysActive.map(Int64.init))
            try datasets["patterns"]?.append(rows: [Int64(entry.patterns)])
        }
        if layout.storeCFFD {
            let entry = record.cffd ?? CFFDEntry(estimate: -1, converged: false, sizes: [], ranks: [])
            let slots = RunLogLayout.cffdSlots
            func padded(_ values: [Int]) -> [Int64] {
                (0..<slots).map { $0 < values.count ? Int64(values[$0]) : -1 }
            }
            try handles.cffd["estimate"]?.append(rows: [Int64(entry.estimate)])
            try handles.cffd["converged"]?.append(rows: [UInt8(entry.converged ? 1 : 0)])
            try handles.cffd["sizes"]?.append(rows: padded(entry.sizes))
            try handles.cffd["ranks"]?.append(rows: padded(entry.ranks))
        }
        try appendShallow(record)
        if layout.saveParameters {
            try handles.parameterStep?.append(rows: [Int64(record.step)])
            var offset = 0
            for layer in 0..<(layout.layerSizes.count - 1) {
                let fanIn = layout.layerSizes[layer], fanOut = layout.layerSizes[layer + 1]
                let weights = Array(record.parameters[offset..<(offset + fanOut * fanIn)])
                offset += fanOut * fanIn
                let biases = Array(record.parameters[offset..<(offset + fanOut)])
                offset += fanOut
                if layout.parametersAsFloat32 {
                    try handles.parameters[layer].weight.append(rows: weights.map(Float.init))
                    try handles.parameters[layer].bias.append(rows: biases.map(Float.init))
                } else {
                    try handles.parameters[layer].weight.append(rows: weights)
                    try handles.parameters[layer].bias.append(rows: biases)
                }
            }
        }
        try file.flush()
        try reserve([handles.checkpointStep], rows: 1, for: operation)
        try handles.checkpointStep.append(rows: [Int64(record.step)])
        try file.flush()
        checkpointRowCount += 1
    }

    /// Records string or number attributes on /meta (end time, wall times ...). What it
    /// reserves fits in the ``spaceMargin`` the last commit left, so it works on a full disk.
    public func setMeta(text: [(String, String)] = [], reals: [(String, Double)] = [], integers: [(String, Int64)] = []) throws {
        // A string attribute goes to the global heap (collections of 4 KiB and more); a
        // rewritten attribute may also move its object header to a larger block.
        let bytes = text.reduce(0) { $0 + 2 * ($1.0.utf8.count + $1.1.utf8.count) + 4096 } + 512 * (reals.count + integers.count)
        try reserveSpace(bytes, for: "record /meta attributes")
        let meta = try file.root.group("meta")
        for (name, value) in text { try meta.attributes.set(name, value) }
        for (name, value) in reals { try meta.attributes.set(name, value) }
        for (name, value) in integers { try meta.attributes.set(name, value) }
    }

    /// Sets the `status` attribute (of the root and of /meta) and flushes; like `setMeta`, it
    /// fits in the ``spaceMargin`` the last commit left.
    public func setStatus(_ status: RunStatus) throws {
        try reserveSpace(16 * 1024, for: "record status \(status.rawValue)")
        try file.attributes.set("status", status.rawValue)
        try file.root.group("meta").attributes.set("status", status.rawValue)
        try file.flush()
    }

    /// Closes the file (giving back the disk blocks reserved past its end).
    public func close() throws {
        try file.close()
    }

    /// Reserves what appending `rows` rows to each of `datasets` can take at most, plus
    /// ``spaceMargin``.
    private func reserve(_ datasets: [HDF5Dataset], rows: Int, for operation: String) throws {
        let bytes = try datasets.reduce(0) { $0 + (try $1.appendAllocationBound(rows: rows)) }
        try reserveSpace(bytes + RunLogWriter.spaceMargin, for: operation)
    }

    /// ``HDF5File/reserveSpace(_:for:)``, reporting a shortage under the log's own name (the
    /// file may still be the staging `log.h5.partial`).
    private func reserveSpace(_ bytes: Int, for operation: String) throws {
        do {
            try file.reserveSpace(bytes, for: operation)
        } catch HDF5Error.noSpace(_, _, let operation, let needed, let available) {
            throw RunLogError.noSpace(path: path, operation: operation, needed: needed, available: available)
        }
    }

    /// Makes `staging` visible as `path` without ever replacing an existing file there, and
    /// makes the new name durable.
    private static func publish(_ staging: String, as path: String) throws {
        guard link(staging, path) == 0 else {
            if errno == EEXIST { throw HDF5Error.fileExists(file: path) }
            if errno == ENOSPC || errno == EDQUOT {
                throw RunLogError.noSpace(path: path, operation: "link \(staging) to it", needed: nil, available: nil)
            }
            throw RunLogError.io(path: path, reason: "cannot link \(staging) to it: " + String(cString: strerror(errno)))
        }
        unlink(staging)
        let directory = (path as NSString).deletingLastPathComponent
        syncDirectory(directory.isEmpty ? "." : directory)
    }
}

extension HDF5Dataset {
    /// Elements per row of a 2-D growing dataset (1 for a 1-D one).
    fileprivate var rowShapeWidth: Int {
        ((try? shape) ?? [0, 1]).dropFirst().reduce(1, *)
    }
}
