import CarrierCore
import Testing

@testable import CarrierRuntime

/// The fixture runner compares expected event fields by type: a number is not a boolean.
@Suite struct FixtureRunnerTests {
    static let table = compileInboundOnlyDefinition(
        format: "form",
        fields:
            "{ from: msisdn, text: text, partReference: concat-ref, partTotal: concat-total, partNumber: concat-part }"
    ).table

    /// Runs one inbound case against the form `concat-ref=9&concat-total=2&concat-part=1` expecting `expectation`.
    static func outcome(expecting expectation: String) throws -> FixtureOutcome {
        let table = try #require(Self.table)
        let yaml = """
            carrier: acme
            cases:
              - name: part_one
                source: test
                kind: inbound
                request:
                  method: POST
                  url: /in
                  headers: { Content-Type: application/x-www-form-urlencoded }
                  body: "msisdn=447700900001&text=Hi&concat-ref=9&concat-total=2&concat-part=1"
                expect:
                  events:
                    - { type: message.received, \(expectation) }
            """
        let decoded = decodeFixtureFile(
            InputFile(path: "acme/fixtures/inbound.yaml", bytes: Array(yaml.utf8)), defaultCarrier: "acme")
        let file = try #require(decoded.file, "\(decoded.diagnostics)")
        return try #require(runFixtures(file, table: table).first)
    }

    @Test func theNumberOneMatchesAPartNumberOfOne() throws {
        let outcome = try Self.outcome(expecting: "partNumber: 1, partTotal: 2, partReference: \"9\"")
        #expect(outcome.passed, "\(outcome.failure ?? "")")
    }

    @Test func trueDoesNotMatchAPartNumberOfOne() throws {
        let outcome = try Self.outcome(expecting: "partNumber: true")
        #expect(!outcome.passed)
        #expect(outcome.failure?.contains("partNumber") == true, "\(outcome.failure ?? "")")
    }

    @Test func aWrongNumberIsReported() throws {
        let outcome = try Self.outcome(expecting: "partTotal: 3")
        #expect(outcome.failure?.contains("partTotal") == true, "\(outcome.failure ?? "")")
    }
}
