import Network

extension TrainingBenchmarkResult {
    /// The result as Markdown tables (peak, layer shapes, training, thread choice), ready
    /// for BENCHMARKS.md.
    public func markdown(options: TrainingBenchmarkOptions) -> [String] {
        var lines: [String] = []
        let threadList = options.threads
        func f1(_ x: Double) -> String { x.isFinite ? String(format: "%.1f", x) : "–" }
        func percent(_ x: Double) -> String { x.isFinite ? String(format: "%.0f%%", 100 * x) : "–" }
        func threadsHeader(_ prefix: String) -> String {
            prefix + threadList.map { " \($0) thread\($0 == 1 ? "" : "s") |" }.joined()
        }
        func rule(_ columns: Int) -> String { "|" + String(repeating: "---|", count: columns) }

        lines.append("sgemm peak, large square (GFLOP/s, best of every measurement in the run: before, between the training rounds, after):")
        lines.append("")
        lines.append(threadsHeader("| size |"))
        lines.append(rule(1 + threadList.count))
        for size in options.peakSizes {
            lines.append("| \(size)³ |" + threadList.map { " \(f1(squareRates[$0]?[size] ?? .nan)) |" }.joined())
        }
        lines.append("| **peak** |" + threadList.map { " **\(f1(peak(threads: $0)))** |" }.joined())
        lines.append("")

        lines.append("sgemm at the networks' own GEMM shapes, batch 256 (GFLOP/s; m×n×k, N/T = op of A, B):")
        lines.append("")
        lines.append(threadsHeader("| setting | GEMM | shape |"))
        lines.append(rule(3 + threadList.count))
        for setting in options.settings {
            for gemm in trainingStepGEMMs(setting.architecture, n: setting.batchSize) {
                let rates = threadList.map { " \(f1(shapeRates[setting.key]?[$0]?[gemm.shape] ?? .nan)) |" }
                lines.append("| (\(setting.key)) | \(gemm.role) | \(gemm.shape) |" + rates.joined())
            }
            let bounds = threadList.map { " \(f1(shapeBound(setting, threads: $0))) |" }
            lines.append("| (\(setting.key)) | **epoch at these rates** | all batches |" + bounds.joined())
        }
        lines.append("")

        lines.append(
            "Training, float32, plain SGD (lr \(TrainingSetting.optimizer.learningRate), fused into the backward GEMMs), batch 256; "
                + "per epoch: Σ over its batches of the fastest "
                + "step of that batch size (\(options.repetitions) round\(options.repetitions == 1 ? "" : "s")):")
        lines.append("")
        lines.append(
            "| setting | network | images | threads | s/epoch | samples/s | GFLOP/s | of peak | shape limit | "
                + "GEMM replay GFLOP/s | outside GEMM | of which gather | fastest whole epoch (s) | loss |")
        lines.append(rule(14))
        for m in training where m.optimizerName == "sgd" {
            let peak = self.peak(threads: m.threads)
            let format = m.epochSeconds < 0.1 ? "%.5f" : "%.3f"
            let cells = [
                "(\(m.setting.key))", m.setting.architecture.description,
                m.dataSource == "MNIST" ? m.setting.dataDescription : "\(m.setting.trainCount) (\(m.dataSource))",
                "\(m.threads)",
                String(format: format, m.epochSeconds),
                String(format: "%.0f", m.samplesPerSecond), f1(m.gflops), percent(m.gflops / peak),
                f1(shapeBound(m.setting, threads: m.threads)), f1(m.replayGFLOPS),
                String(format: "%.1f%%", 100 * m.outsideGEMMShare),
                String(format: "%.1f%%", 100 * m.gatherShare),
                String(format: format, m.wallEpochSeconds), String(format: "%.3f", m.lastEpochLoss),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        lines.append("")

        let pathRows = training.filter { $0.optimizerName == "path_sgd" }
        if !pathRows.isEmpty {
            lines.append(
                "Path-SGD (p = 2, lr \(TrainingSetting.pathSGD.learningRate), unfused: backward into the gradient, then κ "
                    + "from two O(P) passes and the scaled update) against plain SGD, float32, batch 256; time per step "
                    + "= s/epoch over the epoch's batches, measured as above:")
            lines.append("")
            lines.append("| setting | network | threads | SGD ms/step | Path-SGD ms/step | Path-SGD / SGD | Path-SGD outside GEMM | Path-SGD loss |")
            lines.append(rule(8))
            for path in pathRows {
                let sgd = training.first { $0.optimizerName == "sgd" && $0.setting.key == path.setting.key && $0.threads == path.threads }
                let sgdStep = sgd?.stepSeconds ?? .nan
                let cells = [
                    "(\(path.setting.key))", path.setting.architecture.description, "\(path.threads)",
                    String(format: "%.4f", 1000 * sgdStep), String(format: "%.4f", 1000 * path.stepSeconds),
                    String(format: "%.2f×", path.stepSeconds / sgdStep),
                    String(format: "%.1f%%", 100 * path.outsideGEMMShare), String(format: "%.3f", path.lastEpochLoss),
                ]
                lines.append("| " + cells.joined(separator: " | ") + " |")
            }
            lines.append("")
        }

        if threadList.count > 1 {
            lines.append("Fastest thread count per setting (time per epoch):")
            lines.append("")
            for setting in options.settings {
                let runs = training.filter { $0.setting.key == setting.key && $0.optimizerName == "sgd" }
                guard let best = runs.min(by: { $0.epochSeconds < $1.epochSeconds }) else { continue }
                let others = runs.filter { $0.threads != best.threads }.map {
                    String(format: "%d thread(s) %.2f× slower", $0.threads, $0.epochSeconds / best.epochSeconds)
                }
                lines.append("- (\(setting.key)) \(setting.architecture.description): \(best.threads) thread(s); "
                             + others.joined(separator: ", "))
            }
        }
        return lines
    }
}
