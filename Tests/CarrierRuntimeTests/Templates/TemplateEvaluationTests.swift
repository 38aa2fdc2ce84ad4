import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite struct TemplateEvaluationTests {
    static let context = TemplateContext(
        message: OutboundMessage(
            to: "+15551234567", from: "Acme", body: "  Hi <you> & \"me\" ☺ ", media: ["a.jpg", "b.png"],
            template: .init(name: "welcome", language: "en", variables: ["Ann", "today"]),
            scheduledAt: "2024-05-01T12:00:00Z", validity: 3600, metadata: ["k": "v"]),
        settings: ["sid": .string("AC 1/2"), "port": .integer(8080), "on": .bool(true), "none": .null],
        segmentCount: 2, segmentEncoding: "ucs2", carrierId: "acme")

    static func eval(_ source: String) throws -> TemplateValue {
        try evaluate(Build.expr(source), in: context)
    }

    @Test(arguments: [
        ("message.to | url", TemplateValue.string("%2B15551234567")),
        ("settings.sid | url", .string("AC%201%2F2")),
        ("message.from | json", .string("\"Acme\"")),
        ("message.media | json", .string("[\"a.jpg\",\"b.png\"]")),
        ("message.body | xml", .string("  Hi &lt;you&gt; &amp; &quot;me&quot; ☺ ")),
        ("message.from | base64", .string("QWNtZQ==")),
        ("message.from | upper", .string("ACME")),
        ("message.from | lower", .string("acme")),
        ("message.body | trim", .string("Hi <you> & \"me\" ☺")),
        ("message.to | digits", .string("15551234567")),
        ("message.callbackUrl | default:\"x\"", .string("x")),
        ("message.from | default:\"x\"", .string("Acme")),
        ("message.tags | default:\"none\"", .string("none")),
        ("message.from | prefix:\"id:\"", .string("id:Acme")),
        ("message.callbackUrl | prefix:\"id:\"", .null),
        ("message.media | join:\",\"", .string("a.jpg,b.png")),
        ("message.media | first", .string("a.jpg")),
        ("message.tags | first", .null),
        ("message.media | count", .integer(2)),
        ("message.from | count", .integer(4)),
        ("message.from | truncate:2", .string("Ac")),
        ("message.from | hex_ucs2", .string("00410063006D0065")),
        ("message.scheduledAt | epoch", .integer(1_714_564_800)),
        ("message.media | upper", .list([.string("A.JPG"), .string("B.PNG")])),
        ("message.validity", .integer(3600)),
        ("message.template.variables", .list([.string("Ann"), .string("today")])),
        ("message.metadata.k", .string("v")),
        ("message.metadata.missing", .null),
        ("segments.count", .integer(2)),
        ("segments.encoding", .string("ucs2")),
        ("carrier.id", .string("acme")),
        ("settings.port", .integer(8080)),
        ("settings.none | default:\"d\"", .string("d")),
    ])
    func filterAndVariable(expression: String, expected: TemplateValue) throws {
        #expect(try Self.eval(expression) == expected)
    }

    @Test func mapFilterPicksEntriesWithFallback() throws {
        let context = TemplateContext(
            message: nil, settings: ["enc": .string("ucs2"), "other": .string("x")], carrierId: "c")
        func run(_ text: String) throws -> String { try render(try Template.parse(text), in: context) }
        #expect(try run(#"{{ settings.enc | map:"gsm7=text,ucs2=unicode" }}"#) == "unicode")
        #expect(try run(#"{{ settings.other | map:"gsm7=text,ucs2=unicode" }}"#) == "x")
        #expect(try run(#"{{ settings.other | map:"gsm7=0,*=2" }}"#) == "2")
    }

    @Test(arguments: [
        // validity 3600 s is 60 minutes; scheduledAt 2024-05-01T12:00:00Z
        ("message.validity | div:60", TemplateValue.integer(60)),
        ("message.validity | div:7", .integer(514)),
        ("message.validity | mul:1000", .integer(3_600_000)),
        ("message.scheduledAt | date:\"yyMMddHHmm\"", .string("2405011200")),
        ("message.scheduledAt | in_zone:\"Africa/Nairobi\"", .string("2024-05-01T15:00:00+03:00")),
        ("message.scheduledAt | in_zone:\"Africa/Nairobi\" | date:\"yyMMddHHmm\"", .string("2405011500")),
        ("message.scheduledAt | in_zone:\"-02:30\" | date:\"dd/MM/yyyy HH:mm\"", .string("01/05/2024 09:30")),
        ("message.scheduledAt | epoch", .integer(1_714_564_800)),
        ("message.callbackUrl | default:settings.sid", .string("AC 1/2")),
        ("message.from | default:settings.sid", .string("Acme")),
        ("message.callbackUrl | div:60", .null),
    ])
    func numericAndDateFilters(source: String, expected: TemplateValue) throws {
        #expect(try Self.eval(source) == expected)
    }

    @Test func numericFiltersRefuseText() {
        let error = #expect(throws: RenderError.self) { try Self.eval("message.from | div:60") }
        #expect(error?.code == "bad-number")
        let date = #expect(throws: RenderError.self) { try Self.eval("message.from | date:\"yyMMdd\"") }
        #expect(date?.code == "bad-timestamp")
    }

    @Test(arguments: [
        ("message.to | shout", "unknown-filter"),
        ("message.to | truncate", "bad-filter-argument"),
        ("message.to | truncate:\"3\"", "bad-filter-argument"),
        ("message.to | upper:\"x\"", "bad-filter-argument"),
        ("message.nope", "unknown-variable"),
        ("settings.undeclared", "unknown-variable"),
        ("request.body", "variable-not-available"),
        ("item", "variable-not-available"),
        ("message.body | epoch", "bad-timestamp"),
    ])
    func errorCodes(expression: String, code: String) {
        #expect {
            _ = try Self.eval(expression)
        } throws: { error in
            (error as? RenderError)?.code == code
        }
    }

    @Test(arguments: [
        (TemplateEscaping.none, "to=+15551234567 from=Acme&x"),
        (.form, "to=%2B15551234567 from=Acme&x"),
        (.url, "to=%2B15551234567 from=Acme&x"),
        (.json, "to=\"+15551234567\" from=\"Acme\"&x"),
        (.xml, "to=+15551234567 from=Acme&x"),
    ])
    func escapingModes(escaping: TemplateEscaping, expected: String) throws {
        let t = Build.t("to={{ message.to }} from={{ message.from }}&x")
        #expect(try render(t, in: Self.context, escaping: escaping) == expected)
    }

    @Test func jsonModeTypesValues() throws {
        let t = Build.t(
            "[{{ message.validity }},{{ message.media }},{{ message.callbackUrl }},{{ settings.on }},{{ message.from | json }}]"
        )
        #expect(try render(t, in: Self.context, escaping: .json) == #"[3600,["a.jpg","b.png"],null,true,"Acme"]"#)
    }

    @Test func xmlModeEscapes() throws {
        let t = Build.t("<Text>{{ message.body | trim }}</Text>")
        #expect(try render(t, in: Self.context, escaping: .xml) == "<Text>Hi &lt;you&gt; &amp; &quot;me&quot; ☺</Text>")
    }

    @Test func formEncodingKeepsOnlyUnreserved() {
        #expect(WireEscaping.form("a b-._~!*'()/?&=+é\u{0}") == "a+b-._~%21%2A%27%28%29%2F%3F%26%3D%2B%C3%A9%00")
        #expect(WireEscaping.url("a b") == "a%20b")
    }

    @Test func conditionsAndNegation() throws {
        #expect(try Build.expr("message.media").holds(in: Self.context))
        #expect(try !Build.expr("!message.media").holds(in: Self.context))
        #expect(try !Build.expr("message.tags").holds(in: Self.context))
        #expect(try Build.expr("!message.callbackUrl").holds(in: Self.context))
        #expect(try Build.expr("settings.on").holds(in: Self.context))
    }
}
