/// Why a run could not be resumed, saved, locked or swept. Each description is one line:
/// what, where, and a hint where there is something useful to say.
public enum RunnerError: Error, CustomStringConvertible, Sendable {
    /// `path` is not a run directory geodim can resume.
    case notARunDirectory(path: String, reason: String)
    /// The resume state file is unreadable, damaged, or does not fit the run.
    case badResumeState(path: String, reason: String)
    /// The resume state could not be written.
    case cannotSaveState(path: String, reason: String)
    /// The config a resume would use differs from the run's.
    case configChanged(directory: String, differences: [String], forceable: Bool)
    /// A completed run with nothing left to train.
    case nothingToResume(directory: String, epochs: Int, completedEpochs: Int)
    /// The run diverged, and resuming it unchanged would diverge again at the same step.
    case diverged(directory: String)
    /// Another process holds the run directory.
    case runDirectoryBusy(path: String)
    /// Interrupted before a run directory existed: nothing was written.
    case interruptedBeforeStart

    public var description: String {
        switch self {
        case .notARunDirectory(let path, let reason):
            return "\(path): not a resumable run directory: \(reason) (hint: give the directory geodim train printed as `run dir`)"
        case .badResumeState(let path, let reason):
            return "\(path): cannot use the resume state: \(reason)"
        case .cannotSaveState(let path, let reason):
            return "\(path): cannot save the resume state: \(reason) (hint: check the disk space and permissions of the run directory)"
        case .configChanged(let directory, let differences, let forceable):
            let hint = forceable
                ? "undo the change, or add --force to continue with the new values"
                : "these keys fix the network, the data or the log layout; start a new run instead"
            return "\(directory): the config differs from the run's at "
                + differences.joined(separator: ", ")
                + (forceable ? "" : " (cannot be changed on resume, even with --force)")
                + " (hint: \(hint))"
        case .nothingToResume(let directory, let epochs, let completedEpochs) where completedEpochs < epochs:
            return "\(directory): the run already completed: it stopped early after epoch \(completedEpochs) of \(epochs) at training.stop_at_train_accuracy; nothing to resume (hint: to train on, resume with training.stop_at_train_accuracy=null --force)"
        case .nothingToResume(let directory, let epochs, _):
            return "\(directory): the run already completed all \(epochs) epochs; nothing to resume (hint: to train longer, resume with training.epochs=N --force)"
        case .diverged(let directory):
            return "\(directory): the run diverged; resuming it unchanged diverges again at the same step (hint: resume with a smaller learning rate, e.g. optimizer.lr=0.01 --force)"
        case .runDirectoryBusy(let path):
            return "\(path): another geodim process is using this run directory (hint: wait for it to finish, or stop it first)"
        case .interruptedBeforeStart:
            return "interrupted before the run started; nothing was written"
        }
    }
}
