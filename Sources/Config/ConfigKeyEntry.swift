import Yams

/// How one kind of config value is read from YAML, written back and described.
struct ConfigValueType<Value> {
    /// What an error says was expected, e.g. "an integer".
    let expected: String
    /// The value of a node, or nil when the node is not of this type.
    let read: (Node) -> Value?
    /// The value as YAML flow text, as the resolved config writes it.
    let write: (Value) -> String
}

extension ConfigValueType where Value == Int {
    static var integer: ConfigValueType {
        ConfigValueType(expected: "an integer", read: ConfigYAMLText.int, write: { String($0) })
    }
}

extension ConfigValueType where Value == UInt64 {
    static var unsignedInteger: ConfigValueType {
        ConfigValueType(
            expected: "an integer >= 0", read: ConfigYAMLText.uint64, write: { String($0) })
    }
}

extension ConfigValueType where Value == Double {
    static var number: ConfigValueType {
        ConfigValueType(expected: "a number", read: ConfigYAMLText.double, write: ConfigYAMLText.written)
    }
}

extension ConfigValueType where Value == Bool {
    static var boolean: ConfigValueType {
        ConfigValueType(
            expected: "true or false", read: ConfigYAMLText.bool, write: { $0 ? "true" : "false" })
    }
}

extension ConfigValueType where Value == String {
    static var string: ConfigValueType {
        ConfigValueType(expected: "a string", read: ConfigYAMLText.string, write: ConfigYAMLText.written)
    }
}

extension ConfigValueType where Value == [Int] {
    static var integers: ConfigValueType {
        ConfigValueType(
            expected: "a list of integers", read: { ConfigYAMLText.list($0, ConfigYAMLText.int) },
            write: { "[" + $0.map(String.init).joined(separator: ", ") + "]" })
    }
}

extension ConfigValueType where Value == [Double] {
    static var numbers: ConfigValueType {
        ConfigValueType(
            expected: "a list of numbers", read: { ConfigYAMLText.list($0, ConfigYAMLText.double) },
            write: { "[" + $0.map(ConfigYAMLText.written).joined(separator: ", ") + "]" })
    }
}

/// A range check of one key's value, as ``RangeCheck`` words it.
struct ValueCheck<Value> {
    let run: (Value, String, RangeCheck) throws(ConfigError) -> Void

    static func custom(_ run: @escaping (Value, String, RangeCheck) throws(ConfigError) -> Void) -> ValueCheck {
        ValueCheck(run: run)
    }
}

extension ValueCheck where Value == Int {
    static func atLeast(_ minimum: Int, hint: String? = nil) -> ValueCheck {
        .custom { value, key, check throws(ConfigError) in try check.that(value, atLeast: minimum, key, hint: hint) }
    }
    /// In `range`.
    static func within(_ range: ClosedRange<Int>) -> ValueCheck {
        .custom { value, key, check throws(ConfigError) in try check.that(value, in: range, key) }
    }
}

extension ValueCheck where Value == Double {
    /// Finite and > `minimum`.
    static func above(_ minimum: Double, hint: String? = nil) -> ValueCheck {
        .custom { value, key, check throws(ConfigError) in try check.that(value, above: minimum, key, hint: hint) }
    }
    /// Finite and >= `minimum`.
    static func atLeast(_ minimum: Double) -> ValueCheck {
        .custom { value, key, check throws(ConfigError) in try check.that(value, atLeast: minimum, key) }
    }
    /// Finite.
    static var finite: ValueCheck {
        .custom { value, key, check throws(ConfigError) in
            try check.that(value.isFinite, key, "must be finite, found \(ConfigYAMLText.short(value))")
        }
    }
    /// In [0, 1).
    static var halfOpenUnit: ValueCheck {
        .custom { value, key, check throws(ConfigError) in try check.that(value, inHalfOpenUnit: key) }
    }
}

extension ValueCheck where Value == String {
    static var nonEmpty: ValueCheck {
        .custom { value, key, check throws(ConfigError) in try check.that(!value.isEmpty, key, "must not be empty") }
    }
}

/// One key of the config, declared once in ``ExperimentConfig/keyTable``: everything the
/// decoder, the validator, the resolved-YAML writer, the schema and the resume check need.
struct ConfigKeyEntry {
    /// Path, section flag and one-line summary (type, default, meaning).
    let key: ConfigKey
    /// Whether a resumed run must keep the value (it fixes the network, its initialisation,
    /// the data and its order, or the log's layout).
    let fixedOnResume: Bool
    /// Reads the key's value (or its default) into the config.
    let decode: (ConfigReader, inout ExperimentConfig) throws(ConfigError) -> Void
    /// The value as YAML flow text, or nil when the key is left out of the resolved config.
    let encode: (ExperimentConfig) -> String?
    /// The key's own range check (checks that involve other keys are in Config+Validation).
    let check: (ExperimentConfig, RangeCheck) throws(ConfigError) -> Void

    var path: String { key.path }

    /// A section: a mapping of further keys.
    static func section(_ path: String, _ doc: String) -> ConfigKeyEntry {
        ConfigKeyEntry(
            key: ConfigKey(path: path, isSection: true, summary: doc), fixedOnResume: false,
            decode: { _, _ throws(ConfigError) in }, encode: { _ in nil }, check: { _, _ throws(ConfigError) in })
    }

