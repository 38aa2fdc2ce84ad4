import CarrierCore
import Testing

@testable import CarrierRuntime

/// Bounded, deterministic robustness checks: random and mutated real bodies must either parse or fail with a
/// `PayloadError` that has a code and an in-range offset. A crash or a hang fails the whole run.
@Suite("Parser robustness")
struct ParserFuzzTests {
    /// SplitMix64: a tiny seeded generator, so every run sees the same inputs.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let xmlSeeds: [[UInt8]] = [
        "<?xml version=\"1.0\"?><r a='1'><m id=\"x\">t &amp; u</m><m/><![CDATA[c]]><!-- c --></r>",
        "<DeliveryReport><message id=\"m1\" status=\"DELIVERED\" donedate=\"2016/12/12 12:00:00\"/></DeliveryReport>",
    ].map { Array($0.utf8) }

    /// Interesting bytes for the three grammars.
    static let tokens: [[UInt8]] =
        [
            "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\ud83d", "%", "%2", "+", "&", "=", "<", ">", "</", "/>",
            "<![CDATA[", "]]>", "<!--", "-->", "&amp;", "&#", ";", "0", "-", "1e", "true", "null", " ",
        ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0x00]]

    func mutate(_ seed: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty:  // flip a byte
                let k = min(position, bytes.count - 1)
                bytes[k] ^= UInt8.random(in: 1...255, using: &rng)
            case 1:  // insert a token
                bytes.insert(contentsOf: Self.tokens.randomElement(using: &rng) ?? [], at: position)
            case 2 where !bytes.isEmpty:  // delete a range
                let end = min(bytes.count, position + Int.random(in: 1...8, using: &rng))
                bytes.removeSubrange(min(position, end)..<end)
            case 3:  // truncate
                bytes.removeSubrange(position..<bytes.count)
            case 4 where !bytes.isEmpty:  // duplicate a slice
                let start = Int.random(in: 0..<bytes.count, using: &rng)
                let end = min(bytes.count, start + Int.random(in: 1...16, using: &rng))
                bytes.insert(contentsOf: Array(bytes[start..<end]), at: position)
            default:  // random bytes
                bytes.insert(
                    contentsOf: (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                        UInt8.random(in: 0...255, using: &rng)
                    }, at: position)
            }
        }
        return bytes
    }

    /// Runs one parser and checks the outcome is a value or a well-formed error.
    func check(_ bytes: [UInt8], _ parse: ([UInt8]) throws(PayloadError) -> PayloadValue) -> Bool {
        do {
            _ = try parse(bytes)
            return true
        } catch {
            let codeOK = !error.code.isEmpty && error.code.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }
            let offsetOK = error.offset.map { $0 >= 0 && $0 <= bytes.count } ?? true
            #expect(codeOK && offsetOK, "bad error \(error) for \(bytes.count) bytes")
            return false
        }
    }

    @Test func mutatedAndRandomBodies() async {
        var rng = SeededGenerator(state: 20_240_115)
        let jsonSeeds = RecordedBodies.json.map(\.bytes)
        let formSeeds = (RecordedBodies.form + RecordedBodies.query).map(\.bytes)
        var parsed = 0
        var rejected = 0
        for iteration in 0..<20_000 {
            // Seconds of CPU: let the other tests of a parallel run have the pool's threads now and then.
            if iteration % 500 == 0 { await Task.yield() }
            let input: [UInt8]
            let kind = iteration % 3
            if iteration % 10 == 9 {
                input = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                let seeds = kind == 0 ? jsonSeeds : kind == 1 ? formSeeds : Self.xmlSeeds
                input = mutate(seeds.randomElement(using: &rng) ?? [], &rng)
            }
            let ok: Bool
            switch kind {
            case 0: ok = check(input) { (b) throws(PayloadError) in try parseJSON(b) }
            case 1: ok = check(input) { (b) throws(PayloadError) in try parseForm(b) }
            default: ok = check(input) { (b) throws(PayloadError) in try parseXML(b) }
            }
            if ok { parsed += 1 } else { rejected += 1 }
        }
        // Both outcomes must occur, or the mutations are not exercising the parsers.
        #expect(parsed > 1000)
        #expect(rejected > 1000)
    }

    @Test func everyTruncationOfRecordedJSONIsAnError() async throws {
        for body in RecordedBodies.json where !body.malformed {
            await Task.yield()
            let bytes = body.bytes
            var trimmedEnd = bytes.count
            while trimmedEnd > 0, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[trimmedEnd - 1]) { trimmedEnd -= 1 }
            for cut in stride(from: 0, to: trimmedEnd - 1, by: max(1, trimmedEnd / 40)) {
                let error = #expect(throws: PayloadError.self, "\(body.name) cut at \(cut)") {
                    try parseJSON(Array(bytes[..<cut]))
                }
                // A cut inside a number can leave a valid prefix document only at the top level, which
                // recorded bodies never are; every cut must be an error.
                #expect(error?.code == "bad-json")
            }
        }
    }

    @Test func hugeAndDeepBodiesFailClearly() {
        let tenMB = [UInt8](repeating: UInt8(ascii: " "), count: 10 * 1024 * 1024)
        for parse in [parseJSON, parseForm, parseXML] as [([UInt8], PayloadLimits) throws(PayloadError) -> PayloadValue]
        {
            let error = #expect(throws: PayloadError.self) { try parse(tenMB, .default) }
            #expect(error?.code == "body-too-large")
        }
        let deepJSON = Array(String(repeating: "{\"a\":", count: 100_000).utf8)
        #expect((#expect(throws: PayloadError.self) { try parseJSON(deepJSON) })?.code == "nesting-too-deep")
        let deepArrays = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect((#expect(throws: PayloadError.self) { try parseJSON(deepArrays) })?.code == "nesting-too-deep")
        let deepXML = Array(String(repeating: "<a>", count: 100_000).utf8)
        #expect((#expect(throws: PayloadError.self) { try parseXML(deepXML) })?.code == "nesting-too-deep")
        // A large but legal body (a 3 MB string) parses.
        let big = Array(("{\"media\":\"" + String(repeating: "QUJD", count: 750_000) + "\"}").utf8)
        #expect((try? parseJSON(big))?["media"]?.text?.count == 3_000_000)
    }

    @Test func invalidUTF8IsReportedNotRepaired() {
        for bad: [UInt8] in [[0xFF], [0xC3], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0x80]] {
            let json = Array("[\"".utf8) + bad + Array("\"]".utf8)
            #expect((#expect(throws: PayloadError.self) { try parseJSON(json) })?.code == "invalid-utf8")
            let xml = Array("<a>".utf8) + bad + Array("</a>".utf8)
            #expect((#expect(throws: PayloadError.self) { try parseXML(xml) })?.code == "invalid-utf8")
        }
    }
}
