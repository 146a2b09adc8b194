import ArgumentParser
import Config
import Runner
import Foundation

/// `geodim keys [--markdown]`: every config key with its allowed values, default and meaning.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List every config key with its allowed values, default and meaning.",
        discussion: "From the key table the decoder uses; --markdown prints docs/config-keys.md.")

    @Flag(help: "Print the Markdown table of docs/config-keys.md.")
    var markdown = false

    func run() throws {
        if markdown {
            print(ExperimentConfig.keysMarkdown, terminator: "")
            return
        }
        let width = ExperimentConfig.schema.map(\.path.count).max() ?? 0
        for key in ExperimentConfig.schema {
            say((key.isSection ? key.path + ":" : key.path).padding(toLength: width + 1, withPad: " ", startingAt: 0)
                + "  " + key.summary)
        }
    }
}
