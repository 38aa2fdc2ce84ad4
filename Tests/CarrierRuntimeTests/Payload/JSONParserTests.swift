import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite("parseJSON")
struct JSONParserTests {
    func parse(_ text: String) throws(PayloadError) -> PayloadValue {
        try parseJSON(Array(text.utf8))
    }

    func errorCode(_ text: String) -> PayloadError? {
        #expect(throws: PayloadError.self) { try parseJSON(Array(text.utf8)) }
    }

    @Test func scalarsAndNesting() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null, "x"], "b": {}, "c": []} "#)
        #expect(
            value
                == .object([
                    "a": .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null, .string("x")]),
                    "b": .object([:]), "c": .array([]),
                ]))
    }

    @Test func numbersKeepTheirText() throws {
        #expect(try parse("12345678901234567890123") == .number("12345678901234567890123"))
        #expect(try parse("0.10") == .number("0.10"))
        #expect(try parse("-0") == .number("-0"))
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""\u00e9\u20AC""#) == .string("é€"))
        // Surrogate pair: U+1F600
        #expect(try parse(#""x\ud83d\ude00y""#) == .string("x😀y"))
        #expect(try parse("\"raw é 😀\"") == .string("raw é 😀"))
    }

    @Test func repeatedKeyKeepsTheLastValue() throws {
        #expect(try parse(#"{"a": 1, "a": 2}"#) == .object(["a": .number("2")]))
    }

    @Test func byteOrderMarkIsSkipped() throws {
        #expect(try parseJSON([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.number("1")]))
    }

    @Test(arguments: [
        ("", "bad-json", 0),
        ("   ", "bad-json", 3),
        ("{", "bad-json", 1),
        (#"{"a" 1}"#, "bad-json", 5),
        (#"{"a": 1,}"#, "bad-json", 8),
        ("[1 2]", "bad-json", 3),
        ("[1,]", "bad-json", 3),
        ("01", "bad-json", 0),
        ("1.", "bad-json", 2),
        ("-", "bad-json", 1),
        ("1e", "bad-json", 2),
        ("tru", "bad-json", 0),
        ("nul", "bad-json", 0),
        (#""abc"#, "bad-json", 0),
        (#""a\x""#, "bad-json", 2),
        (#""\u12"#, "bad-json", 3),
        (#""\ud83d""#, "bad-json", 1),
        (#""\ude00""#, "bad-json", 1),
        (#""\ud83d\u0041""#, "bad-json", 1),
        ("\"a\u{1}\"", "bad-json", 2),
        ("{} x", "bad-json", 3),
        ("{'a': 1}", "bad-json", 1),
    ])
    func syntaxErrorsHaveCodeAndOffset(text: String, code: String, offset: Int) {
        let error = errorCode(text)
        #expect(error?.code == code)
        #expect(error?.offset == offset)
    }

    @Test func invalidUTF8InAString() {
        let bytes: [UInt8] = Array(#"{"a": "x"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        let error = #expect(throws: PayloadError.self) { try parseJSON(bytes) }
        #expect(error?.code == "invalid-utf8")
        #expect(error?.offset == 8)
        // Overlong encoding of '/' and an encoded surrogate are rejected too.
        #expect(throws: PayloadError.self) { try parseJSON([0x22, 0xC0, 0xAF, 0x22]) }
        #expect(throws: PayloadError.self) { try parseJSON([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func nestingLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try parseJSON(Array(ok.utf8)) }
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let error = #expect(throws: PayloadError.self) { try parseJSON(Array(deep.utf8)) }
        #expect(error?.code == "nesting-too-deep")
        #expect(error?.offset == 512)
    }

    @Test func sizeLimit() {
        let limits = PayloadLimits(maxBytes: 10, maxDepth: 8)
        let error = #expect(throws: PayloadError.self) { try parseJSON(Array("[1,2,3,4,5,6]".utf8), limits: limits) }
        #expect(error?.code == "body-too-large")
        #expect(error?.description.contains("limit is 10") == true)
    }

    @Test(arguments: RecordedBodies.json)
    func recordedBodies(body: RecordedBodies.Body) throws {
        if body.malformed {
            let error = #expect(throws: PayloadError.self) { try parseJSON(body.bytes) }
            #expect(error?.code == "bad-json")
        } else {
            let value = try parseJSON(body.bytes)
            switch value {
            case .object, .array: break
            default: Issue.record("expected an object or array, got \(value)")
            }
        }
    }

    @Test func recordedWhatsAppMessage() throws {
        // source: whatsapp_cloud.yaml inbound_messages "text"
        let body = try #require(RecordedBodies.body("whatsapp_cloud", "inbound_messages.text"))
        let value = try parseJSON(body.bytes)
        let path = try PathExpression.parse("entry[0].changes[0].value.messages[0].text.body")
        #expect(path.first(in: PayloadContext(root: value))?.text?.isEmpty == false)
    }

    @Test func benchmarkReportsARate() {
        let bodies = RecordedBodies.json.map(\.bytes)
        #expect(benchmarkJSONParsing(bodies: bodies, rounds: 2) > 0)
        #expect(benchmarkJSONParsing(bodies: [], rounds: 2) == 0)
    }
}
