import CarrierCore
import Foundation
import Testing

@testable import CarrierRuntime

/// `inbound.signature` as a list of rules, the request's headers picking one (Plivo V2 or V3).
@Suite struct SignatureListTests {
    static func compile(signature: String) -> CompilationResult {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            settings: { token: { type: secret } }
            send: { url: "https://acme.test/send", format: none }
            inbound:
              format: form
              signature: \(signature)
              events:
                - type: message
                  fields: { from: From, text: Text }

            """
        return compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
    }

    static let both = """
        [{ scheme: plivo-v2, header: X-V2, nonceHeader: X-V2-Nonce, secret: "{{ settings.token }}" },
         { scheme: plivo-v3, header: X-V3, nonceHeader: X-V3-Nonce, secret: "{{ settings.token }}" }]
        """

    /// Normalizes a form POST to https://example.com/in with `headers`.
    static func normalize(_ headers: [HTTPHeader]) throws -> Result<Int, InboundError> {
        let result = Self.compile(signature: Self.both)
        let adapter = try #require(result.table?.adapter("acme"), "\(result.diagnostics)")
        let request = HTTPRequest(
            method: "POST", url: "/in",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")] + headers,
            body: Array("From=123&Text=Hi".utf8))
        do {
            let r = try normalizeInbound(
                request, adapter: adapter, settings: ["token": "AuthToken"], publicURL: "https://example.com/in")
            return .success(r.events.count)
        } catch {
            return .failure(error)
        }
    }

    // COMPUTED with Python: V2 base64(hmac(b"AuthToken", b"https://example.com/in" + b"n2", sha256));
    // V3 with plivo's SDK: get_signature_v3(b"AuthToken", construct_post_url(url, {"From": "123", "Text": "Hi"}), b"n3")
    static let v2 = "DMsNZUtb7xLbVl20Gv+BKdAPsIOJbPDIsZufgUG0Dyw="
    static let v3 = "c4E7jFWSUt7nka7oACzYEHHa0ndtmC50P5iv8Ui4XS4="

    @Test func theHeaderPicksTheRule() throws {
        #expect(try Self.normalize([HTTPHeader("X-V2", Self.v2), HTTPHeader("X-V2-Nonce", "n2")]).get() == 1)
        #expect(try Self.normalize([HTTPHeader("X-V3", Self.v3), HTTPHeader("X-V3-Nonce", "n3")]).get() == 1)
        // A V2 signature in the V3 header is checked as V3 and fails.
        let swapped = try Self.normalize([HTTPHeader("X-V3", Self.v2), HTTPHeader("X-V3-Nonce", "n2")])
        #expect(throws: InboundError.self) { try swapped.get() }
        // No signature header at all: the first rule is checked, and fails.
        let none = try Self.normalize([])
        #expect((try? none.get()) == nil)
        if case .failure(let e) = none { #expect(e.code == "bad-signature") }
    }

    @Test(arguments: [
        // every rule but the last needs a header
        (
            "[{ scheme: basic-auth, secret: \"{{ settings.token }}\" }, { scheme: twilio, header: X-T, secret: \"{{ settings.token }}\" }]",
            "invalid-value"
        ),
        // an optional rule could be picked by a forged header and skip the check
        (
            "[{ scheme: twilio, header: X-T, secret: \"{{ settings.token }}\", optional: true }, { scheme: twilio, header: X-U, secret: \"{{ settings.token }}\" }]",
            "invalid-value"
        ),
        ("[]", "invalid-value"),
        ("[{ scheme: plivo-v3, header: X-V3, secret: \"{{ settings.token }}\" }]", "missing-key"),
    ])
    func badListsAreErrors(signature: String, code: String) {
        let errors = Self.compile(signature: signature).diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.code) == [code], "\(errors)")
    }
}

/// `inbound.caseInsensitiveKeys` on a whole webhook: one definition reads a form whose keys change case between
/// products (`CreatedDatetime` / `createdDatetime`, `MSISDN` / `msisdn`) in `when`, fields and timestamps.
@Suite struct MixedCaseFormTests {
    static func adapter(caseInsensitive: Bool) throws -> Adapter {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            send: { url: "https://acme.test/send", format: none }
            inbound:
              format: form
              caseInsensitiveKeys: \(caseInsensitive)
              events:
                - type: message
                  when: { path: type, equals: mo }
                  fields:
                    from: msisdn
                    text: Body
                    providerMessageId: messageId
                    timestamp: { path: createdDatetime, format: iso8601 }

            """
        let result = compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
        return try #require(result.table?.adapter("acme"), "\(result.diagnostics)")
    }

    static func events(_ form: String, caseInsensitive: Bool = true) throws -> [NormalizedEvent] {
        let request = HTTPRequest(
            method: "POST", url: "/in", headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(form.utf8))
        return try normalizeInbound(
            request, adapter: try Self.adapter(caseInsensitive: caseInsensitive), settings: [:],
            publicURL: "https://x/in"
        ).events
    }

    static let expected = NormalizedEvent.received(
        .init(
            carrier: "acme", from: "+31612345678", text: "Hi", providerMessageId: "m1",
            timestamp: "2024-05-01T10:00:00Z"))

    @Test(arguments: [
        "TYPE=mo&MSISDN=31612345678&body=Hi&MessageID=m1&CreatedDatetime=2024-05-01T10%3A00%3A00%2B00%3A00",
        "type=mo&msisdn=31612345678&Body=Hi&messageId=m1&createdDatetime=2024-05-01T10%3A00%3A00%2B00%3A00",
        "Type=mo&Msisdn=31612345678&BODY=Hi&messageid=m1&createddatetime=2024-05-01T10%3A00%3A00Z",
    ])
    func everyCaseReadsTheSame(form: String) throws {
        #expect(try Self.events(form) == [Self.expected])
    }

    @Test func withoutTheOptionOnlyTheExactCaseMatches() throws {
        let form = "TYPE=mo&MSISDN=31612345678&body=Hi&MessageID=m1"
        // No rule matches: no event (or an error saying so), never the message.
        #expect(((try? Self.events(form, caseInsensitive: false)) ?? []) == [])
    }
}
