import Linalg
import Optimizers

/// Saving and restoring the engine's training state for bit-exact resume.
///
/// The state is the parameters and the optimizer's moments and step count; the gradient and
/// the workspaces are overwritten by every step, so they need not be kept.
extension TrainingEngine {
    /// The parameters and optimizer moments as raw bytes, and the optimizer's step count.
    var stateSnapshot: (parameters: [UInt8], firstMoment: [UInt8], secondMoment: [UInt8], optimizerStep: Int) {
        (ResumeState.bytes(parameters), ResumeState.bytes(optimizer.firstMoment),
         ResumeState.bytes(optimizer.secondMoment), optimizer.step)
    }

    /// Replaces the parameters and the optimizer state with those of `state`, which must have
    /// this engine's precision and sizes.
    func restore(from state: ResumeState, path: String) throws {
        func bad(_ reason: String) -> RunnerError { .badResumeState(path: path, reason: reason) }
        guard state.scalarBytes == MemoryLayout<S>.size else {
            throw bad("it holds \(state.scalarBytes * 8)-bit values but the run trains in \(MemoryLayout<S>.size * 8)-bit")
        }
        let parameters = ResumeState.values(state.parameters, as: S.self)
        let first = ResumeState.values(state.firstMoment, as: S.self)
        let second = ResumeState.values(state.secondMoment, as: S.self)
        guard parameters.count == self.parameters.count else {
            throw bad("it holds \(parameters.count) parameters but the network has \(self.parameters.count)")
        }
        guard first.count == optimizer.firstMoment.count, second.count == optimizer.secondMoment.count else {
            throw bad("its optimizer moments (\(first.count), \(second.count) values) do not fit the optimizer "
                      + "(\(optimizer.firstMoment.count), \(optimizer.secondMoment.count))")
        }
        self.parameters = parameters
        optimizer.firstMoment = first
        optimizer.secondMoment = second
        optimizer.step = state.optimizerStep
    }
}
