import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite struct SegmentCounterTests {
    @Test(arguments: [
        (0, 1), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4),
    ])
    func gsm7Lengths(length: Int, expectedSegments: Int) {
        let info = countSegments(String(repeating: "a", count: length))
        #expect(info.encoding == "gsm7")
        #expect(info.units == length)
        #expect(info.segments == expectedSegments)
        #expect(info.perSegment == (length <= 160 ? 160 : 153))
        #expect(splitSegments(String(repeating: "a", count: length)).count == expectedSegments)
    }

    @Test(arguments: [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)])
    func ucs2Lengths(length: Int, expectedSegments: Int) {
        let text = String(repeating: "ж", count: length)
        let info = countSegments(text)
        #expect(info.encoding == "ucs2")
        #expect(info.units == length)
        #expect(info.segments == expectedSegments)
        #expect(info.perSegment == (length <= 70 ? 70 : 67))
    }

    @Test func emptyTextIsOneSegment() {
        let info = countSegments("")
        #expect(info == SegmentInfo(encoding: "gsm7", segments: 1, units: 0, perSegment: 160, text: ""))
        #expect(splitSegments("") == [""])
    }

    @Test(arguments: Array("\u{0C}^{}\\[~]|€"))
    func extensionCharactersCountTwo(character: Character) {
        let info = countSegments("a\(character)")
        #expect(info.encoding == "gsm7")
        #expect(info.units == 3)
    }

    @Test func euroSignsFillSegmentsAsTwoSeptets() {
        #expect(countSegments(String(repeating: "€", count: 80)).segments == 1)
        // 81 × 2 = 162 septets: no longer fits one part; 76 pairs fit in 153.
        let info = countSegments(String(repeating: "€", count: 81))
        #expect(info.units == 162)
        #expect(info.segments == 2)
    }

    @Test func basicTableIsGSM7() {
        let all =
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
            + "¿abcdefghijklmnopqrstuvwxyzäöñüà"
        let info = countSegments(all)
        #expect(info.encoding == "gsm7")
        #expect(info.units == 127)
    }

    @Test(arguments: ["ç", "á", "`", "\u{1B}", "ё", "\u{2019}", "\t"])
    func charactersOutsideGSM7ForceUCS2(character: String) {
        #expect(countSegments("hello \(character)").encoding == "ucs2")
    }

    @Test func singleEmojiIsTwoUCS2Units() {
        let info = countSegments("😀")
        #expect(info.encoding == "ucs2")
        #expect(info.units == 2)
        #expect(info.segments == 1)
        // One emoji turns an otherwise GSM-7 text into UCS-2.
        let mixed = countSegments(String(repeating: "a", count: 69) + "😀")
        #expect(mixed.encoding == "ucs2")
        #expect(mixed.units == 71)
        #expect(mixed.segments == 2)
    }

    @Test func splitNeverBreaksSurrogatePairs() {
        // 66 one-unit characters then an emoji: the pair would straddle units 67/68, so it moves whole.
        let text = String(repeating: "ж", count: 66) + "😀" + String(repeating: "ж", count: 10)
        let parts = splitSegments(text)
        #expect(parts.count == 2)
        #expect(parts[0].utf16.count == 66)
        #expect(parts[1].hasPrefix("😀"))
        #expect(parts.joined() == text)
        #expect(countSegments(text).segments == 2)
        for part in parts {
            #expect(part.utf16.count <= 67)
            #expect(String(decoding: Array(part.utf16), as: UTF16.self) == part)
        }
    }

    @Test func splitNeverBreaksEscapePairs() {
        // 152 septets then '€' (2 septets): it does not fit the 153rd septet, so it opens part two.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 20)
        let parts = splitSegments(text)
        #expect(parts.count == 2)
        #expect(parts[0] == String(repeating: "a", count: 152))
        #expect(parts[1].hasPrefix("€"))
        #expect(parts.joined() == text)
    }

    @Test func packingCanAddASegment() {
        // 153 + 153 septets would fit 306 units in two parts, but the escape pair cannot be cut.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 152)
        let info = countSegments(text)
        #expect(info.units == 306)
        #expect(info.segments == 3)
        #expect(splitSegments(text).count == 3)
    }

    @Test func multipartPartsAreFull() {
        let parts = splitSegments(String(repeating: "x", count: 307))
        #expect(parts.map(\.count) == [153, 153, 1])
    }

    @Test func smartQuotesStayGSM7OnlyWhenEnabled() {
        let text = "It\u{2019}s \u{201C}fine\u{201D} \u{2014} really\u{2026}"
        #expect(countSegments(text).encoding == "ucs2")
        #expect(countSegments(text).text == text)
        let smart = countSegments(text, smartEncoding: true)
        #expect(smart.encoding == "gsm7")
        #expect(smart.text == "It's \"fine\" - really...")
        #expect(smart.units == 23)
        #expect(splitSegments(text, smartEncoding: true) == ["It's \"fine\" - really..."])
    }

    @Test func smartEncodingKeepsOtherCharacters() {
        let text = "caf\u{00E9}\u{00A0}\u{1F600} \u{1F468}\u{200D}\u{1F469}"
        let smart = countSegments(text, smartEncoding: true)
        #expect(smart.encoding == "ucs2")
        #expect(smart.text == "caf\u{00E9} \u{1F600} \u{1F468}\u{200D}\u{1F469}")
    }

    @Test func crlfCountsTwoSeptets() {
        #expect(countSegments("a\r\nb").units == 4)
    }
}
