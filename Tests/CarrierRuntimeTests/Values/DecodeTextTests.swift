import Testing

@testable import CarrierCore
@testable import CarrierRuntime

@Suite("decodeText")
struct DecodeTextTests {
    @Test func utf8IsIdentity() throws {
        #expect(try decodeText("héllo %41", encoding: TextEncoding(rawValue: "utf-8")!) == "héllo %41")
    }

    @Test func hexUTF16BE() throws {
        #expect(try decodeText("00480069", encoding: TextEncoding(rawValue: "hex-utf16be")!) == "Hi")
        #expect(try decodeText("00e920AC", encoding: TextEncoding(rawValue: "hex-utf16be")!) == "é€")
        #expect(try decodeText("D83DDE00", encoding: TextEncoding(rawValue: "hex-utf16be")!) == "😀")
        #expect(try decodeText("", encoding: TextEncoding(rawValue: "hex-utf16be")!) == "")
    }

    @Test func percentLatin1() throws {
        // source: clickatell.yaml inbound_messages "iso_8859_1_percent_escaped" (courier_tests)
        #expect(try decodeText("hello%21", encoding: TextEncoding(rawValue: "percent-latin1")!) == "hello!")
        #expect(try decodeText("caf%E9+au+lait", encoding: TextEncoding(rawValue: "percent-latin1")!) == "café au lait")
    }

    @Test func percentUTF16BE() throws {
        // source: clickatell.yaml inbound_messages "utf16be_percent_escaped" (courier_tests)
        let text =
            "%00m%00e%00x%00i%00c%00o%00+%00k%00+%00m%00i%00s%00+%00p%00a%00p%00a%00s%00+%00n%00o%00+%00t%00e%00n%00%ED%00a%00+%00d%00i%00n%00e%00r%00o%00+%00p%00a%00r%00a%00+%00c%00o%00m%00p%00r%00a%00r%00n%00o%00s%00+%00l%00o%00+%00q%00+%00q%00u%00e%00r%00%ED%00a%00m%00o%00s%00.%00."
        #expect(
            try decodeText(text, encoding: TextEncoding(rawValue: "percent-utf16be")!)
                == "mexico k mis papas no tenía dinero para comprarnos lo q queríamos..")
        #expect(try decodeText("%D8%3D%DE%00", encoding: TextEncoding(rawValue: "percent-utf16be")!) == "😀")
    }

    @Test(arguments: [
        ("0048006", "hex-utf16be"), ("00G8", "hex-utf16be"), ("D83D", "hex-utf16be"), ("DE000041", "hex-utf16be"),
        ("%4", "percent-latin1"), ("%zz", "percent-latin1"), ("%00H%00", "percent-utf16be"),
        ("%D8%3D%00A", "percent-utf16be"), ("not base64!", "base64"),
    ])
    func rejectsMalformedText(text: String, encoding: String) throws {
        let encoding = try #require(TextEncoding(rawValue: encoding))
        let error = #expect(throws: PayloadError.self) { try decodeText(text, encoding: encoding) }
        #expect(error?.code == "bad-encoding")
    }

    @Test func base64() throws {
        #expect(try decodeText("SGVsbG8gd29ybGQ=", encoding: TextEncoding(rawValue: "base64")!) == "Hello world")
        #expect(try decodeText("4pi6IG9r", encoding: TextEncoding(rawValue: "base64")!) == "☺ ok")
        #expect(
            try decodeText("Y2Fm6Q==", encoding: TextEncoding(rawValue: "base64")!) == "café",
            "not UTF-8: read as ISO-8859-1")
    }

    @Test func gsm7() throws {
        // GSM 03.38: 0x05 é, 0x04 è, 0x1B 0x65 €, 0x1B 0x3C [, 0x00 @, 0x11 _
        #expect(try decodeText("%05v%05nement", encoding: .percentGSM7) == "événement")
        #expect(try decodeText("\u{05}t\u{05}", encoding: .gsm7) == "été")
        #expect(try decodeBytes([0x1B, 0x65, 0x35, 0x20, 0x1B, 0x3C, 0x00, 0x11, 0x04], as: .gsm7) == "€5 [@_è")
        #expect(try decodeBytes([0x1C, 0x1D, 0x1E, 0x1F], as: .gsm7) == "ÆæßÉ", "codes after the escape")
        let error = #expect(throws: PayloadError.self) { try decodeBytes([0x41, 0x80], as: .gsm7) }
        #expect(error?.code == "bad-encoding")
        #expect(error?.offset == 1)
    }

    @Test func byteEncodingsReadBytesOnce() throws {
        // What a form value holds after the parser's one percent-decoding.
        #expect(try decodeBytes([0x63, 0x61, 0x66, 0xE9], as: .percentLatin1) == "café")
        #expect(try decodeBytes([0x00, 0x48, 0x00, 0xE9, 0x4E, 0x2D], as: .percentUTF16BE) == "Hé中")
        #expect(try decodeBytes([0xC3, 0xA9], as: .percentUTF16BE) == "\u{C3A9}", "bytes that look like UTF-8")
    }
}
