import CarrierRuntime

/// Configuration of the messaging service behind `carrier serve`.
///
/// Every field is optional in JSON; missing fields take the defaults below.
/// API keys may be secret references (`env:NAME`, `file:/path`, `literal:value`); they are hashed at start.
public struct ServiceConfiguration: Codable, Sendable, Equatable {
    /// What one API key grants.
    public struct APIKeyGrant: Codable, Sendable, Equatable {
        public var account: String
        /// `messaging` for the messaging endpoints, `admin` for channel and template management.
        public var scopes: [String]

        public init(account: String, scopes: [String]) {
            self.account = account
            self.scopes = scopes
        }
    }

    /// A channel created (or updated) at start.
    public struct ChannelSeed: Codable, Sendable, Equatable {
        public var id: String
        public var account: String
        /// `sms`, `mms`, `whatsapp` or `rcs`.
        public var channel: String
        /// The carrier id.
        public var provider: String
        public var address: String
        /// Setting values; secrets only as references.
        public var settings: [String: String]
        public var defaultQueue: String?
        /// Sends per second the dispatcher allows on this channel (overrides the definition's `ratePerSecond`).
        public var ratePerSecond: Double?
        /// Validity of this channel's messages when `/send` gives none (e.g. 600 for one-time codes).
        public var validitySeconds: Int?
        /// The token in this channel's webhook URL (`/inbound/{account}/{id}/{token}`), as a reference
        /// (`env:`, `file:`, `literal:`); required for carriers that sign no webhooks.
        public var inboundToken: String?

        public init(
            id: String, account: String, channel: String, provider: String, address: String,
            settings: [String: String] = [:], defaultQueue: String? = nil, inboundToken: String? = nil,
            ratePerSecond: Double? = nil, validitySeconds: Int? = nil
        ) {
            self.ratePerSecond = ratePerSecond
            self.validitySeconds = validitySeconds
            self.id = id
            self.account = account
            self.channel = channel
            self.provider = provider
            self.address = address
            self.settings = settings
            self.defaultQueue = defaultQueue
            self.inboundToken = inboundToken
        }
    }

    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    public var databasePath: String
    /// A PostgreSQL database (`postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`)
    /// shared by several instances; when set, `databasePath` is not used. Holds a password: never logged.
    public var databaseURL: String?
    /// The database as it may be printed: the PostgreSQL URL without its password, or the SQLite path.
    public var databaseDescription: String {
        databaseURL.map { (try? PostgresLocation(url: $0))?.redacted ?? "postgres://(invalid URL)" } ?? databasePath
    }
    /// Connections each instance keeps to PostgreSQL at most.
    public var databaseConnections: Int
    /// The base URL carriers call, e.g. `https://sms.example.com`; defaults to `http://host:port`.
    public var publicBaseURL: String?
    /// API key (or reference to it) -> grant.
    public var apiKeys: [String: APIKeyGrant]
    public var channels: [ChannelSeed]
    /// Attempts for a send that keeps failing with a retryable outcome (at least 1); a definition's
    /// `limits.maxRetries` lowers it for its carrier.
    public var maxSendAttempts: Int
    /// Backoff ceiling before the second attempt when the carrier gives no Retry-After; doubled per attempt, the
    /// wait drawn uniformly below it (full jitter).
    public var retryBaseDelaySeconds: Double
    /// Upper bound for any wait between attempts.
    public var retryMaxDelaySeconds: Double
    /// How long `POST /send` waits for the first attempt before answering 202 `queued` (0: answer at once).
    public var sendWaitMs: Int
    /// A message still not accepted by its carrier this long after `POST /send` (or its schedule) fails.
    public var maxSendAgeSeconds: Double
    /// Validity of a message when neither `/send` nor its channel gives one: not handed to the carrier by then, it
    /// expires.
    public var defaultValiditySeconds: Int
    /// Whether this instance sends queued messages (off: an API-only node that only accepts them).
    public var dispatcher: Bool
    /// How long a claimed job stays leased to its dispatcher; longer than any carrier request may take.
    public var leaseSeconds: Double
    /// A keep-alive connection that sends nothing for this long is closed (a request in flight keeps it open).
    public var idleTimeoutSeconds: Double
    /// Requests to carriers in flight at once (and keep-alive connections kept for reuse), over all channels.
    /// Carriers answer in tens to hundreds of milliseconds, so sends per second are at most this many divided by
    /// the carrier's latency; further sends wait in a queue.
    public var carrierConcurrency: Int
    /// How long an `Idempotency-Key` is remembered: a retry within this time gets the first answer.
    public var idempotencyKeyHours: Double
    /// How long a status callback for a message not (yet) known is kept waiting for it.
    public var pendingStatusHours: Double
    /// The AES-256-GCM key for secret settings stored through the API: a reference (`env:`, `file:`, `literal:`)
    /// to 64 hex digits or the base64 of 32 bytes. Without it the API refuses secret values.
    public var secretsKey: String?
    /// Hosts carrier requests may go to besides those the definitions name (`*.example.com` matches subdomains).
    public var carrierHosts: [String]
    /// Lets carrier requests reach loopback, private, link-local and other non-public addresses (local mocks,
    /// an on-premises Kannel). Off by default.
    public var allowPrivateCarrierTargets: Bool
    /// A request's head and body must arrive within this many seconds of its first byte.
    public var requestTimeoutSeconds: Double
    /// Connections open at once from one client address; more are closed at once.
    public var maxConnectionsPerClient: Int
    /// Failed API keys from one client address within a minute before it gets 429 for a minute.
    public var maxAuthFailuresPerMinute: Int
    /// Authenticated requests per second per account (bursts up to this many); 0 for no limit.
    public var accountRequestsPerSecond: Double
    /// Lets customer webhook and callback URLs reach loopback, private and link-local addresses (tests, a receiver
    /// on the same network). Off by default.
    public var allowPrivateWebhookTargets: Bool
    /// Waits (seconds) before the second, third, ... attempt of a webhook delivery that failed; each is stretched by
    /// up to 20 % at random. The first attempt is immediate.
    public var webhookRetrySeconds: [Double]
    /// No webhook attempt is made later than this after its event; an endpoint failing this long is disabled.
    public var webhookMaxAgeSeconds: Double
    /// Webhook deliveries in flight at once.
    public var webhookConcurrency: Int

