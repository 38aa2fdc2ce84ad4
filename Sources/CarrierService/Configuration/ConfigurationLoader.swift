import CarrierCore
public import Foundation

/// Reads `carrier serve`'s configuration strictly: the JSON file, then environment overrides, then the value checks.
///
/// An unknown key, in the file or as a `CARRIER_SERVE_*` variable, is an error naming it with a did-you-mean, as the
/// definitions' diagnostics do: a misspelled key must never fall back to its default silently.
///
/// Every top-level key has an environment name: `CARRIER_SERVE_` and the key in upper snake case (`port` →
/// `CARRIER_SERVE_PORT`, `databasePath` → `CARRIER_SERVE_DATABASE_PATH`). A value is read as JSON when it parses
/// (numbers, `true`, arrays, objects: `CARRIER_SERVE_CARRIER_HOSTS='["a.example.com"]'`), else as a string; the
/// string-valued keys (host, paths, URLs, references) are always strings. The environment wins over the file.
///
/// Why not swift-configuration: its readers look keys up by name and cannot tell that a file holds a key nobody
/// reads, which is the point here; and `apiKeys` (a map keyed by references) and `channels` (an array of objects)
/// do not fit its flat key-value model. The JSON file stays the one format.
public enum ConfigurationLoader {
    public static let environmentPrefix = "CARRIER_SERVE_"

    /// Keys whose environment values are taken as strings even when they would parse as JSON.
    static let stringKeys: Set<String> = [
        "host", "databasePath", "databaseURL", "publicBaseURL", "secretsKey", "metricsAddress",
    ]

    /// Every top-level key.
    public static var keys: [String] { ServiceConfiguration.CodingKeys.allCases.map(\.rawValue) }

    /// The environment variable that overrides `key`.
    public static func environmentName(for key: String) -> String {
        var name = environmentPrefix
        var previousWasLower = false
        for character in key {
            if character.isUppercase && previousWasLower { name += "_" }
            name += character.uppercased()
            previousWasLower = character.isLowercase || character.isNumber
        }
        return name
    }

    /// Loads the configuration.
    /// - Parameters:
    ///   - file: The file's bytes, or nil for none (defaults and environment only).
    ///   - path: The file's name, for the messages.
    ///   - environment: The process environment.
    /// - Throws: ``ConfigurationError`` with every problem found.
    public static func load(file: Data?, path: String = "configuration", environment: [String: String])
        throws(ConfigurationError) -> ServiceConfiguration
    {
        var problems: [String] = []
        var object: [String: Any] = [:]
        if let file {
            guard let parsed = try? JSONSerialization.jsonObject(with: file) else {
                throw ConfigurationError(["\(path): error: not valid JSON [bad-json]"])
            }
            guard let dictionary = parsed as? [String: Any] else {
                throw ConfigurationError(["\(path): error: the configuration must be a JSON object [wrong-type]"])
            }
            object = dictionary
        }
        problems += unknownKeys(in: object, path: path)

        let names = Dictionary(uniqueKeysWithValues: keys.map { (environmentName(for: $0), $0) })
        for (variable, value) in environment.sorted(by: { $0.key < $1.key })
        where variable.hasPrefix(environmentPrefix) {
            guard let key = names[variable] else {
                var message = "environment: error: unknown variable '\(variable)'"
                if let guess = variable.closest(in: names.keys) { message += " (did you mean '\(guess)'?)" }
                problems.append(message + " [unknown-key]")
                continue
            }
            if !stringKeys.contains(key),
                let parsed = try? JSONSerialization.jsonObject(
                    with: Data(value.utf8), options: [.fragmentsAllowed])
            {
                object[key] = parsed
                problems += unknownKeys(in: [key: parsed], path: variable)
            } else {
                object[key] = value
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems) }

        let configuration: ServiceConfiguration
        do {
            let data = try JSONSerialization.data(withJSONObject: object)
            configuration = try JSONDecoder().decode(ServiceConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError(["\(path): error: \(describe(error)) [wrong-type]"])
        } catch {
            throw ConfigurationError(["\(path): error: \(error) [bad-json]"])
        }
        let invalid = configuration.problems.map { "\(path): error: \($0) [invalid-value]" }
        guard invalid.isEmpty else { throw ConfigurationError(invalid) }
        return configuration
    }

    /// Unknown keys at the top level, in `apiKeys` grants and in `channels`.
    static func unknownKeys(in object: [String: Any], path: String) -> [String] {
        var problems: [String] = []
        func check(_ dictionary: [String: Any], known: [String], at location: String) {
            for key in dictionary.keys.sorted() where !known.contains(key) {
                var message = "\(path): error: unknown key '\(key)'\(location)"
                if let guess = key.closest(in: known) { message += " (did you mean '\(guess)'?)" }
                problems.append(message + " [unknown-key]")
            }
        }
        check(object, known: keys, at: "")
        if let grants = object["apiKeys"] as? [String: Any] {
            for (index, grant) in grants.values.enumerated() {
                if let grant = grant as? [String: Any] {
                    check(grant, known: ["account", "scopes"], at: " in apiKeys (grant \(index + 1))")
                }
            }
        }
        if let channels = object["channels"] as? [Any] {
            for (index, channel) in channels.enumerated() {
                if let channel = channel as? [String: Any] {
                    check(channel, known: channelKeys, at: " in channels[\(index)]")
                }
            }
        }
        return problems
    }

    /// The keys of a channel in the file, read off a fully populated ``ServiceConfiguration/ChannelSeed``.
    static let channelKeys: [String] = {
        let sample = ServiceConfiguration.ChannelSeed(
            id: "", account: "", channel: "", provider: "", address: "", settings: [:], defaultQueue: "",
            inboundToken: "", ratePerSecond: 1, validitySeconds: 1)
        guard let data = try? JSONEncoder().encode(sample),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [] }
        return object.keys.sorted()
    }()

    /// A decoding error as `key 'port': expected Int` (never the value, which may be a secret).
    static func describe(_ error: DecodingError) -> String {
        func location(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "key '\(location(context.codingPath))': expected \(type)"
        case .valueNotFound(let type, let context):
            return "key '\(location(context.codingPath))': expected \(type), found null"
        case .keyNotFound(let key, let context):
            let parent = location(context.codingPath)
            return "missing key '\(key.stringValue)'" + (parent.isEmpty ? "" : " in '\(parent)'")
        case .dataCorrupted(let context):
            return "key '\(location(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// The problems of a configuration, one line each (`file: error: ... [code]`); `carrier serve` exits 64.
public struct ConfigurationError: Error, Sendable, Equatable {
    public var problems: [String]

    init(_ problems: [String]) {
        self.problems = problems
    }
}
