import CarrierCore
import CarrierRuntime
import Foundation

/// How a list of media URLs is stored in one TEXT column (`message.media`, `message_part.media`): a JSON array,
/// the same text GRDB's Codable records write, so rows read back the same whichever way they were written.
enum MediaColumn {
    static func text(_ media: [String]) -> String {
        media.isEmpty ? "[]" : "[" + media.map(jsonStringLiteral).joined(separator: ",") + "]"
    }

    /// Media items as GRDB's Codable encoding writes them: bare URLs as strings, items with details as objects.
    static func text(_ media: [MediaItem]) -> String {
        if media.allSatisfy({ $0.contentType == nil && $0.filename == nil && $0.caption == nil }) {
            return text(media.map(\.url))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(media)).flatMap { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    /// The URLs in `text`; empty for NULL or text that is not a JSON array of strings.
    static func urls(_ text: String?) -> [String] {
        guard let text, text != "[]" else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
