import CarrierCore
import Foundation
import Testing

/// Diagnostics that need more than one file, or that only show once the YAML itself is clean.
@Suite struct CrossFileDiagnosticsTests {
    static func definition(id: String, extra: String = "") -> [UInt8] {
        Array(
            "formatVersion: 1\nid: \(id)\nname: Acme\nchannels: [sms]\nsend:\n  url: https://x.test\n  format: none\n\(extra)"
                .utf8)
    }

    @Test func duplicateCarrierIdAcrossFiles() {
        let result = compileAdapterTable([
            InputFile(path: "carriers/acme/carrier.yaml", bytes: Self.definition(id: "acme")),
            InputFile(path: "carriers/zeta/carrier.yaml", bytes: Self.definition(id: "acme")),
        ])
        #expect(result.table == nil)
        let texts = result.diagnostics.map(\.description)
        #expect(
            texts.contains(
                "carriers/zeta/carrier.yaml:2:5: error: carrier id 'acme' is already defined in carriers/acme/carrier.yaml [duplicate-carrier-id]"
            ))
        #expect(
            result.diagnostics.first { $0.code == "duplicate-carrier-id" }?.notes.first?.range?.origin
                == "carriers/acme/carrier.yaml:2:5")
    }

    @Test func idDifferentFromDirectoryIsAWarning() {
        let result = compileAdapterTable([
            InputFile(path: "carriers/other/carrier.yaml", bytes: Self.definition(id: "acme"))
        ])
        #expect(result.table != nil)
        #expect(
            result.diagnostics.map(\.description) == [
                "carriers/other/carrier.yaml:2:5: warning: carrier id 'acme' differs from its directory name 'other' [id-mismatch]"
            ])
    }

    @Test(arguments: [
        ("plivo-v2", "header: X-Plivo-Signature-V2, secret: s", "nonceHeader"),
        ("bird", "header: messagebird-signature, secret: s", "timestampHeader"),
        ("messagemedia", "header: X-Messagemedia-Signature, timestampHeader: Date", "publicKey"),
        ("messagemedia", "header: X-Messagemedia-Signature, publicKey: k", "timestampHeader"),
    ])
    func signatureSchemesNameTheKeyTheyNeed(scheme: String, keys: String, missing: String) {
        let inbound = """
            inbound:
              format: form
              signature: { scheme: \(scheme), \(keys) }
              events:
                - { type: message, fields: { from: From } }
            """
        let result = compileAdapterTable([
            InputFile(path: "carriers/acme/carrier.yaml", bytes: Self.definition(id: "acme", extra: inbound))
        ])
        #expect(result.table == nil)
        #expect(
            result.diagnostics.map(\.description).contains {
                $0.hasSuffix("error: signature scheme '\(scheme)' needs key '\(missing)' [missing-key]")
            }, "\(result.diagnostics.map(\.description))")
    }

    @Test func unsupportedFormatVersion() {
        var bytes = Self.definition(id: "acme")
        bytes[15] = UInt8(ascii: "2")
        let result = compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: bytes)])
        #expect(
            result.diagnostics.map(\.description) == [
                "acme/carrier.yaml:1:16: error: formatVersion 2 is not supported; this compiler reads version 1 [unsupported-format-version]"
            ])
    }

    @Test func duplicateFixtureCaseNames() {
        let yaml =
            "cases:\n  - name: a\n    kind: response\n    response: { status: 200 }\n    expect: { outcome: ok }\n  - name: a\n    kind: response\n    response: { status: 500 }\n    expect: { outcome: retryable }\n"
        let (file, diagnostics) = decodeFixtureFile(
            InputFile(path: "f.yaml", bytes: Array(yaml.utf8)), defaultCarrier: "acme")
        #expect(file == nil)
        #expect(diagnostics.map(\.description) == ["f.yaml:6:5: error: duplicate case name 'a' [duplicate-case]"])
    }

    @Test func tableWithUnknownFormatVersionIsRefused() throws {
        let json = #"{"formatVersion": 1, "adapters": []}"#
        #expect(throws: AdapterTableError.self) { try AdapterTable.decode(Data(json.utf8)) }
        do {
            _ = try AdapterTable.decode(Data(json.utf8))
        } catch {
            #expect(error.code == "unsupported-format-version")
        }
    }
}
