import CarrierTestSupport
import Foundation
import Testing

/// `docs/errors.md` lists exactly the error codes the service can return: those of the service itself, and those of
/// the runtime that reach an API answer (message and channel checks, webhook normalization and signatures).
@Suite struct ErrorCatalogTests {
    static let sourceFolders = ["Sources/CarrierService"]
    static let runtimeSources = [
        "Sources/CarrierRuntime/Inbound", "Sources/CarrierRuntime/Signatures", "Sources/CarrierRuntime/Payload",
        "Sources/CarrierRuntime/Outbound/validateMessage.swift",
        "Sources/CarrierRuntime/Outbound/validateChannel.swift",
    ]
    /// Codes built from a variable rather than a literal (the `/send` answer's carrier failures).
    static let computedCodes: Set<String> = ["carrier-error", "carrier-timeout"]

    static func swiftFiles(_ path: String) throws -> [URL] {
        let url = repositoryRoot.appendingPathComponent(path)
        if path.hasSuffix(".swift") { return [url] }
        let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }

    /// Every code written as `code: "..."`, `.invalid(attribute, "...", ...)` or `notFound("...", ...)`.
    static func codesInSources() throws -> Set<String> {
        let patterns = [
            #"code:\s*"([a-z0-9-]+)""#,
            #"\.invalid\(\s*(?:"[^"]*"|[^,()]+(?:\([^)]*\))?),\s*"([a-z0-9-]+)""#,
            #"notFound\(\s*"([a-z0-9-]+)""#,
        ].map { try! NSRegularExpression(pattern: $0) }
        var codes = computedCodes
        for folder in sourceFolders + runtimeSources {
            for file in try swiftFiles(folder) {
                let text = try String(contentsOf: file, encoding: .utf8)
                let range = NSRange(text.startIndex..., in: text)
                for pattern in patterns {
                    for match in pattern.matches(in: text, range: range) {
                        if let r = Range(match.range(at: 1), in: text) { codes.insert(String(text[r])) }
                    }
                }
            }
        }
        return codes
    }

    static func documentedCodes() throws -> [String] {
        let text = try String(
            contentsOf: repositoryRoot.appendingPathComponent("docs/errors.md"), encoding: .utf8)
        return text.split(separator: "\n").filter { $0.hasPrefix("### ") }.map { String($0.dropFirst(4)) }
    }

    @Test func everyReturnedCodeIsDocumentedAndNothingElse() throws {
        let documented = try Self.documentedCodes()
        #expect(Set(documented).count == documented.count, "a code is documented twice")
        let inSources = try Self.codesInSources()
        #expect(inSources.count > 50)
        #expect(inSources.subtracting(documented).sorted() == [], "codes returned but not in docs/errors.md")
        #expect(Set(documented).subtracting(inSources).sorted() == [], "codes in docs/errors.md nothing returns")
    }

    /// The error body points at the code's entry.
    @Test func errorBodiesCarryTypeAndURL() async throws {
        try await TestServer.with { server in
            let answer = try await server.call("GET", "/nowhere")
            let error = try #require(answer.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "not-found")
            #expect(error["type"] as? String == "not-found")
            #expect(error["url"] as? String == "docs/errors.md#not-found")
            #expect(try Self.documentedCodes().contains("not-found"))
            let unauthorized = try await server.call("GET", "/messages", apiKey: "nope")
            #expect((unauthorized.json["error"] as? [String: Any])?["type"] as? String == "authentication")
        }
    }
}
