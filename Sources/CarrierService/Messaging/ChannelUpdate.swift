import CarrierCore
import CarrierRuntime

/// The JSON body of `PATCH /channels/{id}`: the members given change, the others stay.
///
/// `settings` is merged into the channel's: a setting given replaces the stored value, a setting given as `null` is
/// removed, the others stay (so a secret need not be sent again to change another setting). `defaultQueue`,
/// `ratePerSecond` and `validitySeconds` given as `null` are cleared.
struct ChannelUpdate: Sendable, Equatable {
    /// Setting name -> new value; nil removes the setting.
    var settings: [String: String?] = [:]
    var address: String?
    /// Absent: unchanged; `.some(nil)`: cleared.
    var defaultQueue: String??
    var ratePerSecond: Double??
    var validitySeconds: Int??

    /// The members `PATCH /channels/{id}` takes; `id`, `channel` and `provider` cannot change (any other member is
    /// refused, `unknown-field`).
    static let members: Set<String> = ["settings", "address", "defaultQueue", "ratePerSecond", "validitySeconds"]

    init(
        settings: [String: String?] = [:], address: String? = nil, defaultQueue: String?? = nil,
        ratePerSecond: Double?? = nil, validitySeconds: Int?? = nil
    ) {
        self.settings = settings
        self.address = address
        self.defaultQueue = defaultQueue
        self.ratePerSecond = ratePerSecond
        self.validitySeconds = validitySeconds
    }

    /// Reads a `PATCH /channels/{id}` body.
    /// - Throws: ``ServiceError`` `bad-json` (a member of the wrong type), `unknown-field`, `invalid-rate` or
    ///   `invalid-validity` (numbers that are not numbers of the right kind).
    init(json bytes: [UInt8]) throws(ServiceError) {
        let members = try strictJSONObject(bytes, members: Self.members)
        switch members["settings"] {
        case nil: break
        case .object(let values):
            for (name, value) in values {
                switch value {
                case .string(let text): settings[name] = .some(text)
                case .null: settings[name] = .some(nil)
                default: throw .badJSON("'settings.\(name)' must be a string, or null to remove the setting")
                }
            }
        default: throw .badJSON("'settings' must be an object of strings")
        }
        switch members["address"] {
        case nil: break
        case .string(let text): address = text
        case .null: address = ""
        default: throw .badJSON("'address' must be a string")
        }
        switch members["defaultQueue"] {
        case nil: break
        case .null: defaultQueue = .some(nil)
        case .string(let text): defaultQueue = .some(text)
        default: throw .badJSON("'defaultQueue' must be a string or null")
        }
        switch members["ratePerSecond"] {
        case nil: break
        case .null: ratePerSecond = .some(nil)
        case .number(let text) where Double(text) != nil: ratePerSecond = .some(Double(text))
        default:
            throw .validation([.invalid("ratePerSecond", "invalid-rate", "ratePerSecond must be a number or null")])
        }
        switch members["validitySeconds"] {
        case nil: break
        case .null: validitySeconds = .some(nil)
        case .number(let text) where Int(text) != nil: validitySeconds = .some(Int(text))
        default:
            throw .validation([
                .invalid("validitySeconds", "invalid-validity", "validitySeconds must be an integer (seconds) or null")
            ])
        }
    }

    /// The channel as it would be after the update, as a create request, so that it is validated exactly like one.
    func applied(to channel: ChannelRecord) -> ChannelRequest {
        var merged = channel.settings
        for (name, value) in settings { merged[name] = value }
        return ChannelRequest(
            id: channel.id, channel: channel.channel, provider: channel.provider, address: address ?? channel.address,
            settings: merged, defaultQueue: defaultQueue ?? channel.defaultQueue,
            ratePerSecond: ratePerSecond ?? channel.ratePerSecond,
            validitySeconds: validitySeconds ?? channel.validitySeconds)
    }
}
