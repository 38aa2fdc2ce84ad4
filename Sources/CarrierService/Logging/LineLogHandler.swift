import CarrierCore
import Foundation
public import Logging
import Synchronization

/// Formats one line per log record, as text (`2026-11-28T01:07:48.123Z info carrier.serve: message k=v`) or, for
/// `--log-format json`, as one JSON object (`{"time":...,"level":"info","logger":"carrier.serve","message":...}`,
/// metadata as top-level string fields; one named like a fixed field is prefixed `meta.`).
///
/// `serve` logs every request; swift-log's `StreamLogHandler` formats its timestamp with `strftime` and writes and
/// flushes a `FILE` per record, which cost about a third of a webhook's CPU. This one reuses the date part within a
/// second and hands the line to a ``LogSink``. What goes in is what the service logs, which never includes a body, a
/// phone number or a secret.
public struct LineLogHandler: LogHandler {
    /// How a record is written.
    public enum Format: Sendable {
        case text, json
    }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink
    private let format: Format

    /// A handler for `label` writing to standard error (``LogSink/standardError``).
    public init(label: String, format: Format = .text) {
        self.init(label: label, sink: .standardError, format: format)
    }

    init(label: String, sink: LogSink, format: Format = .text) {
        self.label = label
        self.sink = sink
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
        let line = format == .json ? Self.jsonLine(event, label: label, fields) : Self.textLine(event, label: label, fields)
        sink.write(line, now: event.level >= .warning)
    }

    private static func textLine(_ event: LogEvent, label: String, _ fields: Logger.Metadata) -> String {
        var line = LogClock.shared.timestamp()
        line += " "
        line += event.level.rawValue
        line += " "
        line += label
        line += ": "
        line += event.message.description
        for key in fields.keys.sorted() {
            line += " "
            line += key
            line += "="
            line += fields[key]!.description
        }
        line += "\n"
        return line
    }

    private static let fixedJSONFields: Set<String> = ["time", "level", "logger", "message"]

    private static func jsonLine(_ event: LogEvent, label: String, _ fields: Logger.Metadata) -> String {
        var line = "{\"time\":\""
        line += LogClock.shared.timestamp()
        line += "\",\"level\":\""
        line += event.level.rawValue
        line += "\",\"logger\":"
        line += jsonStringLiteral(label)
        line += ",\"message\":"
        line += jsonStringLiteral(event.message.description)
        for key in fields.keys.sorted() {
            line += ","
            line += jsonStringLiteral(fixedJSONFields.contains(key) ? "meta." + key : key)
            line += ":"
            line += jsonStringLiteral(fields[key]!.description)
        }
        line += "}\n"
        return line
    }
}

/// Collects log lines and writes them to a file descriptor in batches: when 32 KiB have gathered, at least every
/// 100 ms, and at once for a line that must not wait (warnings and errors) or on ``flush()``.
///
/// One `write(2)` per request line cost more than formatting it. The price is that a crash loses up to the last
/// 100 ms of request lines, as with nginx's buffered `access_log`.
public final class LogSink: Sendable {
    public static let standardError = LogSink(descriptor: 2)

    private let descriptor: Int32
    private let pending = Mutex<[UInt8]>([])
    /// Held while a batch is taken and written, so that batches reach the file in order.
    private let writing = Mutex<Void>(())

    init(descriptor: Int32, interval: TimeInterval = 0.1) {
        self.descriptor = descriptor
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: interval)
                flush()
            }
        }
        thread.name = "carrier-log"
        thread.start()
    }

    /// Queues `line`; writes everything queued when `now` is set or enough has gathered.
    func write(_ line: String, now: Bool) {
        let full = pending.withLock { pending in
            pending.append(contentsOf: line.utf8)
            return pending.count >= 32 * 1024
        }
        if now || full { flush() }
    }

    /// Writes everything queued so far.
    public func flush() {
        writing.withLock { _ in
            let bytes = pending.withLock { pending in
                defer { pending.removeAll(keepingCapacity: true) }
                return pending
            }
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}

/// The UTC timestamp of log lines, formatted once per second.
final class LogClock: Sendable {
    static let shared = LogClock()
    private let cached = Mutex<(second: Int, prefix: String)>((-1, ""))

    func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let second = now.tv_sec
        let milliseconds = Int(now.tv_nsec / 1_000_000)
        let prefix = cached.withLock { cached in
            if cached.second != second {
                var time = second
                var parts = tm()
                gmtime_r(&time, &parts)
                cached = (
                    second,
                    String(
                        format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                        Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
                )
            }
            return cached.prefix
        }
        let fraction = String(milliseconds)
        return prefix + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }
}
