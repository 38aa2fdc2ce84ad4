/// The fixed set of template variables and where each may be used (filters: ``TemplateFilter``).
public enum TemplateCatalog {
    /// Where a template sits; decides which variables it can read.
    public enum Place: String, Sendable, Hashable, CaseIterable {
        /// `send.url`, `send.headers`, `send.body`, and auth values.
        case send
        /// `auth.message` of `type: hmac`: also sees `request.*`.
        case authMessage
        /// `inbound.reply` and `inbound.signature`: settings only.
        case inbound
    }

    /// `message.*` fields and whether they are lists.
    static let messageFields: Set<String> = [
        "channel", "to", "from", "body", "callbackUrl", "reference", "clientReference", "scheduledAt", "validity",
        "media", "tags",
    ]
    static let templateFields: Set<String> = ["name", "language", "variables"]
    /// Fields of a media item: `message.media.<field>` (a list) and `item.<field>` inside `$each: message.media`.
    static let mediaFields: Set<String> = ["url", "contentType", "filename", "caption"]
    static let requestFields: Set<String> = ["method", "url", "path", "body", "timestamp", "nonce"]

    /// The outcome of looking a variable up.
    public enum Lookup: Sendable, Hashable {
        case ok
        case unknown(String)
        case notAvailable(String)
        case undeclaredSetting(String)
    }

    /// Checks a variable path against the catalog.
    /// - Parameters:
    ///   - variable: the path, e.g. `["message", "to"]`.
    ///   - place: where the template sits.
    ///   - settings: the names of the declared settings.
    ///   - inEach: whether the template is inside a `$each` item (so `item` is available).
    ///   - eachOverMedia: whether that `$each` walks `message.media` (so `item.url`, `item.filename`, ... are).
    public static func lookup(
        _ variable: [String], in place: Place, settings: Set<String>, inEach: Bool, eachOverMedia: Bool = false
    ) -> Lookup {
        let name = variable.joined(separator: ".")
        guard let head = variable.first else { return .unknown(name) }
        switch head {
        case "settings":
            guard variable.count == 2 else { return .unknown(name) }
            return settings.contains(variable[1]) ? .ok : .undeclaredSetting(variable[1])
        case "carrier":
            return variable == ["carrier", "id"] ? .ok : .unknown(name)
        case "channel":
            // The channel's public webhook URL, for carriers that take a per-message callback URL.
            guard variable == ["channel", "inboundUrl"] else { return .unknown(name) }
            return place == .inbound ? .notAvailable(name) : .ok
        case "message", "segments":
            let known: Bool
            if head == "segments" {
                known = variable.count == 2 && (variable[1] == "count" || variable[1] == "encoding")
            } else if variable.count == 2 {
                known = messageFields.contains(variable[1])
            } else if variable.count == 3 {
                known =
                    (variable[1] == "template" && templateFields.contains(variable[2])) || variable[1] == "metadata"
                    || (variable[1] == "media" && mediaFields.contains(variable[2]))
            } else {
                known = false
            }
            guard known else { return .unknown(name) }
            return place == .inbound ? .notAvailable(name) : .ok
        case "request":
            guard variable.count == 2, requestFields.contains(variable[1]) else { return .unknown(name) }
            return place == .authMessage ? .ok : .notAvailable(name)
        case "item":
            if variable.count == 2, mediaFields.contains(variable[1]) {
                return eachOverMedia ? .ok : .notAvailable(name)
            }
            guard variable.count == 1 else { return .unknown(name) }
            return inEach ? .ok : .notAvailable(name)
        default:
            return .unknown(name)
        }
    }

    /// Every variable name, for "did you mean" suggestions.
    public static func allVariableNames(settings: Set<String>) -> [String] {
        var names = messageFields.map { "message.\($0)" }
        names += templateFields.map { "message.template.\($0)" }
        names += mediaFields.map { "message.media.\($0)" }
        names += requestFields.map { "request.\($0)" }
        names += ["segments.count", "segments.encoding", "carrier.id", "channel.inboundUrl", "item"]
        names += settings.map { "settings.\($0)" }
        return names.sorted()
    }
}
