import Foundation
import Testing

import Config
import Runner

/// The run-level memory estimate and preflight (RunMemoryEstimate.swift, MemoryPreflight.swift,
/// LogChunkLimits.swift, MachineMemory.swift): the training buffers against a closed form
/// derived here from the trainer's allocations, overflowing sizes named by their config key,
/// HDF5's chunk limit, the refuse/warn thresholds and the machine-memory sources.
@Suite struct RunMemoryEstimateTests {
    private static let base = """
        name: memory
        seed: 1
        model:
          hidden: [30, 30, 30]
        data:
          protocol: standard
          train_size: 600
          test_size: 200
        training:
          epochs: 2
          batch_size: 32
        optimizer:
          name: sgd
          lr: 0.1
          momentum: 0.9
        checkpoints:
          every: 1
        bfd:
          train_samples: 6
          test_samples: 6
          random_samples: 6
        """

    private func config(_ overrides: [String] = []) throws -> ExperimentConfig {
        try ExperimentConfig.parse(yaml: Self.base, source: "memory.yaml", overrides: overrides)
    }

    private func phase(_ estimate: RunMemoryEstimate, _ name: String) -> Int? {
        estimate.training.phases.first { $0.name == name }?.bytes
    }

    /// What the trainer holds while it steps, written out from TrainingEngine, MLPWorkspace,
    /// ExperimentData and MNIST: the pooled MNIST bytes (70,000 × (784 + 1)); the train and test
    /// sets as float32 and again in the training precision s, with labels and indices (28 bytes
    /// per image); each BFD set in float64 with its indices (785 doubles a row) and the random
    /// set once more in float32; parameters, gradient and k optimizer moments (P·s each); and
    /// the step's and evaluation's workspaces, (2·Σ hidden + 2·d + n_0)·s + 4 bytes a row.
    private func closedFormResident(
        p: Int, hidden: [Int], train: Int, test: Int, bfd: [Int], random: Int, scalar s: Int, moments k: Int,
        batch: Int, evaluation: Int
    ) -> Int {
        let mnist = 70_000 * 785
        let sets = (train + test) * 784 * 4 + (train + test) * 784 * s + (train + test) * 28
        let bfdInputs = bfd.reduce(0, +) * 785 * 8 + random * 784 * 4
        let state = (2 + k) * p * s
        let perRow = (2 * hidden.reduce(0, +) + 2 * 10 + 784) * s + 4
        return mnist + sets + bfdInputs + state + (batch + evaluation) * perRow
    }

    @Test func trainingBuffersMatchTheClosedForm() throws {
        let sgd = try RunMemoryEstimate(config: try config())
        let p = 25_720
        let resident = closedFormResident(
            p: p, hidden: [30, 30, 30], train: 600, test: 200, bfd: [6, 6, 6], random: 6, scalar: 4, moments: 1,
            batch: 32, evaluation: 1000)
        #expect(phase(sgd, "training steps") == resident)
        // A checkpoint adds the float64 parameters and, saving the state, its snapshot and
        // encoded file (2 × (1 + k) × P·s).
        #expect(phase(sgd, "checkpoint: resume state") == resident + p * 8 + 2 * 2 * p * 4)
        #expect(phase(sgd, "checkpoint: parameters to the log") == resident + p * 8 + 784 * 30 * (8 + 3 * 4))
        #expect(sgd.measurementBase.bytes == resident + p * 8)
        #expect(phase(sgd, "resume: reading the state") == nil)

        let adam = try RunMemoryEstimate(
            config: try config(["optimizer.name=adam", "optimizer.momentum=0", "training.precision=float64", "model.hidden=[100, 50]",
                                "training.eval_batch_size=250"]),
            resuming: true)
        let adamP = 784 * 100 + 100 + 100 * 50 + 50 + 50 * 10 + 10
        let adamResident = closedFormResident(
            p: adamP, hidden: [100, 50], train: 600, test: 200, bfd: [6, 6, 6], random: 6, scalar: 8, moments: 2,
            batch: 32, evaluation: 250)
        #expect(phase(adam, "training steps") == adamResident)
        #expect(phase(adam, "resume: reading the state") == adamResident + 3 * 3 * adamP * 8)
        #expect(adam.trainingPeakBytes == RunMemoryEstimate.baselineBytes + adam.training.peakBytes)
    }

    /// One measurement per set, plus the exact engine's and the CFFD's when asked for; the peak
    /// while measuring is what training keeps plus the largest of them.
    @Test func measurementsCoverEveryMethodInUse() throws {
        let plain = try RunMemoryEstimate(config: try config())
        #expect(plain.measurements.map(\.source) == ["train (n = 6)", "test (n = 6)", "random (n = 6)"])
        let all = try RunMemoryEstimate(
            config: try config(["bfd.exact=true", "bfd.cffd=true", "bfd.cffd_max_rows=200", "bfd.random_samples=40"]))
        #expect(all.measurements.count == 3 * 2 + 1)
        #expect(all.measurements.last?.model.label == "the CFFD estimate (gram_inertia)")
        let largest = try #require(all.largestMeasurement)
        #expect(all.measurementPeakBytes == RunMemoryEstimate.baselineBytes + all.measurementBase.bytes + largest.model.peakBytes)
        #expect(all.peakBytes == max(all.trainingPeakBytes, all.measurementPeakBytes))
        let off = try RunMemoryEstimate(config: try config(["bfd.enabled=false"]))
        #expect(off.measurements.isEmpty)
    }

