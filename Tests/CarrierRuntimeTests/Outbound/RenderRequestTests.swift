import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite struct RenderRequestTests {
    typealias B = Build

    static func text(_ r: HTTPRequest) -> String { String(decoding: r.body, as: UTF8.self) }

    static func jsonAdapter(auth: AuthRule = AuthRule(), url: String = "https://api.example.com/v1/send?x=1")
        -> Adapter
    {
        B.adapter(
            settings: ["key": B.setting(.secret)], auth: auth, url: url, format: .json,
            body: .fields(B.object(B.f("to", "{{ message.to }}"))))
    }

    static let message = OutboundMessage(to: "+15551234567", body: "hi")

    @Test func optionalKeysAreLeftOutWhenEmpty() throws {
        let adapter = B.adapter(
            url: "https://x.test", format: .json,
            body: .fields(
                B.object(
                    B.f("a?", "{{ message.from }}"), B.f("b?", "{{ message.body }}"), B.f("c?", "{{ message.media }}"),
                    B.f("d", "{{ message.from }}"), B.f("e", "{{ message.media }}"), B.field("f?", .literal("null")),
                    B.field("g", .literal("42")), B.f("h?", "{{ message.validity }}"),
                    B.f("i", "n={{ message.validity }}"))))
        let m = OutboundMessage(to: "+15551234567", body: "", validity: 60)
        #expect(
            Self.text(try renderRequest(for: m, adapter: adapter, settings: [:]))
                == #"{"d":null,"e":[],"g":42,"h":60,"i":"n=60"}"#)

        var form = adapter
        form.send.format = .form
        form.send.body = .fields(
            B.object(
                B.f("a?", "{{ message.from }}"), B.f("b?", "{{ message.body }}"), B.f("c?", "{{ message.media }}"),
                B.f("d", "{{ message.from }}")))
        #expect(Self.text(try renderRequest(for: m, adapter: form, settings: [:])) == "d=")
    }

    @Test func firstHoldingVariantWins() throws {
        let adapter = B.adapter(
            url: "https://x.test", format: .json, body: .fields(B.object(B.f("kind", "default"))),
            variants: [
                .init(
                    when: ConditionExpression(B.expr("!message.media")), body: .fields(B.object(B.f("kind", "text")))),
                .init(
                    when: ConditionExpression(B.expr("message.media")), body: .fields(B.object(B.f("kind", "media")))),
                .init(when: ConditionExpression(B.expr("message.to")), body: .fields(B.object(B.f("kind", "never")))),
            ])
        #expect(Self.text(try renderRequest(for: Self.message, adapter: adapter, settings: [:])) == #"{"kind":"text"}"#)
        var m = Self.message
        m.media = ["x"]
        #expect(Self.text(try renderRequest(for: m, adapter: adapter, settings: [:])) == #"{"kind":"media"}"#)
    }

    @Test func eachOverNullIsEmptyAndNestedItemsKeepTheirType() throws {
        let adapter = B.adapter(
            url: "https://x.test", format: .json,
            body: .fields(
                B.object(
                    B.field(
                        "vars",
                        .each(
                            source: B.expr("message.template.variables"), item: B.object(B.f("v", "{{ item | upper }}"))
                        )),
                    B.field("media", .each(source: B.expr("message.media"), item: .template(B.t("{{ item }}")))))))
        let m = OutboundMessage(to: "+15551234567", media: ["a"], template: .init(name: "t", variables: ["x", "y"]))
        #expect(
            Self.text(try renderRequest(for: m, adapter: adapter, settings: [:]))
                == #"{"vars":[{"v":"X"},{"v":"Y"}],"media":["a"]}"#)
        #expect(
            Self.text(try renderRequest(for: Self.message, adapter: adapter, settings: [:]))
                == #"{"vars":[],"media":[]}"#)
    }

    @Test func jsonKeepsSlashesAndNonASCIIAndEscapesControls() throws {
        let m = OutboundMessage(to: "+15551234567", body: "a/b ☺ \"q\"\n\u{1}")
        let adapter = B.adapter(
            url: "https://x.test", format: .json, body: .fields(B.object(B.f("t", "{{ message.body }}"))))
        #expect(
            Self.text(try renderRequest(for: m, adapter: adapter, settings: [:]))
                == "{\"t\":\"a/b ☺ \\\"q\\\"\\n\\u0001\"}")
    }

    @Test func xmlAndTextTemplates() throws {
        let m = OutboundMessage(to: "+15551234567", body: "<b> & c")
        var adapter = B.adapter(
            url: "https://x.test", format: .xml,
            body: .text(B.t("<sms><to>{{ message.to }}</to><text>{{ message.body }}</text></sms>")))
        var r = try renderRequest(for: m, adapter: adapter, settings: [:])
        #expect(Self.text(r) == "<sms><to>+15551234567</to><text>&lt;b&gt; &amp; c</text></sms>")
        #expect(r.headers == [HTTPHeader("Content-Type", "application/xml")])
        adapter.send.format = .text
        adapter.send.body = .text(B.t("{{ message.body }}"))
        r = try renderRequest(for: m, adapter: adapter, settings: [:])
        #expect(Self.text(r) == "<b> & c")
        #expect(r.headers.first(named: "content-type") == "text/plain; charset=utf-8")
    }

    @Test func definitionContentTypeWins() throws {
        let adapter = B.adapter(
            url: "https://x.test", headers: [("content-type", "application/vnd.api+json")], format: .json,
            body: .fields(B.object(B.f("to", "{{ message.to }}"))))
        let r = try renderRequest(for: Self.message, adapter: adapter, settings: [:])
        #expect(r.headers == [HTTPHeader("content-type", "application/vnd.api+json")])
    }

    @Test func headerLineBreakIsRefused() {
        let adapter = B.adapter(url: "https://x.test", headers: [("X-Body", "{{ message.body }}")], format: .none)
        let m = OutboundMessage(to: "+15551234567", body: "a\r\nInjected: yes")
        #expect { try renderRequest(for: m, adapter: adapter, settings: [:]) } throws: {
            ($0 as? RenderError)?.code == "bad-header-value"
        }
    }

    @Test func missingSettingAndDefaults() throws {
        let adapter = B.adapter(
            settings: [
                "host": B.setting(.url, default: "https://d.test"), "sid": B.setting(.string),
                "n": B.setting(.integer, default: "7"),
            ],
            url: "{{ settings.host }}/{{ settings.sid }}/{{ settings.n }}", format: .none)
        #expect(
            try renderRequest(for: Self.message, adapter: adapter, settings: ["sid": "S"]).url == "https://d.test/S/7")
        #expect { try renderRequest(for: Self.message, adapter: adapter, settings: [:]) } throws: { error in
            let e = error as? RenderError
            return e?.code == "missing-setting" && e?.origin == "carriers/test/carrier.yaml:1:1"
        }
        #expect { try renderRequest(for: Self.message, adapter: adapter, settings: ["sid": "S", "n": "x"]) } throws: {
            ($0 as? RenderError)?.code == "bad-setting"
        }
    }

    // MARK: Auth

    @Test func queryAuthAppendsToExistingQuery() throws {
        let r = try renderRequest(
            for: Self.message, adapter: Self.jsonAdapter(auth: B.named(.query, "api key", "{{ settings.key }}")),
            settings: ["key": "a b&c"])
        #expect(r.url == "https://api.example.com/v1/send?x=1&api+key=a+b%26c")
        let plain = try renderRequest(
            for: Self.message,
            adapter: Self.jsonAdapter(
                auth: B.named(.query, "k", "{{ settings.key }}"), url: "https://api.example.com/v1"),
            settings: ["key": "v"])
        #expect(plain.url == "https://api.example.com/v1?k=v")
    }

    @Test func bodyAuthAddsTopLevelField() throws {
        let json = try renderRequest(
            for: Self.message, adapter: Self.jsonAdapter(auth: B.named(.body, "api_key", "{{ settings.key }}")),
            settings: ["key": "K"])
        #expect(Self.text(json) == #"{"to":"+15551234567","api_key":"K"}"#)

        var form = Self.jsonAdapter(auth: B.named(.body, "api_key", "{{ settings.key }}"))
        form.send.format = .form
        #expect(
            Self.text(try renderRequest(for: Self.message, adapter: form, settings: ["key": "K"]))
                == "to=%2B15551234567&api_key=K")

        var text = form
        text.send.format = .text
        text.send.body = .text(B.t("x"))
        #expect { try renderRequest(for: Self.message, adapter: text, settings: ["key": "K"]) } throws: {
            ($0 as? RenderError)?.code == "bad-auth"
        }
    }

    @Test func headerAndBearerAuth() throws {
        let header = try renderRequest(
            for: Self.message, adapter: Self.jsonAdapter(auth: B.named(.header, "X-Api-Key", "{{ settings.key }}")),
            settings: ["key": "K"])
        #expect(header.headers.last == HTTPHeader("X-Api-Key", "K"))
        let bearer = try renderRequest(
            for: Self.message, adapter: Self.jsonAdapter(auth: B.bearer("{{ settings.key }}")), settings: ["key": "T"])
        #expect(bearer.headers.last == HTTPHeader("Authorization", "Bearer T"))
    }

    static func hmac(_ algorithm: String, _ encoding: String?, _ message: String, prefix: String? = nil) -> AuthRule {
        var a = AuthRule()
        a.type = .hmac
        a.header = "X-Signature"
        a.algorithm = HMACAlgorithm(rawValue: algorithm)
        a.key = B.t("{{ settings.key }}")
        a.message = B.t(message)
        a.encoding = encoding.flatMap(SignatureEncoding.init(rawValue:))
        a.prefix = prefix
        return a
    }

    @Test(arguments: [
        (
            "sha256", nil as String?,
            "{{ request.method }}\n{{ request.path }}\n{{ request.timestamp }}\n{{ request.nonce }}\n{{ request.body }}",
            nil as String?, "5uQBw0zLvxln+ce/Xdk1PlFvwsUdSi3aTiaAxHpyJbg="
        ),
        (
            "sha1", "hex", "{{ request.timestamp }}.{{ request.nonce }}", "v1=",
            "v1=76559aa0cf09638c3f7d8a11855ca49a5e58d419"
        ),
        (
            "sha512", "hex", "{{ request.url }}", nil,
            "858ba82057938b807cc99b6c9bcb4e565ed77ec6bbb3fbcd6d5edba738f0cce18eb472794756f80a7dee284c1db8dcbd69a0ff6d1c67e3a1cab4d3e4259b7f4d"
        ),
    ])
    func hmacAuth(algorithm: String, encoding: String?, message: String, prefix: String?, expected: String) throws {
        let r = try renderRequest(
            for: Self.message, adapter: Self.jsonAdapter(auth: Self.hmac(algorithm, encoding, message, prefix: prefix)),
            settings: ["key": "k3y"], clock: .fixed(timestamp: 1_700_000_000, nonce: "nonce-1"))
        #expect(r.headers.first(named: "X-Signature") == expected)
    }

    @Test func requestVariablesOnlyInHMACMessage() {
        let adapter = B.adapter(url: "https://x.test/{{ request.nonce }}", format: .none)
        #expect { try renderRequest(for: Self.message, adapter: adapter, settings: [:]) } throws: {
            ($0 as? RenderError)?.code == "variable-not-available"
        }
    }

    @Test func segmentsComeFromTheCounter() throws {
        let adapter = B.adapter(url: "https://x.test/{{ segments.count }}/{{ segments.encoding }}", format: .none)
        let r = try renderRequest(
            for: Self.message, adapter: adapter, settings: [:], segmentCounter: { _ in (3, "ucs2") })
        #expect(r.url == "https://x.test/3/ucs2")
        #expect(defaultSegmentCount(String(repeating: "a", count: 161)) == (2, "gsm7"))
        #expect(defaultSegmentCount("☺") == (1, "ucs2"))
    }
}
