import Foundation
import Testing

@testable import CarrierCore

/// Keeps `schema/*.schema.json` in step with the decoder and the adapter table types.
///
/// The decoder is the truth. Key lists that it keeps inside its functions are written out here, and each one is
/// checked twice: against the schema, and against the decoder itself by compiling a snippet that uses every listed
/// key (no `unknown-key`) and one that adds a key nobody knows (exactly one `unknown-key`).
@Suite struct SchemaSyncTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemaFiles = ["carrier.schema.json", "fixture.schema.json", "adapter-table.schema.json"]

    // MARK: - (a) every schema parses

    @Test(arguments: schemaFiles)
    func schemaParsesAsDraft202012(_ name: String) throws {
        let schema = try JSONSchemaDocument(file: name)
        #expect(schema.root["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema.root["type"] as? String == "object")
        #expect(try schema.danglingReferences().isEmpty)
    }

    // MARK: - (b) definition keys

    /// One mapping of the definition format: its keys, where the schema lists them, and a snippet that puts a
    /// flow mapping of keys (written `KEYS`) in that place.
    struct KeySection: Sendable, CustomStringConvertible {
        var name: String
        var keys: [String]
        var schemaPointer: String
        var snippet: String

        var description: String { name }
    }

    /// A definition's required keys but `send`.
    static let preamble = "formatVersion: 1\nid: probe\nname: Probe\nchannels: [sms]\n"
    static let base = preamble + "send: {url: \"https://example.com/send\", format: none}\n"
    static let inboundBase = base + "inbound: {format: form, events: [{type: ignore}], "

    static let definitionSections: [KeySection] = [
        KeySection(name: "top level", keys: DefinitionDecoder.topLevelKeys, schemaPointer: "", snippet: "KEYS"),
        KeySection(
            name: "limits",
            keys: [
                "maxParts", "maxMedia", "ratePerSecond", "connectTimeoutMs", "timeoutMs", "maxRetries", "byChannel",
                "mediaTypes", "strictMediaTypes",
            ],
            schemaPointer: "/$defs/limits", snippet: base + "limits: KEYS"),
        KeySection(
            name: "options", keys: ["templates", "smartEncoding"], schemaPointer: "/$defs/options",
            snippet: base + "options: KEYS"),
        KeySection(
            name: "a setting", keys: ["type", "required", "default", "description"], schemaPointer: "/$defs/setting",
            snippet: base + "settings: {s: KEYS}"),
        KeySection(
            name: "auth",
            keys: [
                "type", "username", "password", "token", "name", "value", "header", "algorithm", "key", "message",
                "encoding", "prefix",
            ],
            schemaPointer: "/$defs/auth", snippet: base + "auth: KEYS"),
        KeySection(
            name: "send",
            keys: ["method", "url", "headers", "format", "body", "template", "variants", "deduplicatesByReference"],
            schemaPointer: "/$defs/send",
            snippet: preamble + "send: KEYS"),
        KeySection(
            name: "a send variant", keys: ["when", "url", "body", "template"], schemaPointer: "/$defs/variant",
            snippet: preamble + "send: {url: \"https://example.com\", format: form, body: {a: b}, variants: [KEYS]}"),
        KeySection(
            name: "a $each block", keys: ["$each", "$item"], schemaPointer: "/$defs/each",
            snippet: preamble + "send: {url: \"https://example.com\", format: json, body: {a: KEYS}}"),
        KeySection(
            name: "response",
            keys: [
                "format", "success", "messageId", "status", "errorCode", "errorMessage", "retry", "retryAfterHeader",
            ],
            schemaPointer: "/$defs/response", snippet: base + "response: KEYS"),
        KeySection(
            name: "response.success", keys: ["status", "when"], schemaPointer: "/$defs/response/properties/success",
            snippet: base + "response: {success: KEYS}"),
        KeySection(
            name: "response.retry", keys: ["status", "codes"], schemaPointer: "/$defs/response/properties/retry",
            snippet: base + "response: {retry: KEYS}"),
        KeySection(
            name: "a response value extractor", keys: DefinitionDecoder.plainExtractorKeys,
            schemaPointer: "/$defs/extractor/anyOf/1/propertyNames/enum",
            snippet: base + "response: {messageId: KEYS}"),
        KeySection(
            name: "a condition",
            keys: ["path", "equals", "in", "matches", "exists", "bodyPrefix", "bodyMatches", "all", "any", "not"],
            schemaPointer: "/$defs/condition", snippet: base + "response: {success: {when: KEYS}}"),
        KeySection(
            name: "inbound",
            keys: ["format", "caseInsensitiveKeys", "signature", "handshake", "reply", "events", "optOut"],
            schemaPointer: "/$defs/inbound", snippet: base + "inbound: KEYS"),
        KeySection(
            name: "inbound.signature",
            keys: [
                "scheme", "header", "secret", "encoding", "prefix", "timestampHeader", "nonceHeader", "publicKey",
                "toleranceSeconds", "algorithm", "param", "optional",
            ],
            schemaPointer: "/$defs/signature", snippet: inboundBase + "signature: KEYS}"),
        KeySection(
            name: "inbound.reply", keys: ["status", "contentType", "body"], schemaPointer: "/$defs/reply",
            snippet: inboundBase + "reply: KEYS}"),
        KeySection(
            name: "inbound.optOut", keys: ["stop", "start"], schemaPointer: "/$defs/inbound/properties/optOut",
            snippet: inboundBase + "optOut: KEYS}"),
        KeySection(
            name: "an inbound event rule", keys: ["type", "name", "each", "when", "fields"],
            schemaPointer: "/$defs/eventRule", snippet: base + "inbound: {format: form, events: [KEYS]}"),
        KeySection(
            name: "an event field extractor", keys: DefinitionDecoder.fieldExtractorKeys,
            schemaPointer: "/$defs/fieldExtractor/anyOf/1/propertyNames/enum",
            snippet: base + "inbound: {format: form, events: [{type: message, fields: {from: KEYS}}]}"),
        KeySection(
            name: "an encoding selector", keys: ["path", "map"],
            schemaPointer: "/$defs/fieldExtractor/anyOf/1/properties/encoding/anyOf/1",
            snippet: base
                + "inbound: {format: form, events: [{type: message, fields: {from: {path: a, encoding: KEYS}}}]}"),
        KeySection(
            name: "statuses", keys: ["map", "default", "caseInsensitive"], schemaPointer: "/$defs/statuses",
            snippet: base + "statuses: KEYS"),
        KeySection(
            name: "addresses", keys: ["format", "defaultCountry"], schemaPointer: "/$defs/addresses",
            snippet: base + "addresses: KEYS"),
    ]

    @Test(arguments: definitionSections)
    func definitionSchemaKeysMatchDecoder(_ section: KeySection) throws {
        let schema = try JSONSchemaDocument(file: "carrier.schema.json")
        #expect(try schema.keys(at: section.schemaPointer) == Set(section.keys), "\(section.name)")
        #expect(Set(section.keys).count == section.keys.count)
        try Self.expectDecoderKnows(section, compile: Self.definitionDiagnostics)
    }

    /// Every extractor key has a described property in the schema, not only a name in `propertyNames`.
    @Test func extractorKeysAreDescribed() throws {
        let schema = try JSONSchemaDocument(file: "carrier.schema.json")
        let shared = try schema.keys(at: "/$defs/extractorKeys")
        #expect(shared == Set(DefinitionDecoder.plainExtractorKeys))
        let fieldOnly = try schema.keys(at: "/$defs/fieldExtractor/anyOf/1")
        #expect(shared.union(fieldOnly) == Set(DefinitionDecoder.fieldExtractorKeys))
    }

    /// The keys each auth type allows, as the decoder reports them, are the schema's per-type `propertyNames`.
    @Test(arguments: AuthRule.Kind.allCases)
    func authKeysPerTypeMatchDecoder(_ kind: AuthRule.Kind) throws {
        let schema = try JSONSchemaDocument(file: "carrier.schema.json")
        let allKeys = try schema.keys(at: "/$defs/auth").subtracting(["type"]).sorted()
        let mapping = (["type: \(kind.rawValue)"] + allKeys.map { "\($0): \"{{ carrier.id }}\"" }).joined(
            separator: ", ")
        let diagnostics = try Self.definitionDiagnostics(Self.base + "auth: {\(mapping)}")
        let rejected = Set(
            allKeys.filter { key in
                diagnostics.contains { $0.code == "unknown-key" && $0.message.hasPrefix("key '\(key)' ") }
            })
        let allowedByDecoder = Set(allKeys).subtracting(rejected).union(["type"])

        let rules = try #require(schema.value(at: "/$defs/auth/allOf") as? [Any])
        let matching = try rules.compactMap { rule -> Set<String>? in
            let rule = try #require(rule as? [String: Any])
            let condition = try #require(schema.value(at: "/if/properties/type", in: rule) as? [String: Any])
            let kinds = (condition["const"] as? String).map { [$0] } ?? (condition["enum"] as? [String]) ?? []
            guard kinds.contains(kind.rawValue) else { return nil }
            return Set(try #require(schema.value(at: "/then/propertyNames/enum", in: rule) as? [String]))
        }
        #expect(matching == [allowedByDecoder], "auth type \(kind.rawValue)")
    }

    /// The event fields the schema allows per event type are the decoder's.
    @Test func eventFieldsMatchDecoder() throws {
        let schema = try JSONSchemaDocument(file: "carrier.schema.json")
        let rules = try #require(schema.value(at: "/$defs/eventRule/allOf") as? [[String: Any]])
        var byType: [String: Set<String>] = [:]
        for rule in rules {
            guard let type = schema.value(at: "/if/properties/type/const", in: rule) as? String,
                let names = schema.value(at: "/then/properties/fields/propertyNames/enum", in: rule) as? [String]
            else { continue }
            byType[type] = Set(names)
        }
        #expect(byType == ["message": EventRule.messageFields, "status": EventRule.statusFields])
    }

    // MARK: - (c) enums

    @Test func definitionEnumsMatchCode() throws {
        let schema = try JSONSchemaDocument(file: "carrier.schema.json")
        let expected: [(String, [String])] = [
            ("/$defs/channel/enum", DefinitionDecoder.channelNames),
            ("/$defs/auth/properties/type/enum", AuthRule.Kind.allCases.map(\.rawValue)),
            ("/$defs/signature/properties/scheme/enum", SignatureRule.Scheme.allCases.map(\.rawValue)),
            ("/$defs/canonicalStatus/enum", CanonicalStatus.names),
            ("/$defs/send/properties/format/enum", SendRule.Format.allCases.map(\.rawValue)),
            ("/$defs/inbound/properties/format/enum", InboundRule.Format.allCases.map(\.rawValue)),
            ("/$defs/setting/properties/type/enum", SettingSpec.Kind.allCases.map(\.rawValue)),
            ("/$defs/response/properties/format/enum", ResponseRule.Format.allCases.map(\.rawValue)),
            ("/$defs/eventRule/properties/type/enum", EventRule.Kind.allCases.map(\.rawValue)),
            ("/$defs/textEncoding/enum", TextEncoding.names),
            ("/$defs/addresses/properties/format/enum", AddressRule.Format.allCases.map(\.rawValue)),
        ]
        for (pointer, values) in expected {
            #expect(try schema.strings(at: pointer) == values, "\(pointer)")
        }
    }

    @Test func adapterTableEnumsMatchCode() throws {
        let schema = try JSONSchemaDocument(file: "adapter-table.schema.json")
        let expected: [(String, [String])] = [
            ("/$defs/adapter/properties/channels/items/enum", DefinitionDecoder.channelNames),
            ("/$defs/authRule/properties/type/enum", AuthRule.Kind.allCases.map(\.rawValue)),
            ("/$defs/signatureRule/properties/scheme/enum", SignatureRule.Scheme.allCases.map(\.rawValue)),
            ("/$defs/canonicalStatus/enum", CanonicalStatus.names),
            ("/$defs/sendRule/properties/format/enum", SendRule.Format.allCases.map(\.rawValue)),
            ("/$defs/inboundRule/properties/format/enum", InboundRule.Format.allCases.map(\.rawValue)),
            ("/$defs/settingSpec/properties/type/enum", SettingSpec.Kind.allCases.map(\.rawValue)),
            ("/$defs/responseRule/properties/format/enum", ResponseRule.Format.allCases.map(\.rawValue)),
            ("/$defs/eventRule/properties/type/enum", EventRule.Kind.allCases.map(\.rawValue)),
            ("/$defs/textEncoding/enum", TextEncoding.names),
            ("/$defs/addressRule/properties/format/enum", AddressRule.Format.allCases.map(\.rawValue)),
        ]
        for (pointer, values) in expected {
            #expect(try schema.strings(at: pointer) == values, "\(pointer)")
        }
        let fields = try #require(
            schema.value(at: "/$defs/eventRule/properties/fields/propertyNames/enum") as? [String])
        #expect(Set(fields) == EventRule.messageFields.union(EventRule.statusFields))
    }

    // MARK: - fixtures

    static let fixtureSections: [KeySection] = [
        KeySection(
            name: "the fixture file", keys: ["carrier", "settings", "publicBaseUrl", "cases"], schemaPointer: "",
            snippet: "KEYS"),
        KeySection(
            name: "a fixture case",
            keys: ["name", "source", "kind", "settings", "message", "response", "request", "now", "expect"],
            schemaPointer: "/$defs/case", snippet: "cases: [KEYS]"),
        KeySection(
            name: "a recorded response", keys: ["status", "headers", "body"], schemaPointer: "/$defs/response",
            snippet: "cases: [{name: a, kind: response, expect: {}, response: KEYS}]"),
        KeySection(
            name: "a recorded request", keys: ["method", "url", "headers", "body"], schemaPointer: "/$defs/request",
            snippet: "cases: [{name: a, kind: inbound, expect: {}, request: KEYS}]"),
    ]

    @Test(arguments: fixtureSections)
    func fixtureSchemaKeysMatchDecoder(_ section: KeySection) throws {
        let schema = try JSONSchemaDocument(file: "fixture.schema.json")
        #expect(try schema.keys(at: section.schemaPointer) == Set(section.keys), "\(section.name)")
        try Self.expectDecoderKnows(section, compile: Self.fixtureDiagnostics)
    }

    @Test func fixtureExpectationsMatchDecoder() throws {
        let schema = try JSONSchemaDocument(file: "fixture.schema.json")
        #expect(try schema.strings(at: "/$defs/case/properties/kind/enum") == FixtureCase.Kind.allCases.map(\.rawValue))
        let expects: [(FixtureCase.Kind, String)] = [
            (.outbound, "/$defs/outboundExpect"), (.response, "/$defs/responseExpect"),
            (.inbound, "/$defs/inboundExpect"),
        ]
        for (kind, pointer) in expects {
            #expect(try schema.keys(at: pointer) == Set(DefinitionDecoder.expectKeys[kind] ?? []), "\(kind)")
        }
        #expect(try schema.keys(at: "/$defs/event") == Set(DefinitionDecoder.eventKeys))
    }

    // MARK: - (d) adapter table

    @Test func adapterTableTopLevelMatchesCodingKeys() throws {
        let schema = try JSONSchemaDocument(file: "adapter-table.schema.json")
        let encoded = try Self.encodedKeys(AdapterTable(adapters: []))
        #expect(Set(try #require(schema.root["required"] as? [String])) == encoded)
        #expect(try schema.keys(at: "") == encoded)
        #expect(schema.value(at: "/properties/formatVersion/const") as? Int == AdapterTable.currentFormatVersion)
    }

    /// Each struct's schema: `required` is what a value with every optional unset encodes, `properties` what a
    /// value with every optional set encodes.
    @Test func adapterTableStructsMatchEncoding() throws {
        let schema = try JSONSchemaDocument(file: "adapter-table.schema.json")
        let samples = try AdapterTableSamples()
        for (name, minimal, full) in samples.structs {
            let required = Set(try #require(schema.value(at: "/$defs/\(name)/required") as? [String], "\(name)"))
            #expect(required == (try Self.encodedKeys(minimal)), "required keys of \(name)")
            #expect(try schema.keys(at: "/$defs/\(name)") == (try Self.encodedKeys(full)), "keys of \(name)")
        }
    }

    /// Each enum's `oneOf` branches are the key sets its cases encode to.
    @Test func adapterTableEnumsMatchEncoding() throws {
        let schema = try JSONSchemaDocument(file: "adapter-table.schema.json")
        let samples = try AdapterTableSamples()
        let enums: [(String, [any Encodable])] = [
            ("condition", samples.conditions), ("bodyNode", samples.bodyNodes), ("bodyTemplate", samples.bodyTemplates),
        ]
        for (name, cases) in enums {
            let branches = try #require(schema.value(at: "/$defs/\(name)/oneOf") as? [[String: Any]], "\(name)")
            let branchKeys = try branches.map { try schema.keys(in: $0) }
            let caseKeys = try cases.map { try Self.encodedKeys($0) }
            #expect(Set(branchKeys) == Set(caseKeys), "\(name)")
            #expect(branchKeys.count == caseKeys.count, "\(name)")
            for branch in branches {
                #expect(Set(branch["required"] as? [String] ?? []) == (try schema.keys(in: branch)), "\(name)")
            }
        }
    }

    /// A variant's `when` is an expression string or one of the objects its list and comparison cases encode to,
    /// in the definition schema and in the table schema alike.
    @Test(arguments: ["carrier.schema.json", "adapter-table.schema.json"])
    func variantConditionBranchesMatchEncoding(_ file: String) throws {
        let schema = try JSONSchemaDocument(file: file)
        let e = try TemplateExpression.parse("message.channel")
        let objects: [VariantCondition] = [
            .equals(e, ["sms"]), .equals(e, ["sms", "mms"]), .all([.holds(e)]), .any([.holds(e)]),
        ]
        let branches = try #require(schema.value(at: "/$defs/variantCondition/oneOf") as? [[String: Any]])
        let objectBranches = branches.filter { $0["$ref"] == nil }
        #expect(branches.compactMap { $0["$ref"] as? String } == ["#/$defs/expression"])
        let branchKeys = try objectBranches.map { try schema.keys(in: $0) }
        #expect(Set(branchKeys) == Set(try objects.map { try Self.encodedKeys($0) }))
        #expect(branchKeys.count == objects.count)
        let single = try JSONEncoder().encode(VariantCondition.holds(e))
        #expect(String(decoding: single, as: UTF8.self) == #""message.channel""#)
    }

    // MARK: - Helpers

    /// Compiles `section.snippet` with every listed key (expects no `unknown-key`), then with one more unknown key
    /// (expects exactly one `unknown-key`, naming it).
    static func expectDecoderKnows(
        _ section: KeySection, compile: (String) throws -> [Diagnostic],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        func snippet(_ keys: [String]) -> String {
            section.snippet.replacingOccurrences(
                of: "KEYS", with: "{" + keys.map { "\($0): x" }.joined(separator: ", ") + "}")
        }
        let known = try compile(snippet(section.keys)).filter { $0.code == "unknown-key" }
        #expect(known.isEmpty, "\(section.name): \(known.map(\.message))", sourceLocation: sourceLocation)
        let unknown = try compile(snippet(section.keys + ["zzNotAKey"])).filter { $0.code == "unknown-key" }
        #expect(unknown.count == 1, "\(section.name): \(unknown.map(\.message))", sourceLocation: sourceLocation)
        #expect(
            unknown.allSatisfy { $0.message.contains("'zzNotAKey'") }, "\(section.name)", sourceLocation: sourceLocation
        )
    }

    static func definitionDiagnostics(_ yaml: String) throws -> [Diagnostic] {
        let diagnostics = compileAdapterTable([InputFile(path: "probe/carrier.yaml", bytes: Array(yaml.utf8))])
            .diagnostics
        #expect(!diagnostics.contains { yamlCodes.contains($0.code) }, "snippet is not good YAML: \(diagnostics)")
        return diagnostics
    }

    static func fixtureDiagnostics(_ yaml: String) throws -> [Diagnostic] {
        let diagnostics = decodeFixtureFile(
            InputFile(path: "probe.yaml", bytes: Array(yaml.utf8)), defaultCarrier: "probe"
        )
        .diagnostics
        #expect(!diagnostics.contains { yamlCodes.contains($0.code) }, "snippet is not good YAML: \(diagnostics)")
        return diagnostics
    }

    /// Codes of the YAML reader: a probe snippet that gets one of these tests nothing.
    static let yamlCodes: Set<String> = [
        "yaml-syntax", "yaml-tab", "duplicate-key", "multiple-documents", "empty-file", "unknown-anchor",
    ]

    static func encodedKeys(_ value: any Encodable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
        return Set(try #require(object as? [String: Any]).keys)
    }
}

