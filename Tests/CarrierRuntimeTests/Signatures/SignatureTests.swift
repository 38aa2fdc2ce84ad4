import CarrierCore
import Foundation
import Testing

@testable import CarrierRuntime

/// Every vector from /work/shared/payloads/*.yaml `signature.test_vectors`, plus vectors COMPUTED for this suite
/// with Python's `hmac`/`hashlib` (marked below) for schemes the payload files have no vector for.
@Suite("Signatures")
struct SignatureTests {
    /// Returns the bytes with one byte changed.
    func flipped(_ bytes: [UInt8], at index: Int) -> [UInt8] {
        var copy = bytes
        copy[index] ^= 0x01
        return copy
    }

    func flipped(_ text: String, at index: Int) -> String {
        String(decoding: flipped(Array(text.utf8), at: index), as: UTF8.self)
    }

    // MARK: Twilio

    @Test func twilioOfficialVector() {
        // source: twilio_python_validator_test (twilio.yaml signature.test_vectors[0])
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        let params = [
            ("CallSid", "CA1234567890ABCDE"), ("Digits", "1234"), ("From", "+14158675309"), ("To", "+18005551212"),
            ("Caller", "+14158675309"),
        ]
        let signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        #expect(verifyTwilio(signature: signature, url: url, params: params, authToken: "12345"))
        #expect(!verifyTwilio(signature: signature, url: url, params: params, authToken: "12346"))
        #expect(!verifyTwilio(signature: signature, url: flipped(url, at: 10), params: params, authToken: "12345"))
        var changed = params
        changed[1].1 = "1235"
        #expect(!verifyTwilio(signature: signature, url: url, params: changed, authToken: "12345"))
        #expect(!verifyTwilio(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B9=", url: url, params: params, authToken: "12345"))
        #expect(!verifyTwilio(signature: "not base64!", url: url, params: params, authToken: "12345"))
    }

    @Test func twilioRepeatedKeySortsValues() throws {
        // source: twilio_python_validator_test (twilio.yaml signature.test_vectors[1])
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        let params = try parseFormPairs(Array("Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234".utf8))
        #expect(verifyTwilio(signature: "IK+Dwps556ElfBT0I3Rgjkr1wJU=", url: url, params: params, authToken: "12345"))
        #expect(!verifyTwilio(signature: "IK+Dwps556ElfBT0I3Rgjkr1wJU=", url: url, params: [], authToken: "12345"))
    }

    @Test func twilioJSONBodyVariant() {
        // source: twilio_python_validator_test (twilio.yaml signature.test_vectors[2])
        let url =
            "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
        let body = Array(#"{"property": "value", "boolean": true}"#.utf8)
        let signature = "a9nBmqA0ju/hNViExpshrM61xv4="
        #expect(verifyTwilioJSON(signature: signature, url: url, body: body, authToken: "12345"))
        #expect(!verifyTwilioJSON(signature: signature, url: url, body: flipped(body, at: 3), authToken: "12345"))
        #expect(!verifyTwilioJSON(signature: signature, url: flipped(url, at: 9), body: body, authToken: "12345"))
        #expect(!verifyTwilioJSON(signature: signature, url: url, body: body, authToken: "12355"))
    }

    @Test func twilioRecordedInboundBody() throws {
        // source: computed (twilio.yaml signature.test_vectors[3]) over inbound_messages "sms_text" (courier_tests)
        let body = try #require(RecordedBodies.body("twilio", "inbound_messages.sms_text")).bytes
        let url = "https://example.com/c/t/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/receive"
        let signature = "sAYRME4u7MHti2sU4rFUW4qFzl4="
        #expect(verifyTwilio(signature: signature, url: url, params: try parseFormPairs(body), authToken: "6789"))
        // One byte of the body ("Body=Msg" -> "Body=Mrg").
        let index = try #require(body.firstIndex(of: UInt8(ascii: "M")))
        let tampered = try parseFormPairs(flipped(body, at: index))
        #expect(!verifyTwilio(signature: signature, url: url, params: tampered, authToken: "6789"))
        #expect(
            !verifyTwilio(signature: signature, url: url + "/", params: try parseFormPairs(body), authToken: "6789"))
        #expect(!verifyTwilio(signature: signature, url: url, params: try parseFormPairs(body), authToken: "6788"))
    }

    // MARK: HMAC over the body

