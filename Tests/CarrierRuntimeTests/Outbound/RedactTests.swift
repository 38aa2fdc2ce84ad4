import CarrierCore
import Foundation
import Testing

@testable import CarrierRuntime

@Suite struct RedactTests {
    typealias B = Build
    static let secret = "p@ss w/rd+ü\"&="

    /// Every encoding a secret can take on the wire.
    static func encodings(of s: String, user: String) -> [String] {
        [
            s, WireEscaping.form(s), WireEscaping.url(s), String(WireEscaping.jsonString(s).dropFirst().dropLast()),
            Data(s.utf8).base64EncodedString(), Data("\(user):\(s)".utf8).base64EncodedString(),
        ]
    }

    static func render(_ format: SendRule.Format, auth: AuthRule) throws -> HTTPRequest {
        let adapter = B.adapter(
            settings: ["user": B.setting(.string), "token": B.setting(.secret)], auth: auth,
            url: "https://x.test/{{ settings.token | url }}?t={{ settings.token }}",
            headers: [("X-Token", "{{ settings.token }}")],
            format: format,
            body: format == .xml
                ? .text(B.t("<t>{{ settings.token }}</t><b>{{ settings.token | base64 }}</b>"))
                : .fields(B.object(B.f("token", "{{ settings.token }}"), B.f("b64", "{{ settings.token | base64 }}"))))
        return try renderRequest(
            for: OutboundMessage(to: "+15551234567", body: "hi"), adapter: adapter,
            settings: ["user": "AC1", "token": secret])
    }

    @Test(arguments: [SendRule.Format.form, .json, .query, .xml])
    func secretNeverAppearsAfterRedaction(format: SendRule.Format) throws {
        for auth in [
            B.basicAuth("{{ settings.user }}", "{{ settings.token }}"), B.bearer("{{ settings.token }}"),
            B.named(.query, "key", "{{ settings.token }}"),
        ] {
            let request = try Self.render(format, auth: auth)
            let adapter = B.adapter(
                settings: ["token": B.setting(.secret), "user": B.setting(.string)], url: "x", format: .none)
            let secrets = secretValues(of: adapter, settings: ["user": "AC1", "token": Self.secret])
            #expect(secrets == [Self.secret])
            let redacted = redact(request, secrets: secrets)
            let printed =
                redacted.url + "\n" + redacted.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n"
                + String(decoding: redacted.body, as: UTF8.self)
            for encoded in Self.encodings(of: Self.secret, user: "AC1") {
                #expect(!printed.contains(encoded), "\(format) leaks \(encoded)")
            }
            #expect(printed.contains("***"))
            // The unredacted request did carry the secret, so the test can fail.
            let raw =
                request.url + request.headers.map(\.value).joined() + String(decoding: request.body, as: UTF8.self)
            #expect(Self.encodings(of: Self.secret, user: "AC1").contains { raw.contains($0) })
        }
    }

    @Test func authorizationAlwaysShowsOnlyTheScheme() {
        let r = HTTPRequest(
            method: "POST", url: "https://x.test",
            headers: [
                HTTPHeader("Authorization", "Basic Zm9vOmJhcg=="), HTTPHeader("authorization", "tokenonly"),
                HTTPHeader("Accept", "a"),
            ])
        #expect(
            redact(r, secrets: []).headers == [
                HTTPHeader("Authorization", "Basic ***"), HTTPHeader("authorization", "***"), HTTPHeader("Accept", "a"),
            ])
    }

    @Test func otherTextIsKept() {
        let r = HTTPRequest(method: "GET", url: "https://x.test/a?k=SECRET&b=2", body: Array("x=SECRET&y=1".utf8))
        let out = redact(r, secrets: ["SECRET"])
        #expect(out.url == "https://x.test/a?k=***&b=2")
        #expect(out.body == Array("x=***&y=1".utf8))
    }
}
