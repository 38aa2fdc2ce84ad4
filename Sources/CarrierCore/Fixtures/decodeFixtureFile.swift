/// Parses and checks one fixture file; returns nil when it has errors, plus every diagnostic.
///
/// - Parameter defaultCarrier: the carrier id to use when the file has no `carrier` key.
public func decodeFixtureFile(_ input: InputFile, defaultCarrier: String) -> (
    file: FixtureFile?, diagnostics: [Diagnostic]
) {
    let (root, yamlDiagnostics) = YAMLReader.read(input.bytes, file: input.path)
    guard let root, !yamlDiagnostics.hasErrors else { return (nil, yamlDiagnostics) }
    let d = DefinitionDecoder(file: input.path)
    let file = d.decodeFixtures(root, defaultCarrier: defaultCarrier)
    let all = (yamlDiagnostics + d.diagnostics).sortedForOutput()
    return (all.hasErrors ? nil : file, all)
}

extension DefinitionDecoder {
    static let expectKeys: [FixtureCase.Kind: [String]] = [
        .outbound: ["method", "url", "headers", "body", "bodyJSON", "bodyForm", "error"],
        .response: [
            "outcome", "providerMessageId", "providerStatus", "errorCode", "errorMessage", "retryAfterSeconds",
        ],
        .inbound: ["events", "reply", "error", "ignored"],
    ]
    static let eventKeys = [
        "type", "from", "to", "text", "media", "providerMessageId", "timestamp", "optOut", "reference", "status",
        "providerStatus", "errorCode", "errorMessage", "unmappedStatus", "carrier", "partReference", "partTotal",
        "partNumber",
    ]

    func decodeFixtures(_ root: YAMLNode, defaultCarrier: String) -> FixtureFile? {
        guard
            let f = fields(
                root, "the fixture file", known: ["carrier", "settings", "publicBaseUrl", "cases"], required: ["cases"])
        else { return nil }
        let carrier = f["carrier"].flatMap { string($0, "carrier") } ?? defaultCarrier
        let settings = f["settings"].map { settingValues($0, "settings") } ?? [:]
        let publicBaseUrl = f["publicBaseUrl"].flatMap { string($0, "publicBaseUrl") }
        var cases: [FixtureCase] = []
        var names: [String: YAMLNode] = [:]
        if let n = f["cases"], let items = list(n, "cases") {
            for item in items {
                guard let c = decodeCase(item, settings: settings) else { continue }
                if let first = names[c.name] {
                    error(
                        "duplicate-case", "duplicate case name '\(c.name)'", at: item,
                        notes: [.init(message: "first defined here", range: first.range)])
                    continue
                }
                names[c.name] = item
                cases.append(c)
            }
        }
        return FixtureFile(path: file, carrier: carrier, settings: settings, publicBaseUrl: publicBaseUrl, cases: cases)
    }

    private func settingValues(_ node: YAMLNode, _ what: String) -> [String: String] {
        var result: [String: String] = [:]
        for (key, _, value) in pairs(node, what) {
            if let s = value.scalar, !value.isNull {
                result[key] = s
            } else {
                error("wrong-type", "\(what).\(key) must be a string", at: value)
            }
        }
        return result
    }

    private func decodeCase(_ node: YAMLNode, settings: [String: String]) -> FixtureCase? {
        guard
            let f = fields(
                node, "a fixture case",
                known: ["name", "source", "kind", "settings", "message", "response", "request", "now", "expect"],
                required: ["name", "kind", "expect"]),
            let nameNode = f["name"], let name = string(nameNode, "name"),
            let kindNode = f["kind"], let k = choice(kindNode, "kind", FixtureCase.Kind.allCases.map(\.rawValue)),
            let kind = FixtureCase.Kind(rawValue: k)
        else { return nil }
        var merged = settings
        if let n = f["settings"] {
            for (k, v) in settingValues(n, "settings") { merged[k] = v }
        }
        let inputKey: String
        switch kind {
        case .outbound: inputKey = "message"
        case .response: inputKey = "response"
        case .inbound: inputKey = "request"
        }
        for other in ["message", "response", "request"] where other != inputKey {
            if let k = f.keyNode(other) {
                error("unknown-key", "a \(kind.rawValue) case takes '\(inputKey)', not '\(other)'", at: k)
            }
        }
        if !f.has(inputKey) { error("missing-key", "a \(kind.rawValue) case needs '\(inputKey)'", at: startOf(node)) }
        var c = FixtureCase(
            name: name, source: f["source"].flatMap { string($0, "source") }, kind: kind, settings: merged,
            origin: origin(node), message: nil, http: nil, now: f["now"].flatMap { int($0, "now") }, expect: [:])
        if kind == .outbound, let n = f["message"] {
            if case .mapping = n.kind {
                c.message = PayloadValue(n)
            } else {
                error("wrong-type", "message must be a mapping", at: n)
            }
        }
        if kind != .outbound, let n = f[inputKey] { c.http = exchange(n, kind: kind) }
        if let n = f["expect"], let ef = fields(n, "expect", known: Self.expectKeys[kind] ?? []) {
            for key in ef.order { if let v = ef[key] { c.expect[key] = PayloadValue(v) } }
            if kind == .inbound, let events = ef["events"], let items = list(events, "expect.events") {
                for item in items {
                    _ = fields(item, "an expected event", known: Self.eventKeys, required: ["type"])
                    if case .mapping(let pairs) = item.kind,
                        let t = pairs.first(where: { $0.key.scalar == "type" })?.value
                    {
                        _ = choice(t, "event type", ["message.received", "message.status"])
                    }
                }
            }
            if kind == .outbound, ["body", "bodyJSON", "bodyForm"].filter(ef.has).count > 1 {
                error("invalid-value", "expect takes one of body, bodyJSON or bodyForm", at: n)
            }
        }
        return c
    }

    private func exchange(_ node: YAMLNode, kind: FixtureCase.Kind) -> FixtureCase.HTTPExchange? {
        let known = kind == .response ? ["status", "headers", "body"] : ["method", "url", "headers", "body"]
        guard
            let f = fields(
                node, kind == .response ? "response" : "request", known: known,
                required: kind == .response ? ["status"] : ["url"])
        else { return nil }
        var headers: [(name: String, value: String)] = []
        if let n = f["headers"] {
            for (k, _, v) in pairs(n, "headers") {
                if let s = v.scalar, !v.isNull {
                    headers.append((k, s))
                } else {
                    error("wrong-type", "header \(k) must be a string", at: v)
                }
            }
        }
        return FixtureCase.HTTPExchange(
            method: f["method"].flatMap { string($0, "method") }, url: f["url"].flatMap { string($0, "url") },
            status: f["status"].flatMap { int($0, "status") }, headers: headers,
            body: f["body"].flatMap { $0.isNull ? "" : string($0, "body") } ?? "")
    }
}
