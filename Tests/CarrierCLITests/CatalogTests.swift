import CarrierTestSupport
import Foundation
import Testing

/// The bundled catalog: every definition compiles cleanly and every fixture passes, through the real binary.
@Suite struct CatalogTests {
    @Test func everyBundledCarrierIsClean() throws {
        let run = try CLI.run(["check", "--warnings-as-errors", "carriers"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
    }

    @Test func everyFixturePasses() throws {
        let run = try CLI.run(["test", "carriers"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let summary = try #require(run.stdout.split(separator: "\n").last)
        #expect(summary.hasSuffix("passed, 0 failed"), "\(summary)")
        let passed = Int(summary.split(separator: " ").first ?? "") ?? 0
        #expect(passed >= 10, "the catalog should have fixtures: \(summary)")
    }
}
