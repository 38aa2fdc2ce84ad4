import Foundation
import Testing

@testable import CarrierCore

/// Snippet tests: a send variant's `when` with `all:` / `any:` lists and `value` comparisons (issue 18, item 6).
@Suite struct VariantConditionTests {
    /// Compiles a carrier whose only variant has `when: <when>` (a YAML flow value on line 9, column 13).
    static func compile(_ when: String) -> CompilationResult {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms, whatsapp]
            send:
              url: "https://acme.test/send"
              body: { to: "{{ message.to }}" }
              variants:
                - when: \(when)
                  url: "https://acme.test/media"

            """
        return compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
    }

    static func errors(_ when: String) -> [String] {
        compile(when).diagnostics.filter { $0.severity == .error }.map(\.description)
    }

    static func condition(_ when: String) throws -> VariantCondition {
        let table = try #require(compile(when).table)
        return try #require(table.adapter("acme")?.send.variants.first?.when)
    }

    @Test func listsNestAndKeepTheirOrder() throws {
        let when =
            #"{ all: [{ value: message.channel, equals: whatsapp }, { any: [message.media, "!message.from"] }] }"#
        let c = try Self.condition(when)
        #expect(c.description == #"all(message.channel == "whatsapp", any(message.media, !message.from))"#)
    }

    @Test func plainExpressionsStayStringsInTheTable() throws {
        #expect(try Self.condition("message.media") == .holds(try TemplateExpression.parse("message.media")))
        let table = try #require(Self.compile("message.media").table)
        let json = String(decoding: try JSONEncoder().encode(table), as: UTF8.self)
        #expect(json.contains(#""when":"message.media""#))
    }

    @Test func conditionsRoundTripThroughTheTable() throws {
        let when = #"{ any: [{ value: segments.encoding, in: [ucs2, gsm7] }, { all: [message.media] }, message.to] }"#
        let c = try Self.condition(when)
        let decoded = try JSONDecoder().decode(VariantCondition.self, from: JSONEncoder().encode(c))
        #expect(decoded == c)
        let single = VariantCondition.equals(try TemplateExpression.parse("message.channel"), ["sms"])
        let encoded = String(decoding: try JSONEncoder().encode(single), as: UTF8.self)
        #expect(encoded.contains(#""equals":"sms""#))
        #expect(try JSONDecoder().decode(VariantCondition.self, from: Data(encoded.utf8)) == single)
    }

    @Test(arguments: [
        (
            "{ all: [] }",
            "acme/carrier.yaml:9:20: error: variant when.all needs at least one condition [invalid-value]"
        ),
        (
            "{ any: [message.media, { any: [] }] }",
            "acme/carrier.yaml:9:43: error: variant when.any item.any needs at least one condition [invalid-value]"
        ),
        (
            "{ all: [message.media], allx: 1 }",
            "acme/carrier.yaml:9:37: error: unknown key 'allx' in variant when (did you mean 'all'?) [unknown-key]"
        ),
        (
            "{ all: [{ value: message.channel, equals: sms, not: x }] }",
            "acme/carrier.yaml:9:60: error: unknown key 'not' in variant when.all item [unknown-key]"
        ),
        (
            "{ all: [message.media], value: message.channel, equals: sms }",
            "acme/carrier.yaml:9:37: error: variant when mixes 'all' and 'value' in one mapping; put each condition in its own item of an 'all' or 'any' list [invalid-value]"
        ),
        (
            "{ any: [message.media], all: [message.to] }",
            "acme/carrier.yaml:9:37: error: variant when mixes 'any' and 'all' in one mapping; put each condition in its own item of an 'all' or 'any' list [invalid-value]"
        ),
        (
            "{ all: [message.media], equals: sms }",
            "acme/carrier.yaml:9:37: error: variant when.all cannot take 'equals'; 'equals' goes with 'value' [invalid-value]"
        ),
        (
            "{ value: message.channel }",
            "acme/carrier.yaml:9:13: error: variant when.value needs 'equals' or 'in' [missing-key]"
        ),
        (
            "{ equals: sms }",
            "acme/carrier.yaml:9:13: error: variant when needs 'all', 'any', or 'value' with 'equals' or 'in' [missing-key]"
        ),
        (
            "{ value: message.channel, equals: sms, in: [mms] }",
            "acme/carrier.yaml:9:52: error: variant when takes 'equals' or 'in', not both [invalid-value]"
        ),
        (
            "{ value: message.channel, in: [] }",
            "acme/carrier.yaml:9:43: error: variant when.in needs at least one value [invalid-value]"
        ),
        (
            #"{ value: "!message.channel", equals: sms }"#,
            "acme/carrier.yaml:9:22: error: variant when.value cannot be negated with '!'; compare with 'equals' or 'in' [invalid-value]"
        ),
        (
            "{ all: message.media }",
            "acme/carrier.yaml:9:20: error: variant when.all must be a list, found a scalar [wrong-type]"
        ),
        (
            "{ all: [message.mediax] }",
            "acme/carrier.yaml:9:21: error: unknown variable 'message.mediax' (did you mean 'message.media'?) [unknown-variable]"
        ),
    ])
    func diagnostics(when: String, expected: String) {
        #expect(Self.errors(when) == [expected])
    }
}