    /// Issue 15: model.hidden=[9223372036854775807] trapped (exit 132). Each size that
    /// overflows is named by the key whose value made it, with the value and the override.
    @Test(arguments: [
        ("model.hidden", "model.hidden=[9223372036854775807]", "[9223372036854775807]"),
        ("model.hidden", "model.hidden=[30, 4611686018427387904]", "[30, 4611686018427387904]"),
        ("training.batch_size", "training.batch_size=1152921504606846976", "1152921504606846976"),
        ("training.eval_batch_size", "training.eval_batch_size=1152921504606846976", "1152921504606846976"),
        ("bfd.random_samples", "bfd.random_samples=1152921504606846976", "1152921504606846976"),
    ])
    func overflowingSizesNameTheirKey(key: String, override: String, value: String) throws {
        let parsed = try config([override])
        do {
            _ = try RunMemoryEstimate(config: parsed, overrides: [override])
            Issue.record("no overflow reported for \(override)")
        } catch {
            guard case let .overflow(blamed, shown, _, _, setter) = error else {
                Issue.record("expected an overflow, got \(error)")
                return
            }
            #expect(blamed == key)
            #expect(shown == value)
            #expect(setter == override)
            let text = error.description
            #expect(!text.contains("\n"))
            #expect(text.hasPrefix("\(key): \(value) makes "))
            #expect(text.contains("overflow a 64-bit integer"))
            #expect(text.contains("(hint: "))
        }
    }

