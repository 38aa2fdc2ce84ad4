import Foundation
import Logging
import Synchronization

/// Writes one line per log record to standard error: `2026-11-28T01:07:48.123Z info carrier.serve: message k=v`.
///
/// `serve` logs every request; swift-log's `StreamLogHandler` formats its timestamp with `strftime` and locks a
/// `FILE` per record, which cost about a third of a webhook's CPU. This one reuses the date part within a second
/// and writes the finished line with a single `write(2)`, which keeps lines whole without a lock.
struct LineLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let label: String

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
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
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// The UTC timestamp of log lines, formatted once per second.
private final class LogClock: Sendable {
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
