import CarrierCore

/// Everything a template can read: the message, the resolved settings, segment info, the carrier id,
/// the `request.*` values (hmac `auth.message` only) and the current `$each` item.
public struct TemplateContext: Sendable {
    public var message: OutboundMessage?
    /// Resolved settings, already typed (`integer` settings as `.integer`, `boolean` as `.bool`).
    public var settings: [String: TemplateValue]
    public var segmentCount: Int
    public var segmentEncoding: String
    public var carrierId: String
    /// `method`, `url`, `path`, `body`, `timestamp`, `nonce`; nil outside an hmac `auth.message`.
    public var request: [String: String]?
    /// The current element inside `$each`; nil elsewhere.
    public var item: TemplateValue?
    /// The current media item inside `$each: message.media` (read as `item.url`, `item.filename`, ...).
    public var mediaItem: MediaItem?

    public init(
        message: OutboundMessage?, settings: [String: TemplateValue], segmentCount: Int = 1,
        segmentEncoding: String = "gsm7", carrierId: String, request: [String: String]? = nil,
        item: TemplateValue? = nil
    ) {
        self.message = message
        self.settings = settings
        self.segmentCount = segmentCount
        self.segmentEncoding = segmentEncoding
        self.carrierId = carrierId
        self.request = request
        self.item = item
    }

    /// The value of a variable path such as `["message", "to"]`.
    public func value(of variable: [String]) throws(RenderError) -> TemplateValue {
        let name = variable.joined(separator: ".")
        guard let head = variable.first else {
            throw RenderError(code: "unknown-variable", message: "empty variable name")
        }
        switch head {
        case "settings":
            guard variable.count == 2 else { break }
            guard let v = settings[variable[1]] else {
                throw RenderError(
                    code: "unknown-variable", message: "setting '\(variable[1])' is not declared by the carrier")
            }
            return v
        case "carrier":
            if variable == ["carrier", "id"] { return .string(carrierId) }
        case "channel":
            guard variable == ["channel", "inboundUrl"] else { break }
            guard let message else {
                throw RenderError(code: "variable-not-available", message: "'\(name)' is not available here")
            }
            return message.inboundUrl.map(TemplateValue.string) ?? .null
        case "segments":
            guard variable.count == 2 else { break }
            if variable[1] == "count" { return .integer(segmentCount) }
            if variable[1] == "encoding" { return .string(segmentEncoding) }
        case "message":
            guard let message else {
                throw RenderError(code: "variable-not-available", message: "'\(name)' is not available here")
            }
            if let v = Self.messageValue(variable.dropFirst(), of: message) { return v }
        case "request":
            guard variable.count == 2 else { break }
            guard let request else {
                throw RenderError(
                    code: "variable-not-available", message: "'\(name)' is only available in an hmac auth message")
            }
            if let v = request[variable[1]] { return .string(v) }
        case "item":
            if variable.count == 2, MediaItem.fieldNames.contains(variable[1]) {
                guard let mediaItem else {
                    throw RenderError(
                        code: "variable-not-available",
                        message: "'\(name)' is only available inside $each: message.media")
                }
                return mediaItem.field(variable[1]).map(TemplateValue.string) ?? .null
            }
            guard variable.count == 1 else { break }
            guard let item else {
                throw RenderError(code: "variable-not-available", message: "'item' is only available inside $each")
            }
            return item
        default:
            break
        }
        throw RenderError(code: "unknown-variable", message: "unknown variable '\(name)'")
    }

    private static func messageValue(_ path: ArraySlice<String>, of m: OutboundMessage) -> TemplateValue? {
        func optional(_ s: String?) -> TemplateValue { s.map(TemplateValue.string) ?? .null }
        let parts = Array(path)
        switch parts.count {
        case 1:
            switch parts[0] {
            case "channel": return .string(m.channel)
            case "to": return .string(m.to)
            case "from": return optional(m.from)
            case "body": return optional(m.body)
            case "callbackUrl": return optional(m.callbackUrl)
            case "reference": return optional(m.reference)
            case "clientReference": return optional(m.clientReference)
            case "scheduledAt": return optional(m.scheduledAt)
            case "validity": return m.validity.map(TemplateValue.integer) ?? .null
            case "media": return .list(m.media.map { .string($0.url) })
            case "tags": return .list(m.tags.map(TemplateValue.string))
            // `when: message.template` tests whether the message is a template message.
            case "template": return optional(m.template?.name)
            default: return nil
            }
        case 2 where parts[0] == "template":
            switch parts[1] {
            case "name": return optional(m.template?.name)
            case "language": return optional(m.template?.language)
            case "variables": return .list((m.template?.variables ?? []).map(TemplateValue.string))
            default: return nil
            }
        case 2 where parts[0] == "media":
            // The field of every item that has it, e.g. `message.media.filename | first`.
            guard MediaItem.fieldNames.contains(parts[1]) else { return nil }
            return .list(m.media.compactMap { $0.field(parts[1]) }.map(TemplateValue.string))
        case 2 where parts[0] == "metadata":
            return optional(m.metadata[parts[1]])
        default:
            return nil
        }
    }
}