    /// The Standard Webhooks schedule after the immediate first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    public static let standardWebhookRetrySeconds: [Double] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000]
    /// `host:port` of a separate listener for `GET /metrics` (then not served on the main one); nil: the main one.
    public var metricsAddress: String?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "carrier.sqlite",
        publicBaseURL: String? = nil, apiKeys: [String: APIKeyGrant] = [:], channels: [ChannelSeed] = [],
        maxSendAttempts: Int = 10, retryBaseDelaySeconds: Double = 2, retryMaxDelaySeconds: Double = 600,
        sendWaitMs: Int = 5000, maxSendAgeSeconds: Double = 86_400, defaultValiditySeconds: Int = 129_600,
        dispatcher: Bool = true, leaseSeconds: Double = 120,
        idleTimeoutSeconds: Double = 60, carrierConcurrency: Int = 512, idempotencyKeyHours: Double = 24,
        pendingStatusHours: Double = 168, secretsKey: String? = nil, carrierHosts: [String] = [],
        allowPrivateCarrierTargets: Bool = false, requestTimeoutSeconds: Double = 30,
        maxConnectionsPerClient: Int = 1024, maxAuthFailuresPerMinute: Int = 20, accountRequestsPerSecond: Double = 0,
        allowPrivateWebhookTargets: Bool = false,
        webhookRetrySeconds: [Double] = ServiceConfiguration.standardWebhookRetrySeconds,
        webhookMaxAgeSeconds: Double = 86_400, webhookConcurrency: Int = 64, metricsAddress: String? = nil,
        databaseURL: String? = nil, databaseConnections: Int = 16
    ) {
        self.databaseURL = databaseURL
        self.databaseConnections = databaseConnections
        self.metricsAddress = metricsAddress
        self.allowPrivateWebhookTargets = allowPrivateWebhookTargets
        self.webhookRetrySeconds = webhookRetrySeconds
        self.webhookMaxAgeSeconds = webhookMaxAgeSeconds
        self.webhookConcurrency = webhookConcurrency
        self.sendWaitMs = sendWaitMs
        self.maxSendAgeSeconds = maxSendAgeSeconds
        self.defaultValiditySeconds = defaultValiditySeconds
        self.dispatcher = dispatcher
        self.leaseSeconds = leaseSeconds
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.publicBaseURL = publicBaseURL
        self.apiKeys = apiKeys
        self.channels = channels
        self.maxSendAttempts = maxSendAttempts
        self.retryBaseDelaySeconds = retryBaseDelaySeconds
        self.retryMaxDelaySeconds = retryMaxDelaySeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.carrierConcurrency = carrierConcurrency
        self.idempotencyKeyHours = idempotencyKeyHours
        self.pendingStatusHours = pendingStatusHours
        self.secretsKey = secretsKey
        self.carrierHosts = carrierHosts
        self.allowPrivateCarrierTargets = allowPrivateCarrierTargets
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.maxConnectionsPerClient = maxConnectionsPerClient
        self.maxAuthFailuresPerMinute = maxAuthFailuresPerMinute
        self.accountRequestsPerSecond = accountRequestsPerSecond
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, databasePath, publicBaseURL, apiKeys, channels, maxSendAttempts, retryBaseDelaySeconds
        case retryMaxDelaySeconds, idleTimeoutSeconds, carrierConcurrency, idempotencyKeyHours, pendingStatusHours
        case sendWaitMs, maxSendAgeSeconds, defaultValiditySeconds, dispatcher, leaseSeconds
        case secretsKey, carrierHosts, allowPrivateCarrierTargets, requestTimeoutSeconds, maxConnectionsPerClient
        case maxAuthFailuresPerMinute, accountRequestsPerSecond
        case allowPrivateWebhookTargets, webhookRetrySeconds, webhookMaxAgeSeconds, webhookConcurrency
        case metricsAddress, databaseURL, databaseConnections
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ServiceConfiguration()
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? defaults.host
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port
        databasePath = try c.decodeIfPresent(String.self, forKey: .databasePath) ?? defaults.databasePath
        databaseURL = try c.decodeIfPresent(String.self, forKey: .databaseURL)
        databaseConnections =
            try c.decodeIfPresent(Int.self, forKey: .databaseConnections) ?? defaults.databaseConnections
        publicBaseURL = try c.decodeIfPresent(String.self, forKey: .publicBaseURL)
        apiKeys = try c.decodeIfPresent([String: APIKeyGrant].self, forKey: .apiKeys) ?? [:]
        channels = try c.decodeIfPresent([ChannelSeed].self, forKey: .channels) ?? []
        maxSendAttempts = try c.decodeIfPresent(Int.self, forKey: .maxSendAttempts) ?? defaults.maxSendAttempts
        retryBaseDelaySeconds =
            try c.decodeIfPresent(Double.self, forKey: .retryBaseDelaySeconds) ?? defaults.retryBaseDelaySeconds
        retryMaxDelaySeconds =
            try c.decodeIfPresent(Double.self, forKey: .retryMaxDelaySeconds) ?? defaults.retryMaxDelaySeconds
        idleTimeoutSeconds =
            try c.decodeIfPresent(Double.self, forKey: .idleTimeoutSeconds) ?? defaults.idleTimeoutSeconds
        carrierConcurrency =
            try c.decodeIfPresent(Int.self, forKey: .carrierConcurrency) ?? defaults.carrierConcurrency
        idempotencyKeyHours =
            try c.decodeIfPresent(Double.self, forKey: .idempotencyKeyHours) ?? defaults.idempotencyKeyHours
        pendingStatusHours =
            try c.decodeIfPresent(Double.self, forKey: .pendingStatusHours) ?? defaults.pendingStatusHours
        sendWaitMs = try c.decodeIfPresent(Int.self, forKey: .sendWaitMs) ?? defaults.sendWaitMs
        maxSendAgeSeconds =
            try c.decodeIfPresent(Double.self, forKey: .maxSendAgeSeconds) ?? defaults.maxSendAgeSeconds
        defaultValiditySeconds =
            try c.decodeIfPresent(Int.self, forKey: .defaultValiditySeconds) ?? defaults.defaultValiditySeconds
        dispatcher = try c.decodeIfPresent(Bool.self, forKey: .dispatcher) ?? defaults.dispatcher
        leaseSeconds = try c.decodeIfPresent(Double.self, forKey: .leaseSeconds) ?? defaults.leaseSeconds
        secretsKey = try c.decodeIfPresent(String.self, forKey: .secretsKey)
        carrierHosts = try c.decodeIfPresent([String].self, forKey: .carrierHosts) ?? []
        allowPrivateCarrierTargets =
            try c.decodeIfPresent(Bool.self, forKey: .allowPrivateCarrierTargets)
            ?? defaults.allowPrivateCarrierTargets
        requestTimeoutSeconds =
            try c.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds) ?? defaults.requestTimeoutSeconds
        maxConnectionsPerClient =
            try c.decodeIfPresent(Int.self, forKey: .maxConnectionsPerClient) ?? defaults.maxConnectionsPerClient
        maxAuthFailuresPerMinute =
            try c.decodeIfPresent(Int.self, forKey: .maxAuthFailuresPerMinute) ?? defaults.maxAuthFailuresPerMinute
        accountRequestsPerSecond =
            try c.decodeIfPresent(Double.self, forKey: .accountRequestsPerSecond) ?? defaults.accountRequestsPerSecond
        allowPrivateWebhookTargets =
            try c.decodeIfPresent(Bool.self, forKey: .allowPrivateWebhookTargets)
            ?? defaults.allowPrivateWebhookTargets
        webhookRetrySeconds =
            try c.decodeIfPresent([Double].self, forKey: .webhookRetrySeconds) ?? defaults.webhookRetrySeconds
        webhookMaxAgeSeconds =
            try c.decodeIfPresent(Double.self, forKey: .webhookMaxAgeSeconds) ?? defaults.webhookMaxAgeSeconds
        webhookConcurrency =
            try c.decodeIfPresent(Int.self, forKey: .webhookConcurrency) ?? defaults.webhookConcurrency
        metricsAddress = try c.decodeIfPresent(String.self, forKey: .metricsAddress)
    }
}

