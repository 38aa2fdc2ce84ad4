import Testing

@testable import CarrierCore
@testable import CarrierRuntime

@Suite("decodeText")
struct DecodeTextTests {
    @Test func utf8IsIdentity() throws {
        #expect(try decodeText("héllo %41", encoding: "utf-8") == "héllo %41")
    }

    @Test func hexUTF16BE() throws {
        #expect(try decodeText("00480069", encoding: "hex-utf16be") == "Hi")
        #expect(try decodeText("00e920AC", encoding: "hex-utf16be") == "é€")
        #expect(try decodeText("D83DDE00", encoding: "hex-utf16be") == "😀")
        #expect(try decodeText("", encoding: "hex-utf16be") == "")
    }

    @Test func percentLatin1() throws {
        // source: clickatell.yaml inbound_messages "iso_8859_1_percent_escaped" (courier_tests)
        #expect(try decodeText("hello%21", encoding: "percent-latin1") == "hello!")
        #expect(try decodeText("caf%E9+au+lait", encoding: "percent-latin1") == "café au lait")
    }

    @Test func percentUTF16BE() throws {
        // source: clickatell.yaml inbound_messages "utf16be_percent_escaped" (courier_tests)
        let text =
            "%00m%00e%00x%00i%00c%00o%00+%00k%00+%00m%00i%00s%00+%00p%00a%00p%00a%00s%00+%00n%00o%00+%00t%00e%00n%00%ED%00a%00+%00d%00i%00n%00e%00r%00o%00+%00p%00a%00r%00a%00+%00c%00o%00m%00p%00r%00a%00r%00n%00o%00s%00+%00l%00o%00+%00q%00+%00q%00u%00e%00r%00%ED%00a%00m%00o%00s%00.%00."
        #expect(
            try decodeText(text, encoding: "percent-utf16be")
                == "mexico k mis papas no tenía dinero para comprarnos lo q queríamos..")
        #expect(try decodeText("%D8%3D%DE%00", encoding: "percent-utf16be") == "😀")
    }

    @Test(arguments: [
        ("0048006", "hex-utf16be"), ("00G8", "hex-utf16be"), ("D83D", "hex-utf16be"), ("DE000041", "hex-utf16be"),
        ("%4", "percent-latin1"), ("%zz", "percent-latin1"), ("%00H%00", "percent-utf16be"),
        ("%D8%3D%00A", "percent-utf16be"), ("not base64!", "base64"),
    ])
    func rejectsMalformedText(text: String, encoding: String) {
        let error = #expect(throws: PayloadError.self) { try decodeText(text, encoding: encoding) }
        #expect(error?.code == "bad-encoding")
    }

    @Test func base64() throws {
        #expect(try decodeText("SGVsbG8gd29ybGQ=", encoding: "base64") == "Hello world")
        #expect(try decodeText("4pi6IG9r", encoding: "base64") == "☺ ok")
        #expect(try decodeText("Y2Fm6Q==", encoding: "base64") == "café", "not UTF-8: read as ISO-8859-1")
    }

    @Test func runtimeEncodingsAreTheOnesTheCompilerAccepts() {
        #expect(TextEncoding.allCases.map(\.rawValue) == DefinitionDecoder.textEncodings)
    }

    @Test func rejectsUnknownEncoding() {
        let error = #expect(throws: PayloadError.self) { try decodeText("x", encoding: "ebcdic") }
        #expect(error?.code == "unknown-encoding")
    }
}
