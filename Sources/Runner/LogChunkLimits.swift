import Config
import Datasets
import Network

/// HDF5's limit on one chunk of a dataset, which the log's per-checkpoint rows must respect.
///
/// The log stores each checkpoint's layer weights (`/params/layerN/weight`, one chunk per
/// row) and spectra (`spectrum`, one row of min(m, P) doubles) as single chunks; HDF5
/// refuses a chunk of 2³² bytes or more ("chunk size must be < 4GB"), and then only after
/// the run directory exists. This check raises the same limit from the config, first.
public enum LogChunkLimits {
    /// HDF5's bound: a chunk must hold fewer than 2³² bytes (and elements).
    public static let maximumChunkBytes = 1 << 32

    /// Throws ``PreflightError/chunkTooLarge(key:value:problem:hint:override:)`` when a row
    /// of `/params` (with `logging.save_params`) or of a spectrum (with `bfd.spectrum`)
    /// would reach ``maximumChunkBytes``.
    public static func check(_ config: ExperimentConfig, overrides: [String] = []) throws(PreflightError) {
        let sizes = [config.inputSize] + config.model.hidden + [config.outputSize]
        if config.logging.saveParams {
            let stored = config.training.precision == .float32 ? 4 : 8
            let limit = maximumChunkBytes / stored
            for layer in 0..<(sizes.count - 1) {
                let weights = checkedProduct([sizes[layer], sizes[layer + 1], stored])
                guard let weights, weights < maximumChunkBytes else {
                    let bytes = weights.map(formatBytes) ?? "more than 8 EiB"
                    throw PreflightError.chunkTooLarge(
                        key: "logging.save_params", value: "true",
                        problem: "stores layer \(layer)'s weights (\(sizes[layer + 1]) × \(sizes[layer]) "
                            + "\(config.training.precision.rawValue), \(bytes)) as one HDF5 chunk per checkpoint, "
                            + "and HDF5 chunks must be under 4 GiB",
                        hint: "set logging.save_params=false, or keep every n_l·n_(l+1) below \(limit)",
                        override: PreflightError.override(setting: "logging.save_params", in: overrides)
                            ?? PreflightError.override(setting: "model.hidden", in: overrides))
                }
            }
        }
        if config.bfd.enabled, config.bfd.spectrum, config.bfd.method != .gramInertia,
           let parameters = MLPArchitecture.checkedParameterCount(layerSizes: sizes) {
            for set in RunMemoryEstimate.bfdSets(config) {
                let width = min(checkedProduct([set.count, config.outputSize]) ?? Int.max, parameters)
                guard let bytes = checkedProduct([width, 8]), bytes < maximumChunkBytes else {
                    let key = RunMemoryEstimate.samplesKey(set.source)
                    throw PreflightError.chunkTooLarge(
                        key: "bfd.spectrum", value: "true",
                        problem: "stores the \(set.source.rawValue) spectrum (min(n·d, P) = \(width) doubles) as one HDF5 "
                            + "chunk per checkpoint, and HDF5 chunks must be under 4 GiB",
                        hint: "set bfd.spectrum=false, or lower \(key)",
                        override: PreflightError.override(setting: "bfd.spectrum", in: overrides)
                            ?? PreflightError.override(setting: key, in: overrides))
                }
            }
        }
    }
}
