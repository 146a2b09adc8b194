/// The BLAS thread count that trains this network fastest on a small machine, by the rule
/// `geodim bench train` measured (BENCHMARKS.md, "Training"): OpenBLAS's second thread pays
/// once a step's largest GEMM is big enough to split, and costs time below that (thin
/// layers are slower on two threads than on one).
extension MLPArchitecture {
    /// The largest m·n·k among the GEMMs of a training step on `batchSize` rows:
    /// batch × the largest n_l · n_(l+1); `Int.max` when that product does not fit (it only
    /// picks a thread count, so saturating is enough).
    public func largestGEMMVolume(batchSize: Int) -> Int {
        (0..<layerCount).map { checkedProduct([batchSize, fanIn($0), fanOut($0)]) ?? Int.max }.max() ?? 0
    }

    /// 1 when the step's largest GEMM is below `threshold` (m·n·k), else `cpuCount`.
    ///
    /// The default threshold, 2²⁴ ≈ 1.7·10⁷, puts 784-30-30-30-10 (largest GEMM at batch
    /// 256: 6.0·10⁶, one thread and two equally fast) on one thread, and 784-256-256-10
    /// (5.1·10⁷, 1.5× faster on two) and 784-1024-1024-10 (2.7·10⁸, 1.8× faster on two) on
    /// all cores. On a machine shared with other busy processes one thread is the safer
    /// choice: OpenBLAS's threads then wait for each other.
    public func recommendedBLASThreads(batchSize: Int, cpuCount: Int, threshold: Int = 1 << 24) -> Int {
        largestGEMMVolume(batchSize: batchSize) < threshold ? 1 : max(1, cpuCount)
    }
}
