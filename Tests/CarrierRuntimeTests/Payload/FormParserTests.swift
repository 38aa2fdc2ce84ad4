import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite("parseForm")
struct FormParserTests {
    func parse(_ text: String) throws(PayloadError) -> PayloadValue {
        try parseForm(Array(text.utf8))
    }

    @Test func decodesPlusAndPercent() throws {
        #expect(
            try parse("To=%2B12028831111&Body=Hello+World%21&Caf%C3%A9=%E2%82%AC")
                == .object(["To": .string("+12028831111"), "Body": .string("Hello World!"), "Café": .string("€")]))
    }

    @Test func repeatedKeysBecomeArraysInOrder() throws {
        #expect(
            try parse("MediaUrl=b&x=1&MediaUrl=a&MediaUrl=c")
                == .object(["MediaUrl": .array([.string("b"), .string("a"), .string("c")]), "x": .string("1")]))
    }

    @Test func keysAreLiteralAndEmptyKeysKept() throws {
        #expect(
            try parse("price[amount]=5&=empty&flag&&trailing=&")
                == .object([
                    "price[amount]": .string("5"), "": .string("empty"), "flag": .string(""),
                    "trailing": .string(""),
                ]))
        #expect(try parse("") == .object([:]))
        #expect(try parse("&&&") == .object([:]))
    }

    @Test func valueMayContainEquals() throws {
        #expect(try parse("a=b=c") == .object(["a": .string("b=c")]))
    }

    @Test func invalidUTF8FallsBackToLatin1() throws {
        #expect(try parse("text=caf%E9") == .object(["text": .string("café")]))
        // Raw 8-bit byte in the body (not percent-encoded).
        #expect(try parseForm(Array("t=".utf8) + [0xE9]) == .object(["t": .string("é")]))
    }

    @Test func utf16BytesStayBytes() throws {
        // source: kannel.yaml outbound examples "ucs2_mixed": UTF-16BE bytes percent-encoded; decodeText reads them.
        let value = try parse("text=%00H%00i%00+%26%3A")
        #expect(value["text"] == .string("\u{0}H\u{0}i\u{0} &:"))
    }

    @Test(arguments: [("a=%", 2), ("a=%4", 2), ("a=%zz", 2), ("%G1=1", 0), ("a=1&b=x%2", 7)])
    func badEscapes(text: String, offset: Int) {
        let error = #expect(throws: PayloadError.self) { try parseForm(Array(text.utf8)) }
        #expect(error?.code == "bad-form")
        #expect(error?.offset == offset)
    }

    @Test func pairsKeepBodyOrder() throws {
        let pairs = try parseFormPairs(Array("b=2&a=1&b=3".utf8))
        #expect(pairs.map(\.0) == ["b", "a", "b"])
        #expect(pairs.map(\.1) == ["2", "1", "3"])
    }

    @Test(arguments: RecordedBodies.form + RecordedBodies.query)
    func recordedBodies(body: RecordedBodies.Body) throws {
        guard case .object(let object) = try parseForm(body.bytes) else {
            Issue.record("expected an object")
            return
        }
        #expect(!object.isEmpty)
    }

    @Test func recordedTwilioMessage() throws {
        // source: twilio.yaml inbound_messages "sms_text" (courier_tests)
        let body = try #require(RecordedBodies.body("twilio", "inbound_messages.sms_text"))
        let value = try parseForm(body.bytes)
        #expect(value["From"] == .string("+14133881111"))
        #expect(value["ToCity"] == .string(""))
        #expect(value["ToState"] == .string("District Of Columbia"))
    }
}
