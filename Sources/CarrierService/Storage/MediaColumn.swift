import CarrierCore
import Foundation

/// How a list of media URLs is stored in one TEXT column (`message.media`, `message_part.media`): a JSON array,
/// the same text GRDB's Codable records write, so rows read back the same whichever way they were written.
enum MediaColumn {
    static func text(_ media: [String]) -> String {
        media.isEmpty ? "[]" : "[" + media.map(jsonStringLiteral).joined(separator: ",") + "]"
    }

    /// The URLs in `text`; empty for NULL or text that is not a JSON array of strings.
    static func urls(_ text: String?) -> [String] {
        guard let text, text != "[]" else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
