import CarrierCore
import Foundation
import Testing

/// The lazily opened table: the index, on-demand decoding, and the errors of damaged tables.
@Suite struct AdapterTableLoadingTests {
    static func table(_ ids: [String]) throws -> AdapterTable {
        let inputs = ids.map { id in
            InputFile(
                path: "\(id)/carrier.yaml",
                bytes: Array(
                    "formatVersion: 1\nid: \(id)\nname: N \(id)\nchannels: [sms]\nsend:\n  url: https://\(id).test/send\n  format: none\n"
                        .utf8))
        }
        return try #require(compileAdapterTable(inputs).table)
    }

    @Test func openedTableEqualsTheCompiledOne() throws {
        let compiled = try Self.table(["zeta", "acme", "mid"])
        let opened = try AdapterTable.decode(try compiled.encoded())
        #expect(opened.ids == ["acme", "mid", "zeta"])
        #expect(opened.adapter("mid")?.name == "N mid")
        #expect(opened.adapter("nope") == nil)
        #expect(opened == compiled)
        #expect(try opened.decodeAll().map(\.id) == ["acme", "mid", "zeta"])
    }

    @Test func damagedEntryFailsWhenDecodedWithItsId() throws {
        var json = String(decoding: try Self.table(["acme", "beta"]).encoded(), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"name\" : \"N beta\"", with: "\"name\" : 42")
        let opened = try AdapterTable.decode(Data(json.utf8))
        #expect(opened.adapter("acme") != nil)
        do {
            _ = try opened.loadAdapter("beta")
            Issue.record("a damaged adapter decoded")
        } catch {
            #expect(error.code == "bad-adapter-table")
            #expect(error.message.contains("adapter 'beta' does not decode"))
        }
    }

    @Test(arguments: [
        ("", "bad-adapter-table"),
        ("[]", "bad-adapter-table"),
        (#"{"adapters": []}"#, "bad-adapter-table"),
        (#"{"formatVersion": 2, "adapters": [{"name": "x"}]}"#, "bad-adapter-table"),
        (#"{"formatVersion": 2, "adapters": [{"id": "a"}, {"id": "a"}]}"#, "bad-adapter-table"),
        (#"{"formatVersion": 2, "adapters": [{"id": "a""#, "bad-adapter-table"),
        (#"{"formatVersion": 7, "adapters": []}"#, "unsupported-format-version"),
    ])
    func badTablesAreRefused(_ json: String, _ code: String) {
        do {
            _ = try AdapterTable.decode(Data(json.utf8))
            Issue.record("accepted: \(json)")
        } catch {
            #expect(error.code == code, "\(error)")
        }
    }
}
