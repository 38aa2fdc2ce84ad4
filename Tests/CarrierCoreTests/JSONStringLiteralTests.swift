import CarrierCore
import Foundation
import Testing

@Suite("jsonStringLiteral")
struct JSONStringLiteralTests {
    @Test(arguments: [
        "", "plain", "+15551234567", "héllo € 😀", "quote \" and \\ backslash", "tab\tline\nreturn\r",
        "\u{08}\u{0C}\u{00}\u{1F}\u{7F}", "</script>",
    ])
    func roundTripsThroughFoundation(text: String) throws {
        let literal = jsonStringLiteral(text)
        let decoded = try JSONDecoder().decode(String.self, from: Data(literal.utf8))
        #expect(decoded == text)
    }

    @Test func escapesExactly() {
        #expect(jsonStringLiteral("a\"b\\c\nd\u{01}é") == #""a\"b\\c\nd\u0001é""#)
        #expect(jsonStringLiteral("ok") == #""ok""#)
    }
}
