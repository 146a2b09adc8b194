import Linalg

extension MLPWorkspace {
    /// Issues exactly the GEMMs `gemms` lists, on the buffers a step on `gemms.rows` rows of
    /// ``batchInputs`` uses, and nothing else: the list the step itself executes (for a
    /// training step, `OptimizerSettings.stepGEMMs`), so the same shapes, transposes, leading
    /// dimensions, scalars and buffers, in the same order. For benchmarks: what a step takes
    /// beyond this replay is its time outside GEMM.
    ///
    /// The weight GEMMs land in `gradient` at the weights' offsets, whatever their α and β:
    /// a step that folds its update into them writes onto the parameters, which the replay
    /// never writes. Leaves meaningless values in the workspace's buffers and in `gradient`
    /// (the next step overwrites or ignores all of them). Returns the number of
    /// floating-point operations issued, 2·m·n·k per GEMM.
    @discardableResult
    public func replayGEMMs(
        _ gemms: StepGEMMs<S>, parameters: UnsafePointer<S>, gradient: UnsafeMutablePointer<S>
    ) -> Int {
        precondition(gemms.architecture == architecture && gemms.rows <= capacity)
        let buffers = StepBuffers(
            architecture: architecture, parameters: parameters, inputs: batchInputs, outputs: outputs,
            hiddenGradients: scratch, dlogits: dlogits, weightGradients: gradient)
        var flops = 0
        for step in gemms {
            buffers.run(step)
            flops += step.gemm.flops
        }
        return flops
    }
}
