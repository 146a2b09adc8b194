/// Failures of a run that are not config or data errors.
public enum ExperimentError: Error, CustomStringConvertible, Sendable {
    /// The run directory could not be created or already exists.
    case runDirectory(path: String, reason: String)
    /// Training produced a non-finite loss.
    case diverged(step: Int, epoch: Int, loss: Double)
    /// Two parts of geodim disagree about a name (a bug, not a user error).
    case internalMismatch(String)

    public var description: String {
        switch self {
        case .runDirectory(let path, let reason):
            return "\(path): cannot create the run directory: \(reason) (hint: check logging.runs_directory and its permissions)"
        case .diverged(let step, let epoch, let loss):
            let value = loss.isNaN ? "NaN" : String(loss)  // Swift prints a negative NaN as "-nan"
            return "training diverged at step \(step) (epoch \(epoch)): loss is \(value) (hint: lower optimizer.lr)"
        case .internalMismatch(let text):
            return "internal error: \(text)"
        }
    }
}