    /// A key with a default.
    static func value<T>(
        _ path: String, _ property: WritableKeyPath<ExperimentConfig, T>, _ type: ConfigValueType<T>,
        default value: T, _ domain: String, _ doc: String, fixed: Bool = false, check: ValueCheck<T>? = nil
    ) -> ConfigKeyEntry {
        ConfigKeyEntry(
            key: ConfigKey(path: path, isSection: false, summary: "\(domain) (\(type.write(value))): \(doc)"),
            fixedOnResume: fixed,
            decode: { reader, config throws(ConfigError) in
                config[keyPath: property] = try reader.value(path, expected: type.expected, default: value, type.read)
            },
            encode: { type.write($0[keyPath: property]) },
            check: { config, range throws(ConfigError) in try check?.run(config[keyPath: property], path, range) })
    }

    /// A key that must be given; `hint` says what to write.
    static func required<T>(
        _ path: String, _ property: WritableKeyPath<ExperimentConfig, T>, _ type: ConfigValueType<T>,
        hint: String, _ domain: String, _ doc: String, fixed: Bool = false, check: ValueCheck<T>? = nil
    ) -> ConfigKeyEntry {
        ConfigKeyEntry(
            key: ConfigKey(path: path, isSection: false, summary: "\(domain), required: \(doc)"), fixedOnResume: fixed,
            decode: { reader, config throws(ConfigError) in
                config[keyPath: property] = try reader.required(path, expected: type.expected, hint: hint, type.read)
            },
            encode: { type.write($0[keyPath: property]) },
            check: { config, range throws(ConfigError) in try check?.run(config[keyPath: property], path, range) })
    }

    /// A key that also takes `null`. With `omittedWhenNull`, an unset value is left out of the
    /// resolved config (the two alternative forms of `checkpoints`); otherwise it is written `null`.
    static func nullable<T>(
        _ path: String, _ property: WritableKeyPath<ExperimentConfig, T?>, _ type: ConfigValueType<T>,
        default value: T?, _ domain: String, _ doc: String, fixed: Bool = false, omittedWhenNull: Bool = false,
        check: ValueCheck<T>? = nil
    ) -> ConfigKeyEntry {
        ConfigKeyEntry(
            key: ConfigKey(
                path: path, isSection: false,
                summary: omittedWhenNull ? "\(domain): \(doc)" : "\(domain) (\(value.map(type.write) ?? "null")): \(doc)"),
            fixedOnResume: fixed,
            decode: { reader, config throws(ConfigError) in
                config[keyPath: property] = try reader.nullable(path, expected: type.expected, default: value, type.read)
            },
            encode: { config in
                guard let set = config[keyPath: property] else { return omittedWhenNull ? nil : "null" }
                return type.write(set)
            },
            check: { config, range throws(ConfigError) in
                if let set = config[keyPath: property] { try check?.run(set, path, range) }
            })
    }

    /// A choice from a closed set, with a default (or required when `default` is nil).
    static func choice<E: ConfigChoice>(
        _ path: String, _ property: WritableKeyPath<ExperimentConfig, E>, default value: E?, _ doc: String,
        fixed: Bool = false
    ) -> ConfigKeyEntry {
        let spellings = E.allowedSpellings.joined(separator: " | ")
        return ConfigKeyEntry(
            key: ConfigKey(
                path: path, isSection: false,
                summary: "\(spellings) (\(value.map(\.rawValue) ?? "required")): \(doc)"),
            fixedOnResume: fixed,
            decode: { reader, config throws(ConfigError) in
                if let value {
                    config[keyPath: property] = try reader.choice(path, default: value)
                } else {
                    config[keyPath: property] = try reader.requiredChoice(path, as: E.self)
                }
            },
            encode: { $0[keyPath: property].rawValue },
            check: { _, _ throws(ConfigError) in })
    }

    /// A non-empty list of distinct choices from a closed set, with a default.
    static func choices<E: ConfigChoice>(
        _ path: String, _ property: WritableKeyPath<ExperimentConfig, [E]>, default value: [E], _ doc: String,
        fixed: Bool = false
    ) -> ConfigKeyEntry {
        let spellings = E.allowedSpellings.joined(separator: " | ")
        let defaultText = "[" + value.map(\.rawValue).joined(separator: ", ") + "]"
        return ConfigKeyEntry(
            key: ConfigKey(path: path, isSection: false, summary: "list of \(spellings) (\(defaultText)): \(doc)"),
            fixedOnResume: fixed,
            decode: { reader, config throws(ConfigError) in
                config[keyPath: property] = try reader.choices(path, default: value)
            },
            encode: { "[" + $0[keyPath: property].map(\.rawValue).joined(separator: ", ") + "]" },
            check: { config, range throws(ConfigError) in
                let items = config[keyPath: property]
                try range.that(
                    !items.isEmpty, path,
                    "must list at least one of \(E.allowedSpellings.joined(separator: ", "))")
                try range.noDuplicates(items.map(\.rawValue), path)
            })
    }
}
