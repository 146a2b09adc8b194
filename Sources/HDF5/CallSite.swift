import CHDF5

// Every call into the C library goes through `CallSite.call`, which
//  1. turns off HDF5's automatic printing of its error stack to stderr. The build is
//     thread-safe, and there the setting lives in a per-thread error stack, so a process-wide
//     "once" is not enough: it is set again before each call (a cheap library call);
//  2. treats a negative hid_t / herr_t / htri_t / ssize_t as failure and throws an
//     `HDF5Error.library` carrying the file, the object, the operation and the messages found
//     on HDF5's error stack — or `HDF5Error.noSpace` when a write on that stack failed for
//     lack of space (ENOSPC, or EDQUOT for a quota).

/// Where a call into HDF5 happens: the file, the object inside it and what is being done.
struct CallSite {
    let file: String
    let object: String
    let operation: String

    /// Runs one C call and checks its result: negative means failure.
    @discardableResult
    func call<R: BinaryInteger>(_ function: String, _ body: () -> R) throws -> R {
        silenceErrorPrinting()
        let result = body()
        if result < 0 {
            let stack = ErrorStack.read(function: function)
            if stack.outOfSpace {
                throw HDF5Error.noSpace(file: file, object: object, operation: operation, needed: nil, available: nil)
            }
            throw HDF5Error.library(file: file, object: object, operation: operation, message: stack.message)
        }
        return result
    }

    func invalid(_ reason: String) -> HDF5Error {
        .invalidArgument(file: file, object: object, operation: operation, reason: reason)
    }

    func notFound(_ object: String) -> HDF5Error {
        .objectNotFound(file: file, object: object, operation: operation)
    }

    func exists(_ object: String) -> HDF5Error {
        .objectExists(file: file, object: object, operation: operation)
    }

    func mismatch(expected: String, found: String) -> HDF5Error {
        .typeMismatch(file: file, object: object, operation: operation, expected: expected, found: found)
    }

    func closed() -> HDF5Error {
        .closed(file: file, object: object, operation: operation)
    }
}

/// Stops HDF5 printing its error stack on the calling thread (errors are thrown instead).
func silenceErrorPrinting() {
    _ = libraryOptions
    _ = H5Eset_auto2(geodim_H5E_DEFAULT(), nil, nil)
}

/// Set once, before the first call initialises HDF5 (every call goes through
/// `silenceErrorPrinting()` first): no clean-up handler at process exit. Files are always
/// closed explicitly; the handler would only close what a failed H5Fclose (a full disk) left
/// registered, and HDF5 1.10 then dereferences the freed file and crashes (SIGSEGV in
/// H5F__close_cb) after the error was already reported.
private let libraryOptions: Void = {
    _ = H5dont_atexit()
}()

/// Closes a temporary identifier (dataspace, datatype, property list, attribute). Failing to
/// close one of these leaks a little memory and nothing else, so the result is not thrown.
func closeTemporary(_ id: hid_t) {
    guard id >= 0 else { return }
    switch H5Iget_type(id) {
    case H5I_DATASPACE: _ = H5Sclose(id)
    case H5I_DATATYPE: _ = H5Tclose(id)
    case H5I_GENPROP_LST: _ = H5Pclose(id)
    case H5I_ATTR: _ = H5Aclose(id)
    default: _ = H5Idec_ref(id)
    }
}

/// Reads the current thread's HDF5 error stack.
enum ErrorStack {
    private final class Entries {
        var items: [(function: String, description: String)] = []
    }

    /// `errno = 28,` (ENOSPC) or `errno = 122,` (EDQUOT) as HDF5's file drivers write them
    /// into the description of a failed write (the Linux numbers, which geodim runs on).
    private static let outOfSpaceMarks = ["errno = 28,", "errno = 122,"]

    /// The stack as one line (``message(function:)``), and whether a write on it failed for
    /// lack of space.
    static func read(function: String) -> (message: String, outOfSpace: Bool) {
        let entries = walk()
        let outOfSpace = (entries ?? []).contains { entry in outOfSpaceMarks.contains { entry.description.contains($0) } }
        return (message(function: function, entries), outOfSpace)
    }

    /// One line: the failing API function, the outermost description and the innermost one
    /// (the most specific, e.g. "file signature not found") when they differ. Line breaks in
    /// HDF5's texts (its driver errors embed a `ctime` date) become spaces.
    static func message(function: String) -> String {
        message(function: function, walk())
    }

    private static func message(function: String, _ entries: [(function: String, description: String)]?) -> String {
        let descriptions = (entries ?? []).map(\.description).filter { !$0.isEmpty }
            .map { String($0.map { $0.isNewline ? " " : $0 }) }
        guard let outer = descriptions.first, let inner = descriptions.last else {
            return "\(function) failed (no details on the HDF5 error stack)"
        }
        return outer == inner ? "\(function): \(outer)" : "\(function): \(outer): \(inner)"
    }

    /// The entries of the calling thread's error stack, outermost first; nil if it cannot be
    /// walked.
    private static func walk() -> [(function: String, description: String)]? {
        let entries = Entries()
        let walked = withExtendedLifetime(entries) {
            H5Ewalk2(
                geodim_H5E_DEFAULT(), H5E_WALK_DOWNWARD,
                { _, error, clientData in
                    guard let error, let clientData else { return 0 }
                    let entries = Unmanaged<Entries>.fromOpaque(clientData).takeUnretainedValue()
                    let function = error.pointee.func_name.map { String(cString: $0) } ?? ""
                    let description = error.pointee.desc.map { String(cString: $0) } ?? ""
                    entries.items.append((function, description))
                    return 0
                },
                Unmanaged.passUnretained(entries).toOpaque())
        }
        return walked >= 0 ? entries.items : nil
    }
}
