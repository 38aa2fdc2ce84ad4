internal import Foundation

/// Decodes one definition's YAML tree. Returns the adapter (nil when any error was found) and all diagnostics.
func decodeCarrierDefinition(_ root: YAMLNode, file: String) -> (adapter: Adapter?, diagnostics: [Diagnostic]) {
    let decoder = DefinitionDecoder(file: file)
    let adapter = decoder.decodeDefinition(root)
    let diagnostics = decoder.diagnostics
    return (diagnostics.hasErrors ? nil : adapter, diagnostics)
}

extension DefinitionDecoder {
    static let topLevelKeys = [
        "formatVersion", "id", "name", "docs", "channels", "limits", "options", "settings", "auth", "send",
        "response", "inbound", "statuses", "addresses",
    ]
    static let channelNames = ["sms", "mms", "whatsapp", "rcs"]

    func decodeDefinition(_ root: YAMLNode) -> Adapter? {
        guard
            let f = fields(
                root, "the carrier definition", known: Self.topLevelKeys,
                required: ["formatVersion", "id", "name", "channels", "send"])
        else { return nil }

        if let node = f["formatVersion"], let v = int(node, "formatVersion"), v != 1 {
            error(
                "unsupported-format-version", "formatVersion \(v) is not supported; this compiler reads version 1",
                at: node)
        }
        var id = ""
        if let node = f["id"], let s = string(node, "id") {
            if s.range(of: "^[a-z0-9_]+$", options: .regularExpression) == nil {
                error("bad-id", "carrier id '\(s)' must use only a-z, 0-9 and _", at: node)
            }
            id = s
        }
        let name = f["name"].flatMap { string($0, "name") } ?? ""
        var docs: String? = nil
        if let node = f["docs"], let s = string(node, "docs") {
            if !isHTTPURL(s) { error("bad-url", "docs must be an http(s) URL, found '\(s)'", at: node) }
            docs = s
        }
        var channels: [String] = []
        if let node = f["channels"], let items = list(node, "channels") {
            for item in items {
                if let c = choice(item, "a channel", Self.channelNames) { channels.append(c) }
            }
            if items.isEmpty { error("invalid-value", "channels must name at least one channel", at: node) }
        }
        let limits = f["limits"].map { decodeLimits($0, channels: channels) } ?? Limits()
        let options = f["options"].map(decodeOptions) ?? Options()
        let settings = f["settings"].map(decodeSettings) ?? [:]
        let auth = f["auth"].map(decodeAuth) ?? AuthRule()
        let send = f["send"].flatMap(decodeSend)
        let statuses = f["statuses"].flatMap(decodeStatuses)
        let response = f["response"].map(decodeResponse) ?? ResponseRule()
        let inbound = f["inbound"].flatMap(decodeInbound)
        let addresses = f["addresses"].flatMap(decodeAddresses)

        if statuses == nil {
            let readsStatus =
                response.status != nil
                || (inbound?.events.contains { $0.type == .status } ?? false)
            if readsStatus {
                error(
                    "missing-key", "a provider status is read, so 'statuses' (the status map) is required",
                    at: startOf(root))
            }
        }
        guard let send else { return nil }
        return Adapter(
            id: id, name: name, docs: docs, channels: channels, limits: limits, options: options, settings: settings,
            auth: auth, send: send, response: response, inbound: inbound, statuses: statuses,
            addresses: addresses, origin: "\(file):\(root.range.start.line):\(root.range.start.column)")
    }

