/// A sweep config that cannot be run: its `sweep:` grid, a point of it, or the sweep's directory.
public struct SweepError: Error, CustomStringConvertible, Sendable {
    /// The sweep config's file name.
    public let source: String
    /// What is wrong, naming the key or value.
    public let problem: String
    /// How to fix it, if there is a short answer.
    public let hint: String?

    public init(source: String, problem: String, hint: String?) {
        self.source = source
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        let line = "\(source): sweep: \(ConfigError.abbreviated(problem, to: 800))"
            + (hint.map { " (hint: \(ConfigError.abbreviated($0, to: 400)))" } ?? "")
        return String(line.map { $0.isNewline ? " " : $0 })
    }
}
