import CarrierCore
import Testing

/// The `addresses` key: compiled into the adapter, with clear errors for a bad format or country code.
@Suite struct AddressRuleDecodingTests {
    static func compile(_ addresses: String) -> CompilationResult {
        let yaml =
            "formatVersion: 1\nid: acme\nname: Acme\nchannels: [sms]\nsend:\n  url: https://x.test\n  format: none\n"
            + "addresses: \(addresses)\n"
        return compileAdapterTable([InputFile(path: "carriers/acme/carrier.yaml", bytes: Array(yaml.utf8))])
    }

    @Test func compilesEachFormat() throws {
        let digits = try #require(Self.compile("{ format: digits }").table?.adapter("acme"))
        #expect(digits.addresses == AddressRule(format: .digits))
        let national = try #require(
            Self.compile("{ format: national, defaultCountry: \"254\" }").table?.adapter("acme"))
        #expect(national.addresses == AddressRule(format: .national, defaultCountry: "254"))
    }

    @Test(arguments: [
        ("{ format: dots }", "invalid-value"),
        ("{ format: national }", "missing-key"),
        ("{ format: national, defaultCountry: \"+44\" }", "invalid-value"),
        ("{ format: digits, defaultCountry: \"44\" }", "invalid-value"),
        ("{ format: digits, country: \"44\" }", "unknown-key"),
    ])
    func refusesBadRules(_ addresses: String, _ code: String) {
        let result = Self.compile(addresses)
        #expect(result.table == nil)
        #expect(result.diagnostics.map(\.code).contains(code), "\(result.diagnostics.map(\.description))")
    }
}