    @Test func cffdRowsThatOverflowAreNamed() throws {
        let text = "bfd.cffd_max_rows=4611686018427387904"
        #expect {
            _ = try RunMemoryEstimate(config: try config(["bfd.cffd=true", text]), overrides: [text])
        } throws: { error in
            guard case let .overflow(key, _, _, _, setter) = error as? PreflightError else { return false }
            return key == "bfd.cffd_max_rows" && setter == text
        }
    }

    /// Issue 15: model.hidden=[100000000] failed after creating the run directory with a raw
    /// "H5Pset_chunk: number of elements in chunk must be < 4GB".
    @Test func logChunksBeyondHDF5sLimitAreRefusedFromTheConfig() throws {
        let wide = try config(["model.hidden=[3000000]"])
        #expect {
            try LogChunkLimits.check(wide, overrides: ["model.hidden=[3000000]"])
        } throws: { error in
            guard case let .chunkTooLarge(key, _, problem, hint, setter) = error as? PreflightError else { return false }
            return key == "logging.save_params" && problem.contains("layer 0") && hint.contains("logging.save_params=false")
                && setter == "model.hidden=[3000000]"
        }
        try LogChunkLimits.check(try config(["model.hidden=[3000000]", "logging.save_params=false"]))
        // float64 halves the widths that fit: 784 × 800,000 × 8 bytes > 4 GiB > × 4 bytes.
        try LogChunkLimits.check(try config(["model.hidden=[800000]"]))
        #expect(throws: PreflightError.self) {
            try LogChunkLimits.check(try config(["model.hidden=[800000]", "training.precision=float64"]))
        }
        // A spectrum row is min(n·d, P) doubles.
        let spectrum = try config([
            "model.hidden=[1048576]", "logging.save_params=false", "bfd.random_samples=67108864",
        ])
        #expect {
            try LogChunkLimits.check(spectrum)
        } throws: { error in
            guard case let .chunkTooLarge(key, _, _, hint, _) = error as? PreflightError else { return false }
            return key == "bfd.spectrum" && hint.contains("bfd.random_samples")
        }
        try LogChunkLimits.check(try config([
            "model.hidden=[1048576]", "logging.save_params=false", "bfd.random_samples=67108864", "bfd.spectrum=false",
        ]))
    }

    /// Refuse above the machine's memory, warn above 80% of it, fit below; with the override a
    /// refusal becomes a warning.
    @Test func verdictThresholds() throws {
        let estimate = try RunMemoryEstimate(config: try config())
        let peak = estimate.peakBytes
        func machine(_ fraction: Double) -> MachineMemory {
            MachineMemory(bytes: Int(Double(peak) / fraction), source: "test")
        }
        #expect(MemoryPreflight.verdict(estimate, machine: machine(0.5), ignore: false) == .fits)
        #expect(MemoryPreflight.verdict(estimate, machine: machine(0.79), ignore: false) == .fits)
        guard case .warn(let warning) = MemoryPreflight.verdict(estimate, machine: machine(0.9), ignore: false) else {
            Issue.record("no warning at 90%")
            return
        }
        #expect(warning.contains("90%"))
        #expect(!warning.contains("\n"))
        guard case .refuse(let refusal) = MemoryPreflight.verdict(estimate, machine: machine(1.5), ignore: false),
              case let .insufficientMemory(needed, available, _, hint) = refusal
        else {
            Issue.record("no refusal at 150%")
            return
        }
        #expect(needed == peak)
        #expect(available.bytes == machine(1.5).bytes)
        #expect(hint.hasPrefix("lower "))
        #expect(refusal.description.contains("--ignore-memory-check"))
        #expect(!refusal.description.contains("\n"))
        guard case .warn(let anyway) = MemoryPreflight.verdict(estimate, machine: machine(1.5), ignore: true) else {
            Issue.record("the override did not turn the refusal into a warning")
            return
        }
        #expect(anyway.contains("running anyway"))
    }

    /// The hint names what dominates: the network's width, or the BFD set whose measurement
    /// outweighs training.
    @Test func theHintNamesTheDominantSetting() throws {
        let wide = try RunMemoryEstimate(config: try config(["model.hidden=[1000000]", "logging.save_params=false"]))
        #expect(wide.lever == "lower model.hidden")
        let measured = try RunMemoryEstimate(config: try config([
            "data.test_size=2000", "bfd.test_samples=2000", "bfd.method=jacobian",
        ]))
        #expect(measured.lever.hasPrefix("lower bfd.test_samples (n = 2000)"))
        let evaluation = try RunMemoryEstimate(config: try config(["training.eval_batch_size=100000000"]))
        #expect(evaluation.lever == "lower training.eval_batch_size")
    }

    @Test func machineMemorySourcesAreParsed() throws {
        #expect(MachineMemory.meminfoTotal("MemTotal:       24683568 kB\nMemFree:        23102980 kB\n") == 24_683_568 * 1024)
        #expect(MachineMemory.meminfoTotal("MemFree: 1 kB\n") == nil)
        #expect(MachineMemory.cgroupLimit("max\n") == nil)
        #expect(MachineMemory.cgroupLimit("9223372036854771712\n") == nil)
        #expect(MachineMemory.cgroupLimit("1073741824\n") == 1 << 30)
        #expect(MachineMemory.cgroupFiles(selfCgroup: "0::/user.slice/job-7\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n") == [
            "/sys/fs/cgroup/user.slice/job-7/memory.max", "/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes",
        ])
        let variable = MachineMemory.overrideVariable
        #expect(variable == "GEODIM_MEMORY_LIMIT_BYTES")
        #expect(try MachineMemory.current(environment: [variable: "12345"]) == MachineMemory(bytes: 12_345, source: variable))
        #expect(throws: PreflightError.badMemoryOverride(variable: variable, value: "16G")) {
            try MachineMemory.current(environment: [variable: "16G"])
        }
        #expect(throws: PreflightError.self) { try MachineMemory.current(environment: [variable: "0"]) }
        let here = try MachineMemory.current(environment: [:])
        #expect(here.bytes > 0)
        #expect(here.bytes <= MachineMemory.physicalMemoryBytes)
    }

    @Test func bytesAreShownInBinaryUnits() {
        #expect(formatBytes(1 << 30) == "1.0 GiB")
        #expect(formatBytes(318_000_000_072) == "296.2 GiB")
        #expect(formatBytes(3 << 40) == "3.0 TiB")
        #expect(formatBytes(5 << 20) == "5 MiB")
        #expect(formatBytes(1000) == "1 KiB")
    }
}

/// Issue 15: `model.hidden=[3000000] logging.save_params=false` ran for minutes with no output
/// (then ran out of memory): its estimate shows why, before anything is allocated.
@Suite struct WideNetworkEstimateTests {
    @Test func threeMillionWideIsRefusedOnA16GiBMachine() throws {
        let config = try ExperimentConfig.parse(
            yaml: "name: wide\nmodel: {hidden: [3000000]}\ntraining: {epochs: 1, batch_size: 128}\n"
                + "optimizer: {name: sgd, lr: 0.1}\ncheckpoints: {every: 1}\nlogging: {save_params: false}\n",
            source: "wide.yaml")
        let estimate = try RunMemoryEstimate(config: config)
        let p = 784 * 3_000_000 + 3_000_000 + 3_000_000 * 10 + 10
        // Parameters and gradient in float32, plus the float64 copy and the state's two copies
        // at a checkpoint: at least 2·4P + 8P + 2·4P bytes.
        #expect(estimate.trainingPeakBytes > 24 * p)
        let verdict = MemoryPreflight.verdict(estimate, machine: MachineMemory(bytes: 16 << 30, source: "test"), ignore: false)
        guard case .refuse(let error) = verdict else {
            Issue.record("not refused: \(verdict)")
            return
        }
        #expect(error.description.hasPrefix("not enough memory: the estimated peak is "))
        #expect(error.description.contains("lower model.hidden"))
    }
}
