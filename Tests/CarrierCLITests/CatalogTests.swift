import CarrierTestSupport
import Foundation
import Testing

/// The bundled catalog: every definition compiles cleanly and every fixture passes, through the real binary.
@Suite struct CatalogTests {
    @Test func everyBundledCarrierIsClean() async throws {
        let run = try await CLI.run(["check", "--warnings-as-errors", "carriers"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr == "ok: \(try Self.carrierCount()) carrier definitions checked, no problems\n", "\(run.stderr)")
    }

    /// The number of `carriers/<id>/carrier.yaml` files.
    static func carrierCount() throws -> Int {
        let carriers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("carriers")
        return try FileManager.default.contentsOfDirectory(atPath: carriers.path).filter {
            FileManager.default.fileExists(atPath: carriers.appendingPathComponent("\($0)/carrier.yaml").path)
        }.count
    }

    @Test func everyFixturePasses() async throws {
        let run = try await CLI.run(["test", "carriers"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let summary = try #require(run.stdout.split(separator: "\n").last)
        #expect(summary.hasSuffix("passed, 0 failed"), "\(summary)")
        let passed = Int(summary.split(separator: " ").first ?? "") ?? 0
        #expect(passed >= 10, "the catalog should have fixtures: \(summary)")
    }
}
