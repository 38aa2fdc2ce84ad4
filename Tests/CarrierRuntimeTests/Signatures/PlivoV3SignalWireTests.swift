import CarrierCore
import Foundation
import Testing

@testable import CarrierRuntime

/// Plivo V3 and SignalWire. Plivo vectors are COMPUTED with Plivo's own Python SDK (`pip install plivo`:
/// `plivo.utils.signature_v3.construct_post_url`, `construct_get_url`, `get_signature_v3`); SignalWire's with
/// Python's `hmac`/`hashlib` (`hmac.new(key, url + body, sha1).hexdigest()`).
@Suite struct PlivoV3SignalWireTests {
    static let form =
        "To=2020&From=60124361111&TotalRate=0&Units=1&Text=Hello&TotalAmount=0&Type=sms&MessageUUID=abc1234"
    static let receive = "https://example.com/c/pl/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/receive/"
    static let status = "https://example.com/c/pl/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/status/"

    static func form(_ text: String) throws -> PayloadObject {
        try parseFormPairs(Array(text.utf8)).groupedPayload()
    }

    @Test func postFormParametersAreSortedAfterTheURL() throws {
        let body = try Self.form(Self.form)
        #expect(
            plivoV3RequestString(method: "POST", url: Self.receive, bodyParameters: body)
                == Self.receive + "?From60124361111MessageUUIDabc1234TextHelloTo2020TotalAmount0TotalRate0TypesmsUnits1"
        )
        let signature = "kb7cnlgrNUiyZgyqh+2ScL+AcuMCx3pkRKwoX8gHlxE="
        func check(_ signature: String, nonce: String = "11354295678044668835", body: PayloadObject? = nil) -> Bool {
            verifyPlivoV3(
                signature: signature, nonce: nonce, method: "POST", url: Self.receive, bodyParameters: body,
                authToken: "AuthToken")
        }
        #expect(check(signature, body: body))
        #expect(check("c3RhbGU=," + signature, body: body))  // several signatures in one header
        #expect(!check(signature, nonce: "11354295678044668836", body: body))
        #expect(!check(signature, body: try Self.form(Self.form.replacingOccurrences(of: "Hello", with: "Hellp"))))
        #expect(!check(signature, body: nil))
    }

    @Test func postWithAQuerySortsItAndAddsADot() throws {
        let url = Self.status + "?channel=pl1&b=2"
        let body = try Self.form("MessageUUID=12345&status=delivered&To=%2B60124361111&From=2020")
        #expect(
            plivoV3RequestString(method: "POST", url: url, bodyParameters: body)
                == Self.status + "?b=2&channel=pl1.From2020MessageUUID12345To+60124361111statusdelivered")
        #expect(
            verifyPlivoV3(
                signature: "sl5WEBCSlRfxXLs+TcmFNcGViMp4taY0KYsW4QUohMY=", nonce: "21354295678044684673",
                method: "POST", url: url, bodyParameters: body, authToken: "AuthToken"))
    }

    @Test func getSignsTheSortedDecodedQuery() {
        let url = Self.status + "?MessageUUID=12345&Status=delivered&To=%2B60124361111&From=2020"
        #expect(
            plivoV3RequestString(method: "GET", url: url, bodyParameters: nil)
                == Self.status + "?From=2020&MessageUUID=12345&Status=delivered&To=+60124361111")
        #expect(
            verifyPlivoV3(
                signature: "jycHEOI04xLA3WlBEjv3XmBHIH8FGaW3PIJ7VvipA3Y=", nonce: "31354295678044684673",
                method: "GET", url: url, bodyParameters: nil, authToken: "AuthToken"))
    }

    @Test func anEmptyPostSignsTheBareURL() {
        #expect(
            verifyPlivoV3(
                signature: "V5M2clZ76pbdFCKL/t6w0vErFGDXUN/hUW8JlFUAczo=", nonce: "41354295678044684673",
                method: "POST", url: Self.receive, bodyParameters: nil, authToken: "AuthToken"))
    }

    @Test func jsonBodiesNestObjectsAndWriteBooleansAsPython() throws {
        let body = try parseJSON(
            Array(#"{"To":"2020","Media":{"Url":"https://x/y.png","Size":42},"Delivered":true,"Parts":["b","a"]}"#.utf8)
        )
        guard case .object(let object) = body else {
            Issue.record("not an object")
            return
        }
        let url = "https://example.com/hook?z=1&a=2"
        #expect(
            plivoV3RequestString(method: "POST", url: url, bodyParameters: object)
                == "https://example.com/hook?a=2&z=1.DeliveredTrueMediaSize42Urlhttps://x/y.pngPartsaPartsbTo2020")
        #expect(
            verifyPlivoV3(
                signature: "sK4a8MwFcBy05rqF9+baqpr4L9HcERsALisZAdSFLCY=", nonce: "777", method: "POST", url: url,
                bodyParameters: object, authToken: "AuthToken"))
    }

    @Test func signalWireSignsTheURLAndRawBodyInHex() {
        let body = Array(#"{"event_type":"messaging.state","params":{"message_state":"delivered"}}"#.utf8)
        let url = "https://example.com/sw/status"
        let signature = "8319b28571541ce5a6037afb707751322dbb6eb9"
        #expect(verifySignalWireBody(signature: signature, url: url, body: body, signingKey: "PSKtest"))
        #expect(verifySignalWireBody(signature: signature.uppercased(), url: url, body: body, signingKey: "PSKtest"))
        #expect(!verifySignalWireBody(signature: signature, url: url + "?x=1", body: body, signingKey: "PSKtest"))
        #expect(!verifySignalWireBody(signature: signature, url: url, body: body + [0x20], signingKey: "PSKtest"))
        #expect(!verifySignalWireBody(signature: signature, url: url, body: body, signingKey: "PSKtesu"))
    }
}
