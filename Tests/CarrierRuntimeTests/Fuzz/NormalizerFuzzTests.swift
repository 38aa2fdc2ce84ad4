import CarrierCore
import CarrierTestSupport
import Foundation
import Testing

@testable import CarrierRuntime

/// Bounded, deterministic robustness check of `normalizeInbound` with every bundled carrier: the recorded
/// webhooks of the catalog, mutated, must give events or an `InboundError` with a code and an HTTP status.
@Suite("Normalizer robustness")
struct NormalizerFuzzTests {
    struct Case {
        var adapter: Adapter
        var request: HTTPRequest
        var settings: [String: String]
    }

    /// The catalog's inbound fixture requests, each with its carrier's adapter and the fixture's settings.
    static func recordedRequests() throws -> [Case] {
        let root = repositoryRoot.appendingPathComponent("carriers")
        // Directories with a definition (carriers/README.md is not one).
        let ids = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted().filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/carrier.yaml").path)
        }
        let inputs = try ids.map { id in
            let path = "carriers/\(id)/carrier.yaml"
            return InputFile(
                path: path, bytes: [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent(path))))
        }
        let table = try #require(compileAdapterTable(inputs).table)
        var cases: [Case] = []
        for id in ids {
            let folder = root.appendingPathComponent("\(id)/fixtures")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            where name.hasSuffix(".yaml") {
                let input = InputFile(
                    path: name, bytes: [UInt8](try Data(contentsOf: folder.appendingPathComponent(name))))
                guard let file = decodeFixtureFile(input, defaultCarrier: id).file,
                    let adapter = table.adapter(file.carrier)
                else { continue }
                for c in file.cases where c.kind == .inbound {
                    guard let http = c.http else { continue }
                    let request = HTTPRequest(
                        method: http.method ?? "POST", url: http.url ?? "/",
                        headers: http.headers.map { HTTPHeader($0.name, $0.value) }, body: Array(http.body.utf8))
                    cases.append(Case(adapter: adapter, request: request, settings: c.settings))
                }
            }
        }
        return cases
    }

    @Test func mutatedWebhooksNeverCrash() async throws {
        let cases = try Self.recordedRequests()
        #expect(cases.count > 100, "the catalog's inbound fixtures")
        var rng = ParserFuzzTests.SeededGenerator(state: 0xC0FFEE)
        var outcomes = (events: 0, errors: 0)
        for round in 0..<20000 {
            // Seconds of CPU: let the other tests of a parallel run have the pool's threads now and then.
            if round % 500 == 0 { await Task.yield() }
            let base = cases[round % cases.count]
            var request = base.request
            var body = request.body
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let position = body.isEmpty ? 0 : Int.random(in: 0..<body.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0 where !body.isEmpty: body[position] = UInt8.random(in: 0...255, using: &rng)
                case 1 where !body.isEmpty: body.removeSubrange(position..<min(body.count, position + 8))
                case 2: body.insert(contentsOf: ParserFuzzTests.tokens.randomElement(using: &rng) ?? [], at: position)
                default: body = Array(body.prefix(position))
                }
            }
            request.body = body
            do {
                let result = try normalizeInbound(
                    request, adapter: base.adapter, settings: base.settings,
                    publicURL: "https://example.com" + request.url,
                    now: Date(timeIntervalSince1970: 1_700_000_000))
                outcomes.events += result.events.count
            } catch {
                outcomes.errors += 1
                #expect(!error.code.isEmpty)
                #expect((400...599).contains(error.httpStatus), "\(error)")
            }
        }
        #expect(outcomes.errors > 0, "mutations should break some webhooks")
    }
}
