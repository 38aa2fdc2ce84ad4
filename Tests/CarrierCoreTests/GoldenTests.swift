import CarrierCore
import CarrierTestSupport
import Foundation
import Testing

/// File-based reference tests: `Golden/Invalid/<case>.yaml` -> `<case>.diagnostics.txt`,
/// `Golden/Valid/<case>/carrier.yaml` -> `<case>/adapters.json`. Re-record with `RECORD_SNAPSHOTS=1`.
@Suite struct GoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static var invalidCases: [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("Invalid").path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    static var validCases: [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("Valid").path)) ?? []
        return names.sorted()
    }

    @Test func thereAreCases() {
        #expect(Self.invalidCases.count >= 10)
        #expect(Self.validCases.count >= 1)
    }

    @Test(arguments: invalidCases)
    func invalidDefinitionGivesExactDiagnostics(_ name: String) throws {
        let url = Self.folder.appendingPathComponent("Invalid/\(name).yaml")
        let bytes = [UInt8](try Data(contentsOf: url))
        let result = compileAdapterTable([InputFile(path: "\(name).yaml", bytes: bytes)])
        #expect(result.table == nil)
        let source = String(decoding: bytes, as: UTF8.self)
        let text = result.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n") + "\n"
        let mismatch = goldenMismatch(
            text, golden: Self.folder.appendingPathComponent("Invalid/\(name).diagnostics.txt"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test(arguments: validCases)
    func validDefinitionGivesExactTable(_ name: String) throws {
        let url = Self.folder.appendingPathComponent("Valid/\(name)/carrier.yaml")
        let bytes = [UInt8](try Data(contentsOf: url))
        let result = compileAdapterTable([InputFile(path: "\(name)/carrier.yaml", bytes: bytes)])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let table = try #require(result.table)
        let json = String(decoding: try table.encoded(), as: UTF8.self)
        let mismatch = goldenMismatch(json, golden: Self.folder.appendingPathComponent("Valid/\(name)/adapters.json"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
        // The golden is also runtime input: it must load back to the same table.
        let reloaded = try AdapterTable.decode(Data(json.utf8))
        #expect(reloaded == table)
    }
}
