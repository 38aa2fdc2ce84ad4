import CarrierCore
import CarrierTestSupport
import Foundation
import Testing

@testable import CarrierRuntime

/// MessageMedia enterprise webhook signatures (SHA-256, SHA-512 through swift-crypto; SHA-224 through our own RSA). The vectors are COMPUTED by `scripts/messagemedia_signature_vectors.py`
/// with Python's `cryptography` (a fresh RSA-2048 key; RSA PKCS#1 v1.5 over request line + Date + body) and read
/// from `scripts/messagemedia_signature_vectors.json`.
@Suite struct MessageMediaSignatureTests {
    struct Vectors: Decodable {
        struct Case: Decodable {
            var name: String
            var method: String
            var path: String
            var body: String
            var digest: String
            var signature: String
        }

        var publicKeyBase64DER: String
        var publicKeyPEM: String
        var date: String
        var cases: [Case]

        func named(_ name: String) throws -> Case { try #require(cases.first { $0.name == name }) }
    }

    static let vectors: Vectors = {
        let url = repositoryRoot.appendingPathComponent("scripts/messagemedia_signature_vectors.json")
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()
    /// The vectors' Date header, `Wed, 18 Jul 2018 06:33:52 GMT`, in epoch seconds.
    static let signedAt = Date(timeIntervalSince1970: 1_531_895_632)

    static func check(
        _ c: Vectors.Case, key: String = vectors.publicKeyBase64DER, method: String? = nil, body: String? = nil,
        host: String = "https://example.com", now: Date = signedAt, signature: String? = nil
    ) throws -> Bool {
        try verifyMessageMedia(
            method: method ?? c.method, publicURL: host + c.path, date: vectors.date,
            body: Array((body ?? c.body).utf8),
            signatureBase64: signature ?? c.signature, publicKey: key, now: now, toleranceSeconds: 300)
    }

    @Test(arguments: ["reply_sha256", "dlr_sha512"])
    func sha256AndSha512KeysVerifyWithDERAndPEM(_ name: String) throws {
        let c = try Self.vectors.named(name)
        #expect(try Self.check(c))
        #expect(try Self.check(c, key: Self.vectors.publicKeyPEM))
        #expect(try Self.check(c, host: "https://other.test:8443"))  // only the path and query are signed
    }

    @Test func anythingChangedFails() throws {
        let c = try Self.vectors.named("reply_sha256")
        #expect(!(try Self.check(c, method: "PUT")))
        #expect(!(try Self.check(c, body: c.body + " ")))
        #expect(!(try Self.check(c, host: "https://example.com/prefix")))
        #expect(!(try Self.check(c, signature: "AAAA")))
        #expect(!(try Self.check(c, signature: "not base64!")))
        let other = try Self.vectors.named("dlr_sha512")
        #expect(!(try Self.check(c, signature: other.signature)))
    }

    @Test func theDateMustBeFresh() throws {
        let c = try Self.vectors.named("reply_sha256")
        #expect(try Self.check(c, now: Self.signedAt.addingTimeInterval(300)))
        #expect(try Self.check(c, now: Self.signedAt.addingTimeInterval(-300)))
        #expect(!(try Self.check(c, now: Self.signedAt.addingTimeInterval(301))))
        #expect(!(try Self.check(c, now: Self.signedAt.addingTimeInterval(-301))))
    }

    @Test func sha224KeysVerifyThroughTheOwnRSACheck() throws {
        let c = try Self.vectors.named("reply_sha224")
        #expect(try Self.check(c))
        #expect(!(try Self.check(c, body: c.body.replacingOccurrences(of: "Derpina", with: "Derpinb"))))
        #expect(!(try Self.check(c, method: "PUT")))
    }

    /// FIPS 180-4 examples and a long message; the digests are Python's `hashlib.sha224(...).hexdigest()`.
    @Test(arguments: [
        ("", "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"),
        ("abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525"
        ),
        (String(repeating: "a", count: 1000), "4e8f0ce90b64661a2b5e84be6d93a7d9b76871062f1814433d04a03d"),
    ])
    func sha224MatchesHashlib(_ message: String, _ hex: String) {
        #expect(WireEscaping.hex(sha224(Array(message.utf8))).lowercased() == hex)
    }

    /// The textbook key n = 61 * 53 = 3233, e = 17: 65^17 mod 3233 = 2790 (Python: `pow(65, 17, 3233)`).
    @Test func montgomeryPowerMatchesATextbookKey() throws {
        let n = try #require(RSAPublicModulus(bigEndian: [0x0C, 0xA1]))
        #expect(n.power([65], exponent: [17]) == [0x0A, 0xE6])
        #expect(n.power([0x0C, 0xA1], exponent: [17]) == nil)  // not below the modulus
        #expect(RSAPublicModulus(bigEndian: [0x0C, 0xA2]) == nil)  // even
    }

    /// The key as PKCS#1 (`RSA PUBLIC KEY`): the SPKI without its 24-byte header (2048-bit key).
    static var pkcs1PEM: String {
        let der = decodeBase64(vectors.publicKeyBase64DER)!
        return "-----BEGIN RSA PUBLIC KEY-----\n"
            + Data(der.dropFirst(24)).base64EncodedString(options: .lineLength64Characters)
            + "\n-----END RSA PUBLIC KEY-----\n"
    }

    @Test func pkcs1KeysAreReadToo() throws {
        #expect(try Self.check(try Self.vectors.named("reply_sha256"), key: Self.pkcs1PEM))
    }

    /// Malformed keys, including ones swift-crypto's own DER parser would abort on.
    static let badKeys: [String] = {
        let der = decodeBase64(vectors.publicKeyBase64DER)!
        var small: [UInt8] = [0x30, 0x81, 0x89, 0x02, 0x81, 0x81, 0x00, 0xC0]
        small += [UInt8](repeating: 0x01, count: 127) + [0x02, 0x03, 0x01, 0x00, 0x01]
        return [
            "", "bm90IGEga2V5", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            Data(der.dropLast(10)).base64EncodedString(), Data(der + [0]).base64EncodedString(),
            Data(der.prefix(24)).base64EncodedString(), Data(small).base64EncodedString(),
            "-----BEGIN PUBLIC KEY-----\n" + vectors.publicKeyBase64DER, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
        ]
    }()

    @Test(arguments: badKeys)
    func aKeyThatIsNotAnRSAKeyIsAConfigurationError(_ key: String) throws {
        let c = try Self.vectors.named("reply_sha256")
        #expect(throws: SignatureError.self) { try Self.check(c, key: key) }
        do {
            _ = try Self.check(c, key: key)
        } catch let error as SignatureError {
            #expect(error.code == "bad-public-key")
        }
    }
}
