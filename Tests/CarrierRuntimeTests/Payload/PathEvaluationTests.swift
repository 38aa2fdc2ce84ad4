import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite("PathExpression evaluation")
struct PathEvaluationTests {
    func path(_ text: String) throws -> PathExpression {
        try PathExpression.parse(text)
    }

    func json(_ text: String) throws -> PayloadValue {
        try parseJSON(Array(text.utf8))
    }

    /// Shaped like a WhatsApp Cloud API webhook: two entries, several changes and statuses.
    var whatsapp: PayloadValue {
        get throws {
            try json(
                """
                {"object": "whatsapp_business_account", "entry": [
                  {"id": "E1", "changes": [
                    {"field": "messages", "value": {"metadata": {"phone_number_id": "P1"},
                      "statuses": [{"id": "s1", "status": "sent"}, {"id": "s2", "status": "read"}]}},
                    {"field": "messages", "value": {"metadata": {"phone_number_id": "P2"},
                      "statuses": [{"id": "s3", "status": "delivered"}]}}]},
                  {"id": "E2", "changes": [
                    {"field": "messages", "value": {"metadata": {"phone_number_id": "P3"}, "messages": [{"id": "m1"}]}}]}
                ]}
                """)
        }
    }

    @Test func keysIndexesAndQuotedKeys() throws {
        let root = try json(#"{"a": {"b.c": [10, {"d": "x"}]}, "n": null}"#)
        let context = PayloadContext(root: root)
        #expect(try path(#"a["b.c"][0]"#).first(in: context) == .number("10"))
        #expect(try path(#"a["b.c"][1].d"#).first(in: context) == .string("x"))
        #expect(try path(#"a["b.c"][2]"#).first(in: context) == nil)
        #expect(try path("a.missing").select(in: context).isEmpty)
        #expect(try path("n").first(in: context) == .null)
        #expect(try path("n[*]").select(in: context).isEmpty)
        #expect(try path("$").first(in: context) == root)
        #expect(try path("").first(in: context) == root)
    }

    @Test func wildcardsFanOutInDocumentOrder() throws {
        let context = PayloadContext(root: try whatsapp)
        let ids = try path("entry[*].changes[*].value.statuses[*].id").select(in: context)
        #expect(ids == [.string("s1"), .string("s2"), .string("s3")])
        #expect(try path("entry[*].changes[*].value.statuses[*].id").first(in: context) == .string("s1"))
        #expect(try path("entry[*].changes[*].value.messages[*].id").select(in: context) == [.string("m1")])
    }

    @Test func scalarAndObjectUnderWildcardCountAsOneElement() throws {
        let form = try parseForm(Array("MediaUrl=a&Other=x&Other=y".utf8))
        let context = PayloadContext(root: form)
        #expect(try path("MediaUrl[*]").select(in: context) == [.string("a")])
        #expect(try path("MediaUrl[0]").first(in: context) == .string("a"))
        #expect(try path("MediaUrl[1]").first(in: context) == nil)
        #expect(try path("Other[*]").select(in: context) == [.string("x"), .string("y")])
        let xml = try parseXML(Array("<r><m id='1'/></r>".utf8))
        #expect(try path("r.m[*].@id").select(in: PayloadContext(root: xml)) == [.string("1")])
    }

    @Test func caseInsensitiveKeys() throws {
        let root = try json(#"{"From": "a", "TO": "b", "to": "c"}"#)
        #expect(try path("from").first(in: PayloadContext(root: root)) == nil)
        let context = PayloadContext(root: root, caseInsensitiveKeys: true)
        #expect(try path("from").first(in: context) == .string("a"))
        // The exact key wins; otherwise the smallest matching key, so the choice is stable.
        #expect(try path("to").first(in: context) == .string("c"))
        #expect(try path("To").first(in: context) == .string("b"))
    }

    @Test func eachItemsCarryAncestors() throws {
        let root = try whatsapp
        let items = try path("entry[*].changes[*].value.statuses[*]").eachItems(in: PayloadContext(root: root))
        #expect(items.map { $0.item["id"] } == [.string("s1"), .string("s2"), .string("s3")])
        let phone = try path("^.metadata.phone_number_id")
        #expect(items.map { phone.first(in: $0) } == [.string("P1"), .string("P1"), .string("P2")])
        let entryID = try path("^^.id")
        #expect(items.map { entryID.first(in: $0) } == [.string("E1"), .string("E1"), .string("E1")])
        #expect(try path("^^^.object").first(in: items[0]) == .string("whatsapp_business_account"))
        #expect(try path("^^^^.object").first(in: items[0]) == nil)
        #expect(try path("$.object").first(in: items[2]) == .string("whatsapp_business_account"))
        #expect(try path("status").first(in: items[2]) == .string("delivered"))
    }

    @Test func eachOverTopLevelArrayAndNestedEach() throws {
        let root = try json(#"[{"id": "a", "to": [{"n": "1"}, {"n": "2"}]}, {"id": "b", "to": []}]"#)
        let items = try path("[*]").eachItems(in: PayloadContext(root: root))
        #expect(items.count == 2)
        #expect(try path("^[1].id").first(in: items[0]) == .string("b"))
        // An `each` evaluated inside an item keeps the outer chain behind the new one.
        let inner = try path("to[*]").eachItems(in: items[0])
        #expect(inner.map { $0.item["n"] } == [.string("1"), .string("2")])
        #expect(try path("^.id").first(in: inner[1]) == .string("a"))
        #expect(try path("^^[1].id").first(in: inner[1]) == .string("b"))
    }

    @Test func parentBeyondTheChainSelectsNothing() throws {
        let context = PayloadContext(root: try json(#"{"a": 1}"#))
        #expect(try path("^.a").select(in: context).isEmpty)
        #expect(try path("^.a").eachItems(in: context).isEmpty)
    }

    @Test func recordedTelnyxEnvelope() throws {
        // source: telnyx.yaml inbound_messages "sms_received" (telnyx docs)
        let body = try #require(RecordedBodies.body("telnyx", "inbound_messages.sms_received"))
        let context = PayloadContext(root: try parseJSON(body.bytes))
        #expect(try path("data.event_type").first(in: context) == .string("message.received"))
        let to = try path("data.payload.to[*]").eachItems(in: context)
        #expect(!to.isEmpty)
        #expect(try path("^.id").first(in: to[0]) == path("data.payload.id").first(in: context))
    }
}
