/// Comparing two configs key by key (for example a run's stored config with the one a resume
/// would use).
extension ExperimentConfig {
    /// The dotted keys whose values differ between this config and `other`, in schema order.
    ///
    /// Values are compared as ``resolvedValues`` writes them, so `-0.0` and `0.0` differ and
    /// a key of `checkpoints` differs when one config uses `epochs` and the other `every`
    /// (both keys are listed then), even if they resolve to the same epochs.
    public func differences(from other: ExperimentConfig) -> [String] {
        let mine = Dictionary(resolvedValues, uniquingKeysWith: { first, _ in first })
        let theirs = Dictionary(other.resolvedValues, uniquingKeysWith: { first, _ in first })
        return ExperimentConfig.leafKeys.filter { mine[$0] != theirs[$0] }
    }
}