    @Test func metaHubSignature() throws {
        // source: computed (whatsapp_cloud.yaml signature.test_vectors[0]) over inbound_messages "text"
        let body = try #require(RecordedBodies.body("whatsapp_cloud", "inbound_messages.text")).bytes
        let header = "sha256=700efab27306b2b1518621a77de8c4cb9b1ac6f421c234a8518cdc915bde1cfe"
        func verify(_ body: [UInt8], _ header: String, _ secret: String) -> Bool {
            verifyHMAC(
                body: body, signature: header, secret: secret, algorithm: .sha256, encoding: .hex, prefix: "sha256=")
        }
        #expect(verify(body, header, "fb_app_secret"))
        #expect(verify(body, header.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="), "fb_app_secret"))
        #expect(!verify(flipped(body, at: body.count / 2), header, "fb_app_secret"))
        #expect(!verify(body, header, "fb_app_secreu"))
        #expect(!verify(body, String(header.dropFirst(7)), "fb_app_secret"))  // prefix missing
        #expect(!verify(body, "sha256=zz", "fb_app_secret"))
    }

    @Test func termiiSHA512Hex() {
        // COMPUTED: hex(HMAC-SHA512("termii_secret", body)) with Python; body is africastalking.yaml
        // send_responses "success_mock" (courier_tests), used only as sample bytes.
        let body = Array(#"{ "SMSMessageData": {"Recipients": [{"status": "Success", "messageId": "1002"}] } }"#.utf8)
        let signature =
            "4eea22d9694b351c3ec08a607de915e83f0eb9e78be695d4198572d8183fc1deb77ad7aeefe104e8612d211007719f7ce1f75c9cfd1e44d5f218bc8d2c41426c"
        #expect(
            verifyHMAC(body: body, signature: signature, secret: "termii_secret", algorithm: .sha512, encoding: .hex))
        #expect(
            !verifyHMAC(
                body: flipped(body, at: 0), signature: signature, secret: "termii_secret", algorithm: .sha512,
                encoding: .hex))
        #expect(
            !verifyHMAC(body: body, signature: signature, secret: "termii_secreT", algorithm: .sha512, encoding: .hex))
        #expect(
            !verifyHMAC(body: body, signature: signature, secret: "termii_secret", algorithm: .sha256, encoding: .hex))
    }

    @Test func base64EncodingAndAlgorithmNames() throws {
        // COMPUTED here: the Twilio official vector is HMAC-SHA1 of URL+params, Base64; as a body HMAC it must agree.
        let message = Array(
            "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212"
                .utf8)
        #expect(
            verifyHMAC(
                body: message, signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", secret: "12345", algorithm: .sha1,
                encoding: .base64))
    }

    // MARK: Ed25519

    @Test func telnyxEd25519() throws {
        // source: computed (telnyx.yaml signature.test_vectors[0]) over inbound_messages "sms_received"
        let body = try #require(RecordedBodies.body("telnyx", "inbound_messages.sms_received")).bytes
        let key = "DCVm5tYO99GTJR8+lVu12d4mn2abW8r/+RuXSyKbWFk="
        let signature = "Ak2Ujy0uyotAzi2tgCVhBM3yRorfC1D8HzmwzmM0au5dsKF5YvaSAwhBmbxfevSgdxhw4uv7nwXtC+7EdrBrBw=="
        let now = Date(timeIntervalSince1970: 1_705_349_767 + 100)
        func verify(_ body: [UInt8], _ signature: String, now: Date, timestamp: String = "1705349767") throws -> Bool {
            try verifyEd25519(
                body: body, timestamp: timestamp, signatureBase64: signature, publicKeyBase64: key, now: now,
                toleranceSeconds: 300)
        }
        #expect(try verify(body, signature, now: now))
        #expect(try !verify(flipped(body, at: 10), signature, now: now))
        #expect(try !verify(body, signature, now: now, timestamp: "1705349768"))
        #expect(try !verify(body, signature, now: Date(timeIntervalSince1970: 1_705_349_767 + 301)))
        #expect(try !verify(body, signature, now: Date(timeIntervalSince1970: 1_705_349_767 - 301)))
        #expect(try !verify(body, String(signature.dropLast(4)) + "AAA=", now: now))
        #expect(try !verify(body, "%%%", now: now))
        #expect(try !verify(body, signature, now: now, timestamp: "soon"))
        let error = #expect(throws: SignatureError.self) {
            try verifyEd25519(
                body: body, timestamp: "1705349767", signatureBase64: signature, publicKeyBase64: "c2hvcnQ=", now: now,
                toleranceSeconds: 300)
        }
        #expect(error?.code == "bad-public-key")
    }

    // MARK: MessageBird JWT

    /// COMPUTED with Python (hmac, hashlib, json): HS256 over the header and claims below with the key
    /// `mb_signing_key`; claims iss=MessageBird, nbf=1700000000, exp=1700000600, url_hash=sha256(url),
    /// payload_hash=sha256(body).
    let messageBirdURL = "https://example.com/webhooks/messagebird?reference=r1"
    let messageBirdBody = Array(#"{"id":"mb-1","status":"delivered"}"#.utf8)
    let messageBirdToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwNjAwLCJqdGkiOiJqMSIsInVybF9oYXNoIjoiZWNiNDUwZTgwOWFiMWY5NTBkYWMzZDZhZDFiYzNkZWI4ZDdkMTA4YWM1NzBmMGEyNDcyNWExZmFlODdlODU4YyIsInBheWxvYWRfaGFzaCI6ImI0ZDY4YTYxZmZiZjIzNzFjOThhOGJmYTk4MjEwMzBkNTQ3MjY1MWJjY2IyN2YyOTU4YTBkZTg0ZjJkYTEyYWUifQ.jULXiiTEMYkRQ6Pyz7ExhzAfSMT21HPbjzwkysk0Pfg"
    /// The same without `payload_hash`, for an empty body (COMPUTED likewise, jti=j2).
    let messageBirdEmptyBodyToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwNjAwLCJqdGkiOiJqMiIsInVybF9oYXNoIjoiZWNiNDUwZTgwOWFiMWY5NTBkYWMzZDZhZDFiYzNkZWI4ZDdkMTA4YWM1NzBmMGEyNDcyNWExZmFlODdlODU4YyJ9.dxlh75JwCiAlxaVoJ8soynscmp0tinW3IbVtIjfjKaA"

    @Test func messageBirdJWT() {
        let now = Date(timeIntervalSince1970: 1_700_000_100)
        func problem(
            token: String? = nil, url: String? = nil, body: [UInt8]? = nil, secret: String = "mb_signing_key",
            at time: Date? = nil
        ) -> String? {
            messageBirdJWTProblem(
                token: token ?? messageBirdToken, url: url ?? messageBirdURL, body: body ?? messageBirdBody,
                secret: secret, now: time ?? now)
        }
        #expect(problem() == nil)
        #expect(
            verifyMessageBirdJWT(
                token: messageBirdToken, url: messageBirdURL, body: messageBirdBody, secret: "mb_signing_key", now: now)
        )
        #expect(problem(body: flipped(messageBirdBody, at: 5)) == "payload_hash does not match the request body")
        #expect(problem(url: flipped(messageBirdURL, at: 12)) == "url_hash does not match the request URL")
        #expect(problem(secret: "mb_signing_kez") == "token signature does not match")
        #expect(problem(at: Date(timeIntervalSince1970: 1_699_999_000)) == "token is not valid yet (nbf)")
        #expect(problem(at: Date(timeIntervalSince1970: 1_700_000_700)) == "token has expired (exp)")
        #expect(problem(token: "abc") == "token does not have three parts")
        #expect(problem(token: flipped(messageBirdToken, at: 40)) != nil)
        #expect(problem(token: messageBirdEmptyBodyToken, body: []) == nil)
        #expect(problem(token: messageBirdEmptyBodyToken) == "payload_hash does not match the request body")
        #expect(problem(body: []) == "payload_hash present for an empty body")
        // alg "none" with the same claims and an empty signature is refused.
        let parts = messageBirdToken.split(separator: ".")
        #expect(problem(token: "eyJhbGciOiJub25lIn0." + parts[1] + ".") == "token algorithm is not HS256")
    }

    // MARK: Vonage

    @Test func vonageMD5HashOfficialVector() throws {
        // source: vonage_python_sig_test (vonage.yaml signature.test_vectors[0])
        let params = [("a", "1"), ("b", "2"), ("timestamp", "1461605396"), ("sig", "6af838ef94998832dbfc29020b564830")]
        #expect(verifyVonageSig(params: params, secret: "secret", algorithm: .md5hash))
        #expect(
            verifyVonageSig(
                params: params.map { ($0.0, $0.0 == "sig" ? $0.1.uppercased() : $0.1) }, secret: "secret",
                algorithm: .md5hash))
        #expect(!verifyVonageSig(params: params, secret: "secreT", algorithm: .md5hash))
        #expect(!verifyVonageSig(params: [("a", "0")] + params.dropFirst(), secret: "secret", algorithm: .md5hash))
        #expect(!verifyVonageSig(params: params, secret: "secret", algorithm: .md5))
        #expect(!verifyVonageSig(params: Array(params.dropLast()), secret: "secret", algorithm: .md5hash))
    }

    @Test func vonageHMACReplacesSpecialCharacters() throws {
        // COMPUTED with Python: hex(HMAC-SHA256("secret", "&a=x_y_z&msisdn=447700900000&text=Hi you&timestamp=1461605396"))
        let query =
            "text=Hi+you&a=x%26y%3Dz&msisdn=447700900000&timestamp=1461605396"
            + "&sig=54e6840f6604501bdcb4bf4422083e4e23db098a2f772306d9ab84b4d14717eb"
        let params = try parseFormPairs(Array(query.utf8))
        #expect(verifyVonageSig(params: params, secret: "secret", algorithm: .sha256))
        #expect(!verifyVonageSig(params: params, secret: "secret", algorithm: .sha512))
        #expect(
            !verifyVonageSig(
                params: try parseFormPairs(Array(query.replacingOccurrences(of: "Hi", with: "Ho").utf8)),
                secret: "secret", algorithm: .sha256))
    }

    // MARK: Plivo V2, Bird

    @Test func plivoV2SignsTheURLWithoutQueryAndTheNonce() {
        // COMPUTED with Python: base64(hmac.new(token, url_without_query + nonce, sha256))
        let signature = "60/V4ZtVnn+9d0zPPjDsfbaEgaY4pNLb8RuIXpJXaVQ="
        let token = "MAXXXXXXXXXXXXXXXXXX"
        let nonce = "12345678901234567890"
        let url = "https://example.com/plivo/sms"
        #expect(verifyPlivoV2(signature: signature, nonce: nonce, url: url, authToken: token))
        #expect(verifyPlivoV2(signature: signature, nonce: nonce, url: url + "?retry=1", authToken: token))
        #expect(verifyPlivoV2(signature: "stale=, " + signature, nonce: nonce, url: url, authToken: token))
        #expect(!verifyPlivoV2(signature: signature, nonce: flipped(nonce, at: 3), url: url, authToken: token))
        #expect(!verifyPlivoV2(signature: signature, nonce: nonce, url: url + "/x", authToken: token))
        #expect(!verifyPlivoV2(signature: signature, nonce: nonce, url: url, authToken: token + "Y"))
        #expect(!verifyPlivoV2(signature: "", nonce: nonce, url: url, authToken: token))
    }

    @Test func birdSignsTimestampURLAndBodyDigest() {
        // COMPUTED with Python: base64(hmac(key, ts + "\n" + url + "\n" + sha256(body).digest(), sha256))
        let signature = "6bRglu4Eh2nnIU+F9luRypAhGs9G1zvIqiBfX4LxVkE="
        let body = Array(#"{"event":"sms.inbound"}"#.utf8)
        let url = "https://example.com/inbound/bird?x=1"
        let key = "secureSigningKey"
        let signedAt = Date(timeIntervalSince1970: 1_700_000_000)
        func check(
            body: [UInt8] = body, timestamp: String = "1700000000", url: String = url, key: String = key,
            now: Date = signedAt
        ) -> Bool {
            verifyBird(
                body: body, timestamp: timestamp, signature: signature, url: url, signingKey: key, now: now,
                toleranceSeconds: 300)
        }
        #expect(check())
        #expect(check(now: signedAt.addingTimeInterval(299)))
        #expect(!check(now: signedAt.addingTimeInterval(301)))
        #expect(!check(now: signedAt.addingTimeInterval(-301)))
        #expect(!check(body: flipped(body, at: 5)))
        #expect(!check(url: "https://example.com/inbound/bird"))
        #expect(!check(key: "otherKey"))
        #expect(!check(timestamp: "1700000001", now: signedAt))
        #expect(!check(timestamp: "soon"))
    }

    @Test func constantTimeEqualsBasics() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2], [1, 2, 3]))
        #expect(constantTimeEquals([], []))
    }
}
