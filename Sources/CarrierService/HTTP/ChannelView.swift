import CarrierRuntime

/// A channel as the API shows it: secret values are `***` (a configured channel's `env:` and `file:` references
/// are shown, since they name where a secret lives, not the secret); the webhook URL is given, with the token only
/// in the answer that made it (creation or rotation), since only its hash is kept.
struct ChannelView: Encodable, Sendable {
    var id: String
    var accountId: String
    var channel: String
    var provider: String
    var address: String
    var settings: [String: String]
    var defaultQueue: String?
    /// Sends per second the dispatcher allows this channel, when set (else the carrier's `ratePerSecond`).
    var ratePerSecond: Double?
    /// Validity of the channel's messages when `/send` gives none, when set.
    var validitySeconds: Int?
    var createdAt: Double
    var updatedAt: Double
    /// `config` or `api`.
    var source: String
    /// Where the carrier posts webhooks; `{token}` stands for a token that is not shown again.
    var inboundUrl: String
    /// Only in the answer that made the token.
    var inboundToken: String?

    init(_ record: ChannelRecord, gateway: any CarrierGateway, publicBaseURL: String, token: String?) {
        let secrets = gateway.secretSettings(carrier: record.provider)
        var settings = record.settings
        for (name, value) in record.settings {
            let namesLocation = record.source == "config" && (value.hasPrefix("env:") || value.hasPrefix("file:"))
            if value.hasPrefix("literal:") {
                settings[name] = "literal:***"
            } else if (secrets.contains(name) || value.hasPrefix(SecretBox.prefix)) && !namesLocation {
                settings[name] = "***"
            }
        }
        id = record.id
        accountId = record.accountId
        channel = record.channel
        provider = record.provider
        address = record.address
        self.settings = settings
        defaultQueue = record.defaultQueue
        ratePerSecond = record.ratePerSecond
        validitySeconds = record.validitySeconds
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        source = record.source
        let base = "\(publicBaseURL)/inbound/\(record.accountId)/\(record.id)"
        if let token {
            inboundUrl = base + "/" + token
        } else {
            inboundUrl = record.inboundTokenHash == nil ? base : base + "/{token}"
        }
        inboundToken = token
    }
}
