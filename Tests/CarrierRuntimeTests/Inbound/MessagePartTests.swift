import CarrierCore
import Foundation
import Testing

@testable import CarrierRuntime

/// `partReference`, `partTotal`, `partNumber`: one part of a long message, or a whole message when the values do
/// not make a part.
@Suite struct MessagePartFieldTests {
    static let adapter = compileInboundOnlyDefinition(
        format: "form",
        fields:
            "{ from: msisdn, text: text, partReference: concat-ref, partTotal: concat-total, partNumber: concat-part }"
    ).table?.adapter("acme")

    static func event(_ form: String) throws -> NormalizedEvent.MessageReceived? {
        let adapter = try #require(Self.adapter)
        let request = HTTPRequest(
            method: "POST", url: "/in", headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(form.utf8))
        let result = try normalizeInbound(request, adapter: adapter, settings: [:], publicURL: "https://x/in")
        guard case .received(let event)? = result.events.first else { return nil }
        return event
    }

    @Test func aPartCarriesItsReferenceTotalAndNumber() throws {
        let event = try #require(
            try Self.event("msisdn=447700900001&text=Hi&concat-ref=9&concat-total=3&concat-part=2"))
        #expect(event.partReference == "9")
        #expect(event.partTotal == 3)
        #expect(event.partNumber == 2)
    }

    @Test(arguments: [
        "msisdn=1&text=Hi",  // no part fields: a whole message
        "msisdn=1&text=Hi&concat-ref=9&concat-total=1&concat-part=1",  // one part is the whole
        "msisdn=1&text=Hi&concat-ref=9&concat-total=3&concat-part=4",  // number beyond the total
        "msisdn=1&text=Hi&concat-ref=9&concat-total=3&concat-part=0",
        "msisdn=1&text=Hi&concat-ref=&concat-total=3&concat-part=1",  // no reference
        "msisdn=1&text=Hi&concat-ref=9&concat-total=many&concat-part=1",
        "msisdn=1&text=Hi&concat-ref=9&concat-total=300&concat-part=1",  // more parts than SMS allows
    ])
    func valuesThatMakeNoPartGiveAWholeMessage(form: String) throws {
        let event = try #require(try Self.event(form))
        #expect(event.partReference == nil && event.partTotal == nil && event.partNumber == nil)
        #expect(event.text == "Hi")
    }

    @Test func aRuleNamesAllThreePartFieldsOrNone() {
        let result = compileInboundOnlyDefinition(format: "form", fields: "{ from: msisdn, partReference: concat-ref }")
        #expect(result.table == nil)
        #expect(
            result.diagnostics.contains {
                $0.code == "missing-key" && $0.message.contains("partTotal, partNumber")
            }, "\(result.diagnostics)")
    }
}