/// A schema file, with JSON Pointer look-ups that follow local `$ref`s.
struct JSONSchemaDocument {
    let root: [String: Any]

    init(file: String) throws {
        let url = SchemaSyncTests.repositoryRoot.appendingPathComponent("schema").appendingPathComponent(file)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        root = try #require(object as? [String: Any], "\(file) is not a JSON object")
    }

    /// The value at a JSON Pointer (`/a/0/b`), from `start` (default: the root).
    func value(at pointer: String, in start: Any? = nil) -> Any? {
        var current: Any? = start ?? root
        for token in pointer.split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let object = current as? [String: Any] {
                current = object[key] ?? resolved(object)?[key]
            } else if let array = current as? [Any], let index = Int(key), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    /// The object a local `$ref` points to.
    func resolved(_ object: [String: Any]) -> [String: Any]? {
        guard let ref = object["$ref"] as? String, ref.hasPrefix("#") else { return nil }
        return value(at: String(ref.dropFirst())) as? [String: Any]
    }

    /// Property names of the object schema at `pointer`, or the strings of the list there (an `enum`).
    func keys(at pointer: String) throws -> Set<String> {
        let node = try #require(value(at: pointer), "nothing at \(pointer)")
        if let list = node as? [String] { return Set(list) }
        return try keys(in: try #require(node as? [String: Any], "\(pointer) is not an object"))
    }

    func keys(in object: [String: Any]) throws -> Set<String> {
        let properties = try #require(object["properties"] as? [String: Any], "no properties")
        for (name, property) in properties {
            let p = try #require(property as? [String: Any], "\(name)")
            // Every property says what it is (directly, or the definition it refers to does).
            #expect(p["description"] is String || resolved(p)?["description"] is String, "no description: \(name)")
        }
        return Set(properties.keys)
    }

    func strings(at pointer: String) throws -> [String] {
        try #require(value(at: pointer) as? [String], "no string list at \(pointer)")
    }

    /// Local `$ref`s that point nowhere.
    func danglingReferences() throws -> [String] {
        var refs: [String] = []
        func walk(_ node: Any) {
            if let object = node as? [String: Any] {
                if let ref = object["$ref"] as? String { refs.append(ref) }
                object.values.forEach(walk)
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(root)
        return refs.filter { !$0.hasPrefix("#/") || value(at: String($0.dropFirst())) == nil }
    }
}

/// Adapter table values: each struct with every optional unset and with every optional set, and every case of
/// the enums with a custom JSON shape.
struct AdapterTableSamples {
    var structs: [(String, any Encodable, any Encodable)] = []
    var conditions: [any Encodable] = []
    var bodyNodes: [any Encodable] = []
    var bodyTemplates: [any Encodable] = []

    init() throws {
        let template = try Template.parse("{{ message.to }}")
        let path = try PathExpression.parse("a.b")
        let expression = try TemplateExpression.parse("message.media")

        let extractor = ValueExtractor(
            paths: [path], value: "v", regex: "(x)", stripPrefix: "p", format: .epoch, zone: .utc, encoding: .utf8,
            encodingFrom: .init(path: path, map: ["2": .hexUTF16BE]), numbered: "M{n}", count: path, default: "d",
            compose: try ComposedValue(parsing: "x{a.b}"))
        let condition = Condition.exists(path, true)
        let body = BodyTemplate.fields(.object([.init(key: "To", optional: true, value: .template(template))]))

        var limits = Limits()
        limits.ratePerSecond = 5
        limits.maxRetries = 2
        limits.byChannel = ["whatsapp": ChannelLimits(maxParts: 1, maxMedia: 1)]
        limits.mediaTypes = ["image/jpeg"]
        limits.strictMediaTypes = true

        var auth = AuthRule()
        auth.type = .hmac
        auth.username = template
        auth.password = template
        auth.token = template
        auth.name = "n"
        auth.value = template
        auth.header = "h"
        auth.algorithm = .sha256
        auth.key = template
        auth.message = template
        auth.encoding = .hex
        auth.prefix = "p"
        auth.origin = "o"

        let variant = SendRule.Variant(when: ConditionExpression(expression), body: nil)
        var fullVariant = variant
        fullVariant.origin = "o"
        fullVariant.url = template
        fullVariant.body = body
        let send = SendRule(url: template, format: SendRule.Format.none)
        var fullSend = send
        fullSend.body = body
        fullSend.origin = "o"
        fullSend.variants = [variant]
        fullSend.deduplicatesByReference = true

        var response = ResponseRule()
        response.successWhen = condition
        response.messageId = extractor
        response.status = extractor
        response.errorCode = extractor
        response.errorMessage = extractor
        response.origin = "o"

        var signature = SignatureRule(scheme: .ed25519)
        signature.header = "h"
        signature.secret = template
        signature.encoding = .hex
        signature.prefix = "p"
        signature.timestampHeader = "t"
        signature.nonceHeader = "n"
        signature.publicKey = template
        signature.toleranceSeconds = 300
        signature.algorithm = .sha256
        signature.param = "sig"
        signature.optional = true
        signature.origin = "o"

        var reply = ReplyRule()
        reply.contentType = "text/plain"
        reply.body = template

        let event = EventRule(type: .message)
        let fullEvent = EventRule(
            type: .message, name: "n", each: path, when: condition, fields: ["from": extractor], origin: "o")
        let inbound = InboundRule(format: .form, events: [event])
        var fullInbound = inbound
        fullInbound.signature = signature
        fullInbound.otherSignatures = [signature]
        fullInbound.origin = "o"
        let handshake = HandshakeRule(when: condition, token: path, expect: template, reply: path)
        var fullHandshake = handshake
        fullHandshake.origin = "o"
        fullInbound.handshake = handshake

        let statuses = StatusMap(map: ["ok": .sent], default: .failed)
        var fullStatuses = statuses
        fullStatuses.origin = "o"

        let adapter = Adapter(id: "a", name: "A", channels: ["sms"], send: send, origin: "o")
        var fullAdapter = adapter
        fullAdapter.docs = "https://example.com"
        fullAdapter.inbound = inbound
        fullAdapter.statuses = statuses
        fullAdapter.addresses = AddressRule(format: .national, defaultCountry: "254")

        let setting = SettingSpec(type: .string, required: true)
        let fullSetting = SettingSpec(type: .string, required: false, default: "d", description: "text")
        let field = BodyNode.Field(key: "k", optional: false, value: .literal("1"))
        let header = SendRule.Header(name: "Accept", value: template)

        structs = [
            ("adapter", adapter, fullAdapter),
            ("limits", Limits(), limits),
            (
                "channelLimits", ChannelLimits(),
                ChannelLimits(maxParts: 1, maxMedia: 1, mediaTypes: ["image/*"], strictMediaTypes: false)
            ),
            ("options", Options(), Options()),
            ("settingSpec", setting, fullSetting),
            ("authRule", AuthRule(), auth),
            ("sendRule", send, fullSend),
            ("header", header, header),
            ("variant", variant, fullVariant),
            ("bodyField", field, field),
            ("responseRule", ResponseRule(), response),
            ("valueExtractor", ValueExtractor(), extractor),
            (
                "encodingSelector", ValueExtractor.EncodingSelector(path: path, map: [:]),
                ValueExtractor.EncodingSelector(path: path, map: [:])
            ),
            ("inboundRule", inbound, fullInbound),
            ("eventRule", event, fullEvent),
            ("signatureRule", SignatureRule(scheme: .twilio), signature),
            ("handshakeRule", handshake, fullHandshake),
            ("replyRule", ReplyRule(), reply),
            ("optOutRule", OptOutRule(), OptOutRule()),
            ("statusMap", statuses, fullStatuses),
            ("addressRule", AddressRule(format: .e164), AddressRule(format: .national, defaultCountry: "254")),
        ]
        conditions = [
            Condition.equals(path, "0"), Condition.oneOf(path, ["a"]), Condition.matches(path, "x"), condition,
            Condition.bodyPrefix("OK"), Condition.bodyMatches("^0:"), Condition.all([condition]),
            Condition.any([condition]), Condition.not(condition),
        ]
        bodyNodes = [
            BodyNode.object([field]), BodyNode.array([.literal("1")]), BodyNode.template(template),
            BodyNode.literal("true"),
            BodyNode.each(source: expression, item: .template(template)),
        ]
        bodyTemplates = [body, BodyTemplate.text(template)]
    }
}