extension ServiceConfiguration {
    /// What is wrong with the values, one line each (empty when the service can start with them).
    /// Problems of the configured channels against the carriers' definitions (an unknown carrier, a kind it does not
    /// carry, settings missing or unknown, an address of the wrong shape); `carrier serve` refuses to start on any.
    public func channelProblems(gateway: any CarrierGateway) -> [String] {
        var problems: [String] = []
        for seed in channels {
            guard gateway.carrierIds.contains(seed.provider) else {
                problems.append("channel '\(seed.id)': no carrier '\(seed.provider)' is loaded")
                continue
            }
            for problem in gateway.channelProblems(
                carrier: seed.provider, channel: seed.channel, address: seed.address, settings: seed.settings)
            {
                problems.append("channel '\(seed.id)': \(problem.attribute): \(problem.message) [\(problem.code)]")
            }
        }
        return problems
    }

    public var problems: [String] {
        var problems: [String] = []
        if !(0...65_535).contains(port) { problems.append("port must be between 0 and 65535, not \(port)") }
        if databasePath.isEmpty { problems.append("databasePath must not be empty") }
        if let databaseURL {
            do {
                _ = try PostgresLocation(url: databaseURL)
            } catch {
                problems.append(error.message)
            }
        }
        if !(1...500).contains(databaseConnections) {
            problems.append("databaseConnections must be between 1 and 500, not \(databaseConnections)")
        }
        if maxSendAttempts < 1 { problems.append("maxSendAttempts must be at least 1, not \(maxSendAttempts)") }
        if retryBaseDelaySeconds < 0 || retryMaxDelaySeconds < 0 {
            problems.append("retryBaseDelaySeconds and retryMaxDelaySeconds must not be negative")
        }
        if !(idleTimeoutSeconds > 0) {
            problems.append("idleTimeoutSeconds must be positive, not \(idleTimeoutSeconds)")
        }
        for (name, hours) in [("idempotencyKeyHours", idempotencyKeyHours), ("pendingStatusHours", pendingStatusHours)]
        where !(hours > 0) {
            problems.append("\(name) must be positive, not \(hours)")
        }
        if !(0...600_000).contains(sendWaitMs) {
            problems.append("sendWaitMs must be between 0 and 600000, not \(sendWaitMs)")
        }
        if !(maxSendAgeSeconds > 0) { problems.append("maxSendAgeSeconds must be positive, not \(maxSendAgeSeconds)") }
        if defaultValiditySeconds < 1 {
            problems.append("defaultValiditySeconds must be at least 1, not \(defaultValiditySeconds)")
        }
        if !(leaseSeconds >= 5) { problems.append("leaseSeconds must be at least 5, not \(leaseSeconds)") }
        for seed in channels {
            if let rate = seed.ratePerSecond, !(rate > 0) {
                problems.append("channel '\(seed.id)': ratePerSecond must be positive, not \(rate)")
            }
            if let validity = seed.validitySeconds, validity < 1 {
                problems.append("channel '\(seed.id)': validitySeconds must be at least 1, not \(validity)")
            }
        }
        if !(1...65_536).contains(carrierConcurrency) {
            problems.append("carrierConcurrency must be between 1 and 65536, not \(carrierConcurrency)")
        }
        if !(requestTimeoutSeconds > 0 && requestTimeoutSeconds <= 30) {
            problems.append("requestTimeoutSeconds must be above 0 and at most 30, not \(requestTimeoutSeconds)")
        }
        if maxConnectionsPerClient < 1 {
            problems.append("maxConnectionsPerClient must be at least 1, not \(maxConnectionsPerClient)")
        }
        if maxAuthFailuresPerMinute < 1 {
            problems.append("maxAuthFailuresPerMinute must be at least 1, not \(maxAuthFailuresPerMinute)")
        }
        if !(accountRequestsPerSecond >= 0) {
            problems.append("accountRequestsPerSecond must not be negative, not \(accountRequestsPerSecond)")
        }
        if webhookRetrySeconds.count > 20 || webhookRetrySeconds.contains(where: { !($0 >= 0) }) {
            problems.append("webhookRetrySeconds must hold at most 20 waits, none negative")
        }
        if !(webhookMaxAgeSeconds > 0) {
            problems.append("webhookMaxAgeSeconds must be positive, not \(webhookMaxAgeSeconds)")
        }
        if !(1...4096).contains(webhookConcurrency) {
            problems.append("webhookConcurrency must be between 1 and 4096, not \(webhookConcurrency)")
        }
        if let metricsAddress, Self.hostAndPort(metricsAddress) == nil {
            problems.append("metricsAddress must be host:port (port 0-65535), not '\(metricsAddress)'")
        }
        for host in carrierHosts where host.isEmpty || host.contains("/") || host.contains(":") {
            problems.append("carrierHosts: '\(host)' is not a host name (no scheme, port or path)")
        }
        for (index, seed) in channels.enumerated() where seed.id.isEmpty || seed.id.contains("/") {
            problems.append("channels[\(index)].id must be non-empty and contain no '/'")
        }
        return problems
    }
}

extension ServiceConfiguration {
    /// Splits `host:port` (`[::1]:9090` for IPv6); nil when it is not one.
    static func hostAndPort(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
