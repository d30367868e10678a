import Foundation
import Yams

/// Collects the violations found while reading the catalog.
final class ViolationLog {
    private(set) var items: [Violation] = []

    func add(_ violation: Violation) {
        items.append(violation)
    }
}

/// One YAML mapping of a catalog file, read key by key. Every problem (a wrong type, a missing
/// or unknown key) becomes a violation with the file and line, and reading goes on, so that one
/// run reports every problem of the catalog.
struct YAMLMapping {
    let mapping: Node.Mapping
    let location: SourceLocation
    /// What this mapping is, for messages ("connector", "cluster 'ingest'").
    let context: String
    let log: ViolationLog

    /// Parses a whole file whose top level must be a mapping; nil (with a violation) otherwise.
    static func parseFile(_ text: String, path: String, context: String, log: ViolationLog) -> YAMLMapping? {
        let location = SourceLocation(file: path)
        let node: Node?
        do {
            // Every scalar is read as text (Switchboard does its own null and number checks), so
            // no implicit tag resolution; and a fixed encoding, because Yams' default reads the
            // process environment on every parse. Both were most of the time of loading a catalog.
            node = try Yams.compose(yaml: text, .basic, .default, .utf8)
        } catch let error as YamlError {
            let (line, problem) = describe(error)
            log.add(Violation(.yamlSyntax, at: location.at(line: line), "The file is not valid YAML: \(problem).", fix: "Correct the YAML syntax at that line (check indentation, quotes and colons)."))
            return nil
        } catch {
            log.add(Violation(.yamlSyntax, at: location, "The file is not valid YAML: \(error).", fix: "Correct the YAML syntax."))
            return nil
        }
        guard let node else {
            log.add(Violation(.yamlSyntax, at: location, "The file is empty.", fix: "Describe the \(context) in it, or delete the file."))
            return nil
        }
        guard let mapping = node.mapping else {
            log.add(Violation(.yamlSyntax, at: location.at(line: node.mark?.line), "The top level must be a mapping of keys to values.", fix: "Write the \(context) as `key: value` lines."))
            return nil
        }
        return YAMLMapping(mapping: mapping, location: location.at(line: mapping.mark?.line ?? 1), context: context, log: log)
    }