    func isHTTPURL(_ s: String) -> Bool {
        guard let url = URL(string: s), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return false }
        return true
    }

    func origin(_ node: YAMLNode) -> String { node.range.origin }

    // MARK: - limits, options, settings

    func decodeLimits(_ node: YAMLNode, channels: [String]) -> Limits {
        var limits = Limits()
        guard
            let f = fields(
                node, "limits",
                known: [
                    "maxParts", "maxMedia", "ratePerSecond", "connectTimeoutMs", "timeoutMs", "maxRetries", "byChannel",
                    "mediaTypes", "strictMediaTypes",
                ])
        else { return limits }
        if let n = f["maxParts"], let v = int(n, "limits.maxParts", min: 1) { limits.maxParts = v }
        if let n = f["maxMedia"], let v = maxMedia(n, "limits.maxMedia") { limits.maxMedia = v }
        if let n = f["ratePerSecond"], let v = double(n, "limits.ratePerSecond") { limits.ratePerSecond = v }
        if let n = f["connectTimeoutMs"], let v = int(n, "limits.connectTimeoutMs", min: 1) {
            limits.connectTimeoutMs = v
        }
        if let n = f["timeoutMs"], let v = int(n, "limits.timeoutMs", min: 1) { limits.timeoutMs = v }
        if let n = f["maxRetries"], let v = int(n, "limits.maxRetries", min: 0) { limits.maxRetries = v }
        if let n = f["mediaTypes"] { limits.mediaTypes = mediaTypes(n, "limits.mediaTypes") }
        if let n = f["strictMediaTypes"], let v = bool(n, "limits.strictMediaTypes") { limits.strictMediaTypes = v }
        if let n = f["byChannel"] {
            var byChannel: [String: ChannelLimits] = [:]
            for (channel, keyNode, value) in pairs(n, "limits.byChannel") {
                guard channels.contains(channel) else {
                    error(
                        "invalid-value",
                        "limits.byChannel names '\(channel)', which is not in channels (\(channels.joined(separator: ", ")))",
                        at: keyNode)
                    continue
                }
                let what = "limits.byChannel.\(channel)"
                guard
                    let cf = fields(
                        value, what, known: ["maxParts", "maxMedia", "mediaTypes", "strictMediaTypes"])
                else { continue }
                var entry = ChannelLimits()
                if let m = cf["maxParts"], let v = int(m, "\(what).maxParts", min: 1) { entry.maxParts = v }
                if let m = cf["maxMedia"], let v = maxMedia(m, "\(what).maxMedia") { entry.maxMedia = v }
                if let m = cf["mediaTypes"] { entry.mediaTypes = mediaTypes(m, "\(what).mediaTypes") }
                if let m = cf["strictMediaTypes"], let v = bool(m, "\(what).strictMediaTypes") {
                    entry.strictMediaTypes = v
                }
                byChannel[channel] = entry
            }
            if !byChannel.isEmpty { limits.byChannel = byChannel }
        }
        return limits
    }

    /// A `mediaTypes` list: MIME types (`image/jpeg`, or `image/*`), lower-cased; each bad or repeated item is
    /// reported at its own position.
    private func mediaTypes(_ node: YAMLNode, _ what: String) -> [String]? {
        guard let items = list(node, what) else { return nil }
        if items.isEmpty { error("invalid-value", "\(what) must name at least one media type", at: node) }
        var types: [String] = []
        for item in items {
            guard let text = string(item, "each item of \(what)") else { continue }
            let type = text.lowercased()
            guard MediaType.isValid(type, wildcard: true) else {
                error(
                    "bad-media-type",
                    "'\(text)' in \(what) is not a media type: write type/subtype (e.g. image/jpeg or image/*), without parameters",
                    at: item)
                continue
            }
            if types.contains(type) {
                error("invalid-value", "\(what) lists '\(type)' twice", at: item)
                continue
            }
            types.append(type)
        }
        return types
    }

    /// A `maxMedia` value: 0 to 10.
    private func maxMedia(_ node: YAMLNode, _ what: String) -> Int? {
        guard let v = int(node, what, min: 0) else { return nil }
        if v > 10 {
            error("invalid-value", "\(what) is at most 10, found \(v)", at: node)
            return nil
        }
        return v
    }

    func decodeOptions(_ node: YAMLNode) -> Options {
        var options = Options()
        guard let f = fields(node, "options", known: ["templates", "smartEncoding"]) else { return options }
        if let n = f["templates"], let v = bool(n, "options.templates") { options.templates = v }
        if let n = f["smartEncoding"], let v = bool(n, "options.smartEncoding") { options.smartEncoding = v }
        return options
    }

    func decodeSettings(_ node: YAMLNode) -> [String: SettingSpec] {
        var result: [String: SettingSpec] = [:]
        let kinds = SettingSpec.Kind.allCases.map(\.rawValue)
        // Names first, so that templates anywhere can be checked against them.
        for (name, keyNode, value) in pairs(node, "settings") {
            if name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) == nil {
                error("bad-setting-name", "setting name '\(name)' must match [A-Za-z_][A-Za-z0-9_]*", at: keyNode)
                continue
            }
            settingNames.insert(name)
            guard
                let f = fields(
                    value, "setting '\(name)'", known: ["type", "required", "default", "description"],
                    required: ["type"])
            else { continue }
            guard let typeNode = f["type"], let t = choice(typeNode, "settings.\(name).type", kinds),
                let kind = SettingSpec.Kind(rawValue: t)
            else { continue }
            settingKinds[name] = kind
            var defaultValue: String? = nil
            if let d = f["default"] {
                defaultValue = string(d, "settings.\(name).default")
                if kind == .secret {
                    warning(
                        "inline-secret",
                        "secret setting '\(name)' has a default value; secrets belong to channels, as references such as env:NAME",
                        at: d)
                    defaultValue = nil
                } else if kind == .url, let v = defaultValue, !isHTTPURL(v) {
                    error("bad-url", "default of url setting '\(name)' must be an http(s) URL, found '\(v)'", at: d)
                }
            }
            var required = defaultValue == nil
            if let r = f["required"], let v = bool(r, "settings.\(name).required") { required = v }
            let description = f["description"].flatMap { string($0, "settings.\(name).description") }
            result[name] = SettingSpec(type: kind, required: required, default: defaultValue, description: description)
        }
        return result
    }

    /// `addresses: { format, defaultCountry }`; `defaultCountry` is required with `national` and refused otherwise.
    func decodeAddresses(_ node: YAMLNode) -> AddressRule? {
        guard let f = fields(node, "addresses", known: ["format", "defaultCountry"], required: ["format"]),
            let formatNode = f["format"],
            let name = choice(formatNode, "addresses.format", AddressRule.Format.allCases.map(\.rawValue)),
            let format = AddressRule.Format(rawValue: name)
        else { return nil }
        var rule = AddressRule(format: format)
        if let n = f["defaultCountry"], let code = string(n, "addresses.defaultCountry") {
            if code.range(of: "^[1-9][0-9]{0,2}$", options: .regularExpression) == nil {
                error(
                    "invalid-value",
                    "addresses.defaultCountry must be a country calling code of 1 to 3 digits (e.g. 254), found '\(code)'",
                    at: n)
            } else if format != .national {
                error("invalid-value", "addresses.defaultCountry only applies to format 'national'", at: n)
            } else {
                rule.defaultCountry = code
            }
        } else if format == .national {
            error("missing-key", "addresses format 'national' needs 'defaultCountry'", at: startOf(node))
        }
        return rule
    }

    // MARK: - auth

    func decodeAuth(_ node: YAMLNode) -> AuthRule {
        var auth = AuthRule()
        let known = [
            "type", "username", "password", "token", "name", "value", "header", "algorithm", "key", "message",
            "encoding", "prefix",
        ]
        guard let f = fields(node, "auth", known: known, required: ["type"]) else { return auth }
        auth.origin = origin(node)
        guard let typeNode = f["type"],
            let t = choice(typeNode, "auth.type", AuthRule.Kind.allCases.map(\.rawValue)),
            let kind = AuthRule.Kind(rawValue: t)
        else { return auth }
        auth.type = kind
        let needs: [String]
        switch kind {
        case .none: needs = []
        case .basic: needs = ["username", "password"]
        case .bearer: needs = ["token"]
        case .header, .query, .body: needs = ["name", "value"]
        case .hmac: needs = ["header", "key", "message"]
        }
        let allowedFor: [AuthRule.Kind: Set<String>] = [
            .none: [], .basic: ["username", "password"], .bearer: ["token"], .header: ["name", "value"],
            .query: ["name", "value"], .body: ["name", "value"],
            .hmac: ["header", "algorithm", "key", "message", "encoding", "prefix"],
        ]
        for key in f.order where key != "type" && !(allowedFor[kind]?.contains(key) ?? false) {
            if let k = f.keyNode(key) {
                error("unknown-key", "key '\(key)' does not apply to auth type '\(kind.rawValue)'", at: k)
            }
        }
        for key in needs where !f.has(key) {
            error("missing-key", "auth type '\(kind.rawValue)' needs key '\(key)'", at: startOf(node))
        }
        func secretTemplate(_ key: String) -> Template? {
            guard let n = f[key], let t = template(n, "auth.\(key)", place: .send) else { return nil }
            if t.isLiteral, !t.source.isEmpty, ["password", "token", "value", "key"].contains(key) {
                warning(
                    "inline-secret",
                    "auth.\(key) is written inline; refer to a secret setting instead ({{ settings.name }})", at: n)
            }
            return t
        }
        auth.username = f["username"].flatMap { template($0, "auth.username", place: .send) }
        auth.password = secretTemplate("password")
        auth.token = secretTemplate("token")
        auth.name = f["name"].flatMap { string($0, "auth.name") }
        auth.value = secretTemplate("value")
        auth.header = f["header"].flatMap { string($0, "auth.header") }
        auth.key = secretTemplate("key")
        auth.message = f["message"].flatMap { template($0, "auth.message", place: .authMessage) }
        if let n = f["algorithm"] { auth.algorithm = term(n, "auth.algorithm", HMACAlgorithm.self) }
        if kind == .hmac, auth.algorithm == nil { auth.algorithm = .sha256 }
        if let n = f["encoding"] { auth.encoding = term(n, "auth.encoding", SignatureEncoding.self) }
        auth.prefix = f["prefix"].flatMap { string($0, "auth.prefix") }
        return auth
    }
}
