import CarrierCore
import CarrierRuntime
import Foundation

/// Compiles definitions, loads the fixtures next to them and runs every case, printing as it goes.
struct FixtureRun {
    var options: DefinitionOptions
    var filter: String?

    struct Summary {
        var outcomes: [FixtureOutcome]
        var failed: Bool
    }

    func run() throws -> Summary {
        let result = try options.compile()
        var failed = options.failed(result)
        guard let table = result.table else { return Summary(outcomes: [], failed: true) }
        var fixtureFiles: [InputFile] = []
        var carrierOf: [String: String] = [:]
        let definitions = try InputCollector.collect(options.inputs)
        for definition in definitions {
            let directory = (definition.path as NSString).deletingLastPathComponent
            let fixtures = (directory as NSString).appendingPathComponent("fixtures")
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []).filter {
                $0.hasSuffix(".yaml")
            }.sorted()
            let id =
                table.adapters.first { $0.origin.hasPrefix(definition.path + ":") }?.id
                ?? (directory as NSString).lastPathComponent
            for name in names {
                let file = try InputCollector.read((fixtures as NSString).appendingPathComponent(name))
                fixtureFiles.append(file)
                carrierOf[file.path] = id
            }
        }
        var diagnostics: [Diagnostic] = []
        var outcomes: [FixtureOutcome] = []
        var out = ""
        for input in fixtureFiles {
            let (file, fileDiagnostics) = decodeFixtureFile(input, defaultCarrier: carrierOf[input.path] ?? "")
            diagnostics += fileDiagnostics
            guard var file else { continue }
            if let filter {
                file.cases = file.cases.filter { "\(file.carrier)/\(input.path)/\($0.name)".contains(filter) }
            }
            for outcome in runFixtures(file, table: table) {
                outcomes.append(outcome)
                if let failure = outcome.failure {
                    out += "\(outcome.origin): FAIL \(outcome.name) (\(outcome.kind))\n"
                    out +=
                        failure.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(
                            separator: "\n") + "\n"
                }
            }
        }
        if !diagnostics.isEmpty {
            DiagnosticPrinter(format: options.format).print(diagnostics, sources: fixtureFiles)
            if diagnostics.hasErrors { failed = true }
        }
        let failures = outcomes.filter { !$0.passed }.count
        out += "\(outcomes.count - failures) passed, \(failures) failed\n"
        FileHandle.standardOutput.write(Data(out.utf8))
        return Summary(outcomes: outcomes, failed: failed || failures > 0)
    }
}

/// A JUnit XML report: one testsuite per fixture file, one testcase per case.
struct JUnitReport {
    var outcomes: [FixtureOutcome]

    func write(to path: String) throws {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        let byFile = Dictionary(grouping: outcomes, by: \.file)
        for file in byFile.keys.sorted() {
            let cases = byFile[file] ?? []
            let failures = cases.filter { !$0.passed }.count
            xml += "  <testsuite name=\"\(escape(file))\" tests=\"\(cases.count)\" failures=\"\(failures)\">\n"
            for c in cases {
                xml += "    <testcase classname=\"\(escape(file))\" name=\"\(escape(c.name))\""
                if let failure = c.failure {
                    xml +=
                        ">\n      <failure message=\"\(escape(c.origin))\">\(escape(failure))</failure>\n    </testcase>\n"
                } else {
                    xml += "/>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        try Data(xml.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
