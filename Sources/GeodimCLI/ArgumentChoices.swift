import ArgumentParser
import Benchmarks
import Config
import Runner
import Foundation
import Geometry

// The domain enums are the command line's choices too, spelled as in the configs: an option
// typed with one of them lists its values in --help and rejects anything else with them.
extension OutputVariant: ExpressibleByArgument {}
extension BFDMethod: ExpressibleByArgument {}
extension RankRule: ExpressibleByArgument {}
extension GramSideChoice: ExpressibleByArgument {}
extension ExactMatrixChoice: ExpressibleByArgument {}
extension BenchBFDMethod: ExpressibleByArgument {}
extension ExperimentConfig.BFDInput: ExpressibleByArgument {}

/// A comma-separated list of choices, such as `--output logits,centred`.
struct ChoiceList<Choice: ExpressibleByArgument & CaseIterable & RawRepresentable>: ExpressibleByArgument
where Choice.RawValue == String {
    /// The choices, in the order given.
    var values: [Choice]

    init(_ values: [Choice]) { self.values = values }

    init?(argument: String) {
        var values: [Choice] = []
        for item in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Choice(rawValue: item.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(value)
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }

    var defaultValueDescription: String { values.map(\.rawValue).joined(separator: ",") }

    static var allValueStrings: [String] { Choice.allCases.map(\.rawValue) }
}

/// The options that steer a run's process, shared by `train`, `resume` and `sweep --index`.
struct RunControlOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Stop (resumably, status interrupted, exit 0) once N ≥ 1 steps of the run are done.")
    var stopAtStep: Int?

    @Flag(name: .long, help: "Start even when the estimated peak memory exceeds this machine's (a warning instead of a refusal; docs/runner.md).")
    var ignoreMemoryCheck = false

    func validate() throws {
        if let stopAtStep, stopAtStep < 1 {
            throw ValidationError("--stop-at-step: \(stopAtStep) is not a step count ≥ 1 (hint: --stop-at-step 100)")
        }
    }

    /// This process's invocation with these options applied.
    var invocation: RunInvocation {
        var invocation = RunInvocation.current
        invocation.stopAtStep = stopAtStep
        invocation.ignoreMemoryCheck = ignoreMemoryCheck
        return invocation
    }
}
