import CarrierCore
import Foundation
import Testing

@testable import CarrierService

struct MessageStatusTests {
    @Test(arguments: [
        (MessageStatus.queued, MessageStatus.sent, true), (.sent, .delivered, true), (.delivered, .read, true),
        (.delivered, .sent, false), (.read, .delivered, false), (.sent, .failed, true), (.queued, .undelivered, true),
        (.delivered, .failed, false), (.failed, .delivered, false), (.undelivered, .sent, false),
        (.received, .delivered, false), (.sent, .sent, false),
    ])
    func order(from: MessageStatus, to: MessageStatus, allowed: Bool) {
        #expect(from.canAdvance(to: to) == allowed)
    }
}

struct SendRequestTests {
    @Test(arguments: [
        ("+12345", true), ("+12345678901234567", true), ("+1234", false), ("+123456789012345678", false),
        ("12345678", false), ("+1234a678", false), ("+", false),
    ])
    func e164(_ value: String, valid: Bool) {
        #expect(SendRequest.isE164(value) == valid)
    }

    @Test func templateFilling() throws {
        #expect(
            try TemplateFiller.fill("Hi {{1}}, order {{2}} {{ 1 }}", variables: ["Ann", "7"]) == "Hi Ann, order 7 Ann")
        #expect(try TemplateFiller.fill("{{x}} stays", variables: []) == "{{x}} stays")
        #expect(throws: ServiceError.self) { try TemplateFiller.fill("{{2}}", variables: ["a"]) }
    }
}

struct SecretResolverTests {
    @Test func resolvesReferences() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)")
        try Data("from-file\n".utf8).write(to: file)
        let resolver = SecretResolver(environment: ["TOKEN": "from-env"])
        #expect(try resolver.resolve("env:TOKEN", name: "token") == "from-env")
        #expect(try resolver.resolve("file:" + file.path, name: "token") == "from-file")
        #expect(try resolver.resolve("literal:env:x", name: "token") == "env:x")
        #expect(try resolver.resolve("plain", name: "token") == "plain")
    }

    @Test func missingReferenceNamesTheSettingOnly() {
        let resolver = SecretResolver(environment: [:])
        #expect {
            try resolver.resolve(settings: ["apiToken": "env:MISSING_TOKEN"])
        } throws: { error in
            guard let error = error as? ServiceError else { return false }
            return error.code == "secret-unresolved" && error.message.contains("apiToken")
        }
    }

    @Test func apiKeysAreStoredHashed() {
        #expect(
            MessagingEngine.hashKey("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

struct ConfigurationTests {
    @Test func decodesWithDefaults() throws {
        let json = #"{"apiKeys":{"env:KEY":{"account":"a","scopes":["messaging"]}}}"#
        let configuration = try JSONDecoder().decode(ServiceConfiguration.self, from: Data(json.utf8))
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.databasePath == "carrier.sqlite")
        #expect(configuration.apiKeys["env:KEY"]?.scopes == ["messaging"])
        #expect(configuration.channels.isEmpty)
    }
}

@Suite struct TimeOrderedIDTests {
    @Test func hasThePrefixAndTheVersion7Layout() {
        let id = TimeOrderedID.make(prefix: "msg")
        let uuid = String(id.dropFirst(4))
        #expect(id.hasPrefix("msg_"))
        #expect(UUID(uuidString: uuid) != nil)
        let version = uuid[uuid.index(uuid.startIndex, offsetBy: 14)]
        let variant = uuid[uuid.index(uuid.startIndex, offsetBy: 19)]
        #expect(version == "7")
        #expect("89ab".contains(variant))
        #expect(uuid == uuid.lowercased())
    }

    @Test func laterMillisecondsSortAfterEarlierOnes() {
        var generator = SystemRandomNumberGenerator()
        var previous = ""
        for millisecond: UInt64 in [1, 2, 255, 256, 65_535, 1_700_000_000_000, 1_700_000_000_001] {
            let id = TimeOrderedID.make(prefix: "conv", milliseconds: millisecond, using: &generator)
            #expect(id > previous, "\(id) should sort after \(previous)")
            previous = id
        }
    }

    @Test func idsInOneMillisecondDiffer() {
        var generator = SystemRandomNumberGenerator()
        let ids = (0..<10_000).map { _ in TimeOrderedID.make(prefix: "msg", milliseconds: 42, using: &generator) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("msg_00000000-002a-7") })
    }
}
