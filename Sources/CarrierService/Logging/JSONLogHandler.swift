import Foundation
public import Logging

/// Formats one JSON object per log record and line (`--log-format json`):
/// `{"time":"2026-11-28T01:07:48.123Z","level":"info","logger":"carrier.serve","message":"request","route":...}`.
///
/// Metadata become top-level string fields (a field named like one of the four fixed ones is prefixed `meta.`).
/// What goes in is what the service logs, which never includes a body, a phone number or a secret.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink

    /// A handler for `label` writing to standard error.
    public init(label: String) {
        self.init(label: label, sink: .standardError)
    }

    init(label: String, sink: LogSink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    private static let fixed: Set<String> = ["time", "level", "logger", "message"]

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
        var line = "{\"time\":\""
        line += LogClock.shared.timestamp()
        line += "\",\"level\":\""
        line += event.level.rawValue
        line += "\",\"logger\":"
        Self.appendString(label, to: &line)
        line += ",\"message\":"
        Self.appendString(event.message.description, to: &line)
        for key in fields.keys.sorted() {
            line += ","
            Self.appendString(Self.fixed.contains(key) ? "meta." + key : key, to: &line)
            line += ":"
            Self.appendString(fields[key]!.description, to: &line)
        }
        line += "}\n"
        sink.write(line, now: event.level >= .warning)
    }

    /// Appends `text` as a JSON string literal.
    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                line += String(format: "\\u%04x", scalar.value)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
