import Foundation

/// SIGINT, SIGTERM and SIGHUP, turned into a flag the training loop polls between steps.
///
/// The first signal only sets the flag and prints one line; the loop then finishes the step
/// (or the checkpoint) it is in, saves the resume state, marks the log `interrupted`, closes
/// it and exits with 130. A second signal exits at once (`_exit(130)`): the log and the
/// resume state are then what the last checkpoint left, as after `kill -9`.
///
/// SIGHUP (a dropped ssh session) is handled like SIGTERM, so the work since the last
/// checkpoint is saved. SIGQUIT (Ctrl-\) means "quit now": one line, then `_exit(131)`, with
/// the log and resume state as the last checkpoint left them (no backtrace, no core). SIGPIPE
/// is ignored, so output to a closed pipe or terminal fails quietly instead of killing the run
/// before it can save.
///
/// The handler is a plain C function that touches only memory allocated before it was
/// installed and calls only async-signal-safe functions (`write`, `_exit`).
public enum Interrupts {
    /// Installs the handlers (once per process; later calls do nothing).
    public static func install() {
        prepare()
        guard state.pointee.installed == 0 else { return }
        state.pointee.installed = 1
        _ = signal(SIGINT, interruptHandler)
        _ = signal(SIGTERM, interruptHandler)
        _ = signal(SIGHUP, interruptHandler)
        _ = signal(SIGQUIT, quitHandler)
        _ = signal(SIGPIPE, SIG_IGN)
        // A parent may have started us with these signals blocked (children inherit the mask
        // of the thread that spawned them, and libdispatch's threads block them): unblock
        // them here, on the main thread, so they are delivered.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        sigaddset(&set, SIGQUIT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Whether a SIGINT, SIGTERM or SIGHUP has arrived.
    public static var requested: Bool { state.pointee.count > 0 }

    /// The name of the first signal that arrived ("SIGINT", "SIGTERM" or "SIGHUP"), or nil.
    public static var signalName: String? {
        switch state.pointee.first {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return nil
        }
    }
}

/// The handler's memory: allocated once, before any handler is installed.
private struct InterruptState {
    var installed: Int32 = 0
    var count: Int32 = 0
    var first: Int32 = 0
}

nonisolated(unsafe) private let state: UnsafeMutablePointer<InterruptState> = {
    let pointer = UnsafeMutablePointer<InterruptState>.allocate(capacity: 1)
    pointer.initialize(to: InterruptState())
    return pointer
}()

nonisolated(unsafe) private let notice: (UnsafeMutablePointer<UInt8>, Int) = {
    let text = Array("\ngeodim: interrupt received: finishing the current step, then saving and closing the log (interrupt again to stop at once)\n".utf8)
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: text.count)
    buffer.initialize(from: text, count: text.count)
    return (buffer, text.count)
}()

nonisolated(unsafe) private let quitNotice: (UnsafeMutablePointer<UInt8>, Int) = {
    let text = Array("\ngeodim: SIGQUIT: stopping at once; the log and resume state are those of the last checkpoint (geodim resume continues from there)\n".utf8)
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: text.count)
    buffer.initialize(from: text, count: text.count)
    return (buffer, text.count)
}()

private let quitHandler: @convention(c) (Int32) -> Void = { _ in
    _ = write(STDERR_FILENO, quitNotice.0, quitNotice.1)
    _exit(131)
}

private let interruptHandler: @convention(c) (Int32) -> Void = { signal in
    let pointer = state
    pointer.pointee.count += 1
    if pointer.pointee.count > 1 { _exit(130) }
    pointer.pointee.first = signal
    _ = write(STDERR_FILENO, notice.0, notice.1)
}

extension Interrupts {
    /// Touches the handler's globals so their lazy initialisation never happens inside the
    /// handler.
    static func prepare() {
        _ = state
        _ = notice
        _ = quitNotice
    }
}
