import Foundation
import Testing
import TestSupport

import Config

/// The config decoder against hostile text: nesting bounds checked against documents of known
/// depth, and a seeded random-mutation fuzz loop over the shipped configs, their overrides and
/// a sweep file. Every input must parse or fail with one ``ConfigError``-style line; a crash
/// (the stack overflow deep YAML used to cause) kills the test process and fails the suite.
@Suite("config decoder: nesting bounds and fuzzing")
struct ConfigFuzzTests {
    /// A random YAML document whose collections nest exactly `depth` deep, written in a random
    /// mix of block and flow styles, with comments and quoted scalars holding brackets and `#`.
    static func document(depth: Int, random: inout TestRandom) -> String {
        // The innermost value, then wrap it depth times; block forms are indented afterwards.
        func scalar() -> String {
            ["1", "x", "'a [b] # c'", "\"q {r} \\\" s\"", "0.5", "null", "'it''s'"][Int(random.next() % 7)]
        }
        func flow(_ level: Int) -> String {
            if level == 0 { return scalar() }
            return random.next() % 2 == 0 ? "[" + flow(level - 1) + ", " + scalar() + "]" : "{k: " + flow(level - 1) + "}"
        }
        func block(_ level: Int, indent: Int) -> [String] {
            let pad = String(repeating: " ", count: indent)
            if level == 0 { return [pad + scalar()] }
            // Switch to flow style for the rest, sometimes.
            if level <= 3 && random.next() % 3 == 0 { return [pad + flow(level)] }
            let comment = random.next() % 4 == 0 ? "   # a comment with [brackets] {and} - dashes" : ""
            if random.next() % 2 == 0 {
                let inner = block(level - 1, indent: indent + 2)
                return [pad + "key\(level):" + comment] + inner
            } else {
                let inner = block(level - 1, indent: indent + 2)
                let first = pad + "- " + inner[0].drop { $0 == " " }
                return [first + comment] + inner.dropFirst()
            }
        }
        return "top:\n" + block(depth - 1, indent: 2).joined(separator: "\n") + "\n"
    }

    @Test("documents up to 40 deep are never refused for nesting; 70 and more always are")
    func nestingBoundMatchesKnownDepths() throws {
        var random = TestRandom(seed: 2026_12_02)
        for trial in 0..<400 {
            let depth = trial % 2 == 0 ? Int(random.next() % 40) + 1 : Int(random.next() % 400) + 70
            let text = Self.document(depth: depth, random: &random)
            var refusedForNesting = false
            do {
                _ = try ExperimentConfig.parse(yaml: text, source: "fuzz.yaml")
            } catch {
                refusedForNesting = error.description.contains("nested more than")
            }
            #expect(refusedForNesting == (depth >= 70), "depth \(depth), trial \(trial):\n\(text.prefix(600))")
        }
    }

    /// The mutations: byte flips, deletions, duplications, and insertions of YAML's syntax,
    /// occasionally repeated thousands of times.
    static func mutate(_ bytes: [UInt8], random: inout TestRandom) -> [UInt8] {
        let tokens = [
            "[", "]", "{", "}", ":", ": ", "- ", "? ", ",", "&a ", "*a", "!!binary ", "!!python/object ", "\"", "'",
            "# ", "\n", "\t", "|", ">", "%YAML 1.2\n", "---\n", "...\n", "1e400", "-0", ".nan", ".inf", "0x1F",
            "é", "\u{0}", "\u{FEFF}", "9223372036854775808", "-9223372036854775809", "<<: *a\n", "~", "\r\n",
        ].map { Array($0.utf8) }
        var text = bytes
        for _ in 0..<(1 + Int(random.next() % 4)) {
            let position = text.isEmpty ? 0 : Int(random.next() % UInt64(text.count + 1))
            switch random.next() % 6 {
            case 0 where !text.isEmpty:
                text[min(position, text.count - 1)] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
            case 1 where !text.isEmpty:
                let end = min(text.count, position + Int(random.next() % 40))
                text.removeSubrange(position..<end)
            case 2 where !text.isEmpty:
                let end = min(text.count, position + Int(random.next() % 80))
                text.insert(contentsOf: text[position..<end], at: position)
            case 3:
                let token = tokens[Int(random.next() % UInt64(tokens.count))]
                let count = random.next() % 20 == 0 ? 100 + Int(random.next() % 5000) : 1
                text.insert(contentsOf: Array([[UInt8]](repeating: token, count: count).joined()), at: position)
            default:
                let token = tokens[Int(random.next() % UInt64(tokens.count))]
                text.insert(contentsOf: token, at: position)
            }
        }
        return text
    }

    /// The failure contract: one line naming the source.
    private static func expectOneLine(_ error: any Error, source: String, input: String) {
        let line = String(describing: error)
        #expect(!line.contains("\n") && line.hasPrefix(source) && line.count <= 1600,
                "\(line.prefix(500))\n--- input:\n\(input.prefix(400))")
    }

    /// Mutants of the shipped configs (each also with overrides), and of the sweep demo.
    @Test("5,000 mutants of the shipped configs, their overrides and a sweep parse or fail with one line")
    func mutatedConfigsNeverCrash() throws {
        let root = packageRoot().path
        let seeds = ["quick.yaml", "paper-mnist.yaml", "reproduce/width.yaml", "reproduce/input-noise.yaml"]
            .map { (try? String(contentsOfFile: root + "/configs/" + $0, encoding: .utf8)) ?? "" }
        let sweep = try String(contentsOfFile: root + "/configs/sweep-demo.yaml", encoding: .utf8)
        #expect(seeds.allSatisfy { !$0.isEmpty })
        var random = TestRandom(seed: 15)
        var parsed = 0
        var refused = 0
        let overrideSeeds = ["model.hidden=[10, 10]", "optimizer.lr=0.05", "checkpoints={every: 10}", "bfd.train_samples=null"]
        for trial in 0..<5000 {
            let source = "mutant-\(trial).yaml"
            switch trial % 5 {
            case 0, 1, 2:
                let text = String(decoding: Self.mutate(Array(seeds[trial % seeds.count].utf8), random: &random), as: UTF8.self)
                do {
                    _ = try ExperimentConfig.parse(yaml: text, source: source)
                    parsed += 1
                } catch {
                    refused += 1
                    Self.expectOneLine(error, source: source, input: text)
                }
            case 3:
                let override = String(decoding: Self.mutate(Array(overrideSeeds[trial % overrideSeeds.count].utf8), random: &random), as: UTF8.self)
                do {
                    _ = try ExperimentConfig.parse(yaml: seeds[0], source: source, overrides: [override])
                    parsed += 1
                } catch {
                    refused += 1
                    Self.expectOneLine(error, source: source, input: override)
                }
            default:
                let text = String(decoding: Self.mutate(Array(sweep.utf8), random: &random), as: UTF8.self)
                do {
                    _ = try SweepPlan.parse(yaml: text, source: source, overrides: [])
                    parsed += 1
                } catch {
                    refused += 1
                    Self.expectOneLine(error, source: source, input: text)
                }
            }
        }
        // Both outcomes occur: the mutations are neither all harmless nor all fatal.
        #expect(parsed > 100 && refused > 1000, "parsed \(parsed), refused \(refused)")
        print("config fuzz: 5000 inputs, \(parsed) parsed, \(refused) refused with one line, 0 crashes")
    }
}
