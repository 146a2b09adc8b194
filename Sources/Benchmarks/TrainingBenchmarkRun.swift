import Datasets
import Linalg
import Network

/// What `geodim bench train` runs: which settings, at which BLAS thread counts, how long.
public struct TrainingBenchmarkOptions: Sendable {
    public var settings: [TrainingSetting] = TrainingSetting.all
    public var threads: [Int] = [1, 2]
    /// Rounds per measurement; every figure is the best round.
    public var repetitions = 3
    /// Epochs per round for the 60,000-image settings (b) and (c).
    public var epochs = 1
    /// Epochs per round for the 600-image setting (a), whose epoch lasts about a millisecond.
    public var smallEpochs = 100
    /// Square sgemm sizes for the peak.
    public var peakSizes = [2048, 3072]
    /// Also time Path-SGD (``TrainingSetting/pathSGD``) on every setting and thread count.
    public var pathSGD = true
    /// The MNIST directory, or nil for synthetic inputs of the same shapes.
    public var dataDirectory: String? = "data/mnist"

    public init() {}

    func epochsPerRepetition(_ setting: TrainingSetting) -> Int {
        setting.trainCount < 10_000 ? smallEpochs : epochs
    }
}

/// Every number `geodim bench train` prints, gathered in one process run.
public struct TrainingBenchmarkResult: Sendable {
    /// Large-square sgemm GFLOP/s by thread count and size: the best of the measurements
    /// taken before and after the training settings.
    public var squareRates: [Int: [Int: Double]] = [:]
    /// sgemm GFLOP/s at each setting's own GEMM shapes, by setting key, then thread count.
    public var shapeRates: [String: [Int: [GEMMShape: Double]]] = [:]
    public var training: [TrainingMeasurement] = []

    /// The peak for a thread count: the best large-square rate.
    public func peak(threads: Int) -> Double { squareRates[threads]?.values.max() ?? .nan }

    /// GFLOP/s of an epoch of `setting` if every GEMM ran at its standalone rate with
    /// `threads` threads and nothing else took time: the limit at the network's own shapes.
    public func shapeBound(_ setting: TrainingSetting, threads: Int) -> Double {
        guard let rates = shapeRates[setting.key]?[threads] else { return .nan }
        var seconds = 0.0
        for n in setting.batchRows {
            for gemm in trainingStepGEMMs(setting.architecture, n: n) {
                seconds += Double(gemm.shape.flops) / ((rates[gemm.shape] ?? .nan) * 1e9)
            }
        }
        return Double(setting.flopsPerEpoch) / seconds / 1e9
    }
}

/// Runs the benchmark, reporting progress through `progress` (one line per measurement).
///
/// - Throws: what `MNIST.load` throws when `options.dataDirectory` is set and unreadable.
public func runTrainingBenchmark(
    _ options: TrainingBenchmarkOptions, progress: (String) -> Void
) throws -> TrainingBenchmarkResult {
    let mnist = try options.dataDirectory.map { try MNIST.load(directory: $0) }
    var result = TrainingBenchmarkResult()
    let originalThreads = BLASRuntime.threadCount
    defer { BLASRuntime.setThreadCount(originalThreads) }

    func record(_ size: Int, threads: Int, _ rate: Double) {
        result.squareRates[threads, default: [:]][size] = max(result.squareRates[threads]?[size] ?? 0, rate)
    }
    func measurePeaks(_ when: String) {
        for threads in options.threads {
            BLASRuntime.setThreadCount(threads)
            for size in options.peakSizes {
                let rate = measureSGEMM(.square(size), repetitions: 6, minimumSeconds: 0.01)
                record(size, threads: threads, rate)
                progress(String(format: "peak (%@): sgemm %d³, %d thread(s): %.1f GFLOP/s", when, size, threads, rate))
            }
        }
    }

    measurePeaks("before")
    for setting in options.settings {
        let data = try mnist.map { try BenchData.mnist($0, setting: setting) } ?? BenchData.synthetic(setting: setting)
        var shapes: [GEMMShape] = []
        for n in Set(setting.batchRows).sorted(by: >) {
            for gemm in trainingStepGEMMs(setting.architecture, n: n) where !shapes.contains(gemm.shape) {
                shapes.append(gemm.shape)
            }
        }
        for threads in options.threads {
            BLASRuntime.setThreadCount(threads)
            // The layer shapes and the peak before the training rounds and between them, each
            // figure the best of all: they sample the same stretch of machine time.
            func measureShapesAndPeak() {
                for shape in shapes {
                    let rate = measureSGEMM(shape, repetitions: 20, minimumSeconds: 0.002)
                    let old = result.shapeRates[setting.key]?[threads]?[shape] ?? 0
                    result.shapeRates[setting.key, default: [:]][threads, default: [:]][shape] = max(old, rate)
                }
                for size in options.peakSizes {
                    // Single calls (each 0.05–0.35 s): the best of several catches a quiet moment.
                    record(size, threads: threads, measureSGEMM(.square(size), repetitions: 4, minimumSeconds: 0.01))
                }
            }
            measureShapesAndPeak()
            let epochs = options.epochsPerRepetition(setting)
            let measurement = measureTraining(
                setting, data: data, threads: threads, repetitions: options.repetitions, epochsPerRepetition: epochs,
                warmupEpochs: max(1, epochs / 10), between: measureShapesAndPeak)
            var measurements = [measurement]
            if options.pathSGD {
                measurements.append(measureTraining(
                    setting, data: data, threads: threads, repetitions: options.repetitions,
                    epochsPerRepetition: epochs, warmupEpochs: max(1, epochs / 10), optimizer: TrainingSetting.pathSGD,
                    between: measureShapesAndPeak))
            }
            for measurement in measurements {
                result.training.append(measurement)
                progress(String(
                    format: "(%@) %@, %@, %d thread(s): %.4f s/epoch (fastest whole epoch %.4f s), %.1f GFLOP/s, outside GEMM %.1f%%, loss %.3f",
                    setting.key, setting.architecture.description, measurement.optimizerName, threads,
                    measurement.epochSeconds, measurement.wallEpochSeconds, measurement.gflops,
                    100 * measurement.outsideGEMMShare, measurement.lastEpochLoss))
            }
        }
    }
    measurePeaks("after")
    return result
}
