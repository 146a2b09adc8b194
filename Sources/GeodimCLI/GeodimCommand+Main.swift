import ArgumentParser
import Foundation

extension GeodimCommand {
    /// Parses the command line and runs the command, like `main()`, but reports a usage error
    /// (an unknown option, a missing or malformed value, a failed validation) as one line on
    /// stderr, `geodim: error: <what> (hint: geodim <command> --help)`, with exit status 64,
    /// instead of ArgumentParser's message, help line and usage block. `--help`, `--version`
    /// and the commands' own exit codes are as `main()` gives them.
    public static func mainReportingOneLine(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Self.exit()
        } catch let code as ExitCode {
            Self.exit(withError: code)  // a command already said what went wrong
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { Self.exit(withError: error) }  // help, version
            let subcommand = configuration.subcommands
                .compactMap { $0.configuration.commandName }
                .first { arguments.first == $0 }
            let hint = ["geodim", subcommand, "--help"].compactMap { $0 }.joined(separator: " ")
            let message = message(for: error)
                .split(whereSeparator: \.isNewline).map(String.init).first ?? "invalid command line"
            let trimmed = message.hasPrefix("Error: ") ? String(message.dropFirst("Error: ".count)) : message
            let line = trimmed.contains("(hint: ") ? trimmed : trimmed + " (hint: \(hint))"
            FileHandle.standardError.write(Data("geodim: error: \(line)\n".utf8))
            Foundation.exit(GeodimExit.usage.rawValue)
        }
    }
}
