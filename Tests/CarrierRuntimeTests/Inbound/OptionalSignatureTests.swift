import CarrierCore
import Foundation
import Testing

@testable import CarrierRuntime

/// `signature.optional`: checked when the channel has the secret, skipped when it does not.
@Suite struct OptionalSignatureTests {
    static func adapter(optional: Bool) throws -> Adapter {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            settings: { signing_secret: { type: secret, required: false } }
            send: { url: "https://acme.test/send", format: none }
            inbound:
              format: json
              signature: { scheme: hmac-sha256-body, header: X-Sig, secret: "{{ settings.signing_secret }}", optional: \(optional) }
              events:
                - type: message
                  fields: { from: from, text: text }
            """
        let result = compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
        return try #require(result.table?.adapter("acme"), "\(result.diagnostics)")
    }

    static let request = HTTPRequest(
        method: "POST", url: "/in", headers: [HTTPHeader("Content-Type", "application/json")],
        body: Array(#"{"from":"+15550001111","text":"hi"}"#.utf8))

    @Test func unsignedRequestAcceptedWhenTheChannelHasNoSecret() throws {
        let result = try normalizeInbound(
            Self.request, adapter: try Self.adapter(optional: true), settings: [:], publicURL: "https://x/in")
        #expect(result.events.count == 1)
    }

    @Test func checkedOnceTheChannelHasASecret() throws {
        #expect(throws: InboundError.self) {
            try normalizeInbound(
                Self.request, adapter: try Self.adapter(optional: true), settings: ["signing_secret": "s3"],
                publicURL: "https://x/in")
        }
    }

    @Test func notOptionalMeansAlwaysChecked() throws {
        let adapter = try Self.adapter(optional: false)
        do {
            _ = try normalizeInbound(Self.request, adapter: adapter, settings: [:], publicURL: "https://x/in")
            Issue.record("an unsigned request was accepted")
        } catch {
            #expect(error.code == "bad-signature")
        }
    }

    @Test func mapFilterArgumentIsCheckedAtCompileTime() {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            send:
              url: https://acme.test/send
              format: form
              body: { type: "{{ segments.encoding | map:\\"nonsense\\" }}" }
            """
        let result = compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
        #expect(result.diagnostics.map(\.code) == ["bad-filter-argument"])
    }
}