    /// The line and problem of a Yams error.
    static func describe(_ error: YamlError) -> (Int?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            // The context names where the construct began (an unclosed `[` on an earlier line).
            let detail = context.map { "\(problem) (\($0.text) that starts at line \($0.mark.line))" } ?? problem
            return (mark.line, detail)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        default:
            return (nil, "\(error)")
        }
    }

    // MARK: keys

    private func entry(_ key: String) -> (key: Node, value: Node)? {
        mapping.first { $0.key.string == key }
    }

    func has(_ key: String) -> Bool { entry(key) != nil }

    /// The line of a key, or of the mapping.
    func line(of key: String) -> Int? {
        entry(key)?.key.mark?.line ?? location.line
    }

    func locationOf(_ key: String) -> SourceLocation {
        location.at(line: line(of: key))
    }

    /// Records an unknown-key violation for every key not in `known`, suggesting the closest one.
    func rejectUnknownKeys(_ known: [String]) {
        for (key, _) in mapping {
            guard let name = key.string else {
                log.add(Violation(.invalidValue, at: location.at(line: key.mark?.line), "A key of the \(context) is a \(Self.kind(of: key)), not a name.", fix: "Write each key as a plain name: `key: value`."))
                continue
            }
            guard !known.contains(name) else { continue }
            let suggestion = known.min { Self.distance(name, $0) < Self.distance(name, $1) }
            let hint = suggestion.flatMap { Self.distance(name, $0) <= max(2, name.count / 3) ? "Did you mean '\($0)'? " : nil } ?? ""
            log.add(Violation(.unknownKey, at: location.at(line: key.mark?.line), "Unknown key '\(name)' in the \(context).", fix: "\(hint)Known keys: \(known.joined(separator: ", "))."))
        }
    }

    func missing(_ key: String, rule: Violation.Rule = .missingKey, fix: String) {
        log.add(Violation(rule, at: location, "The \(context) has no '\(key)'.", fix: fix))
    }

    func invalid(_ key: String, _ message: String, fix: String) {
        log.add(Violation(.invalidValue, at: locationOf(key), message, fix: fix))
    }

    // MARK: typed values

    /// A scalar as text. Numbers and booleans are kept as written.
    func string(_ key: String, required fix: String? = nil) -> String? {
        guard let (_, value) = entry(key) else {
            if let fix { missing(key, fix: fix) }
            return nil
        }
        guard case .scalar(let scalar) = value else {
            invalid(key, "'\(key)' of the \(context) must be a single value.", fix: "Write `\(key): <value>`.")
            return nil
        }
        if Self.isNull(scalar) {
            invalid(key, "'\(key)' of the \(context) has no value.", fix: "Write `\(key): <value>`, or remove the key.")
            return nil
        }
        return scalar.string
    }

    func int(_ key: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard let text = string(key) else { return nil }
        guard let number = Int(text), range.map({ $0.contains(number) }) ?? true else {
            let bounds = range.map { " from \($0.lowerBound) to \($0.upperBound)" } ?? ""
            invalid(key, "'\(key)' of the \(context) must be a whole number\(bounds) (got '\(text)').", fix: "Write `\(key): 1`.")
            return nil
        }
        return number
    }

    func bool(_ key: String) -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            invalid(key, "'\(key)' of the \(context) must be true or false (got '\(text)').", fix: "Write `\(key): true` or `\(key): false`.")
            return nil
        }
    }

    /// A list of scalars; a single scalar counts as a list of one.
    func strings(_ key: String) -> [String]? {
        guard let (_, value) = entry(key) else { return nil }
        if case .scalar(let scalar) = value { return [scalar.string] }
        guard case .sequence(let sequence) = value else {
            invalid(key, "'\(key)' of the \(context) must be a list.", fix: "Write `\(key): [a, b]` or one `- item` per line.")
            return nil
        }
        var result: [String] = []
        for item in sequence {
            guard case .scalar(let scalar) = item else {
                log.add(Violation(.invalidValue, at: location.at(line: item.mark?.line), "Every item of '\(key)' must be a single value.", fix: "Write one value per `- ` line."))
                continue
            }
            result.append(scalar.string)
        }
        return result
    }

    func mapping(_ key: String, context childContext: String) -> YAMLMapping? {
        guard let (_, value) = entry(key) else { return nil }
        guard let child = value.mapping else {
            invalid(key, "'\(key)' of the \(context) must be a mapping of keys to values.", fix: "Indent `key: value` lines under `\(key):`.")
            return nil
        }
        return YAMLMapping(mapping: child, location: location.at(line: child.mark?.line), context: childContext, log: log)
    }

    /// A list of mappings; `contextOf` names item `i` for messages.
    func mappings(_ key: String, context contextOf: (Int, YAMLMapping) -> String) -> [YAMLMapping]? {
        guard let (_, value) = entry(key) else { return nil }
        guard case .sequence(let sequence) = value else {
            invalid(key, "'\(key)' of the \(context) must be a list.", fix: "Write one `- key: value` item per entry.")
            return nil
        }
        var result: [YAMLMapping] = []
        for (index, item) in sequence.enumerated() {
            guard let child = item.mapping else {
                log.add(Violation(.invalidValue, at: location.at(line: item.mark?.line), "Item \(index + 1) of '\(key)' must be a mapping.", fix: "Write the item as `- key: value` lines."))
                continue
            }
            let reader = YAMLMapping(mapping: child, location: location.at(line: child.mark?.line), context: "", log: log)
            result.append(YAMLMapping(mapping: child, location: reader.location, context: contextOf(index, reader), log: log))
        }
        return result
    }

    /// A mapping of names to mappings (a connector's `clusters:` with their overrides); a name
    /// may have no value (`staging:` or `staging: {}`: nothing to override). A list of names
    /// is read as names without overrides.
    func namedMappings(_ key: String, context contextOf: (String) -> String) -> [(name: String, mapping: YAMLMapping?, location: SourceLocation)]? {
        guard let (_, value) = entry(key) else { return nil }
        if case .sequence = value {
            return strings(key)?.map { ($0, nil, locationOf(key)) }
        }
        guard let child = value.mapping else {
            invalid(key, "'\(key)' of the \(context) must be a list of names, or a mapping of names to settings.", fix: "Write `\(key): [a, b]`, or one `name:` line per entry with its settings indented under it.")
            return nil
        }
        var result: [(name: String, mapping: YAMLMapping?, location: SourceLocation)] = []
        for (keyNode, valueNode) in child {
            guard let name = keyNode.string else { continue }
            let location = location.at(line: keyNode.mark?.line)
            if case .scalar(let scalar) = valueNode, Self.isNull(scalar) {
                result.append((name, nil, location))
            } else if let settings = valueNode.mapping {
                result.append((name, YAMLMapping(mapping: settings, location: location, context: contextOf(name), log: log), location))
            } else {
                log.add(Violation(.invalidValue, at: location, "'\(key).\(name)' must be a mapping of settings, or nothing.", fix: "Write `\(name): {}`, or indent its settings under `\(name):`."))
            }
        }
        return result
    }

    /// A flat mapping of keys to scalar values (a connector's config), with the line of each key.
    func scalarMap(_ key: String) -> (values: [String: String], lines: [String: Int])? {
        guard let (_, value) = entry(key) else { return nil }
        guard let child = value.mapping else {
            invalid(key, "'\(key)' of the \(context) must be a mapping of keys to values.", fix: "Indent `key: value` lines under `\(key):`.")
            return nil
        }
        var values: [String: String] = [:]
        var lines: [String: Int] = [:]
        for (keyNode, valueNode) in child {
            let line = keyNode.mark?.line
            guard let name = keyNode.string else {
                log.add(Violation(.invalidValue, at: location.at(line: line), "A key of '\(key)' is a \(Self.kind(of: keyNode)); Connect config keys are strings.", fix: "Write each key as a plain name: `name: value`."))
                continue
            }
            guard case .scalar(let scalar) = valueNode else {
                log.add(Violation(.invalidValue, at: location.at(line: line), "'\(key).\(name)' must be a single value; Connect configs are strings.", fix: "Write lists as one comma-separated string, for example `\(name): \"a,b\"`."))
                continue
            }
            if Self.isNull(scalar) {
                log.add(Violation(.invalidValue, at: location.at(line: line), "'\(key).\(name)' has no value.", fix: "Write `\(name): \"\"` for an empty string, or remove the key."))
                continue
            }
            values[name] = scalar.string
            lines[name] = line
        }
        return (values, lines)
    }

    /// What a node is, for messages.
    static func kind(of node: Node) -> String {
        switch node {
        case .scalar: "single value"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    /// `key:`, `key: ~` and `key: null` written without quotes.
    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// Levenshtein distance, for "did you mean" hints.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
