import CarrierCore
import Foundation

/// Writes diagnostics to stderr as text (with caret snippets), JSON, or SARIF 2.1.0.
struct DiagnosticPrinter {
    var format: DiagnosticsFormat

    func print(_ diagnostics: [Diagnostic], sources: [InputFile]) {
        var out = ""
        switch format {
        case .text:
            let texts = Dictionary(sources.map { ($0.path, String(decoding: $0.bytes, as: UTF8.self)) }) { a, _ in a }
            for d in diagnostics {
                out += d.rendered(source: d.range.flatMap { texts[$0.file] }) + "\n"
            }
            let errors = diagnostics.filter { $0.severity == .error }.count
            let warnings = diagnostics.filter { $0.severity == .warning }.count
            if errors + warnings > 0 {
                out += "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
            }
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for d in diagnostics {
                if let data = try? encoder.encode(d) { out += String(decoding: data, as: UTF8.self) + "\n" }
            }
        case .sarif:
            out = sarif(diagnostics) + "\n"
        }
        FileHandle.standardError.write(Data(out.utf8))
    }

    private func sarif(_ diagnostics: [Diagnostic]) -> String {
        let results: [[String: Any]] = diagnostics.map { d in
            var result: [String: Any] = [
                "ruleId": d.code,
                "level": d.severity == .note ? "note" : d.severity.rawValue,
                "message": ["text": d.message],
            ]
            if let r = d.range {
                result["locations"] = [
                    [
                        "physicalLocation": [
                            "artifactLocation": ["uri": r.file],
                            "region": [
                                "startLine": r.start.line, "startColumn": r.start.column, "endLine": r.end.line,
                                "endColumn": r.end.column,
                            ],
                        ]
                    ]
                ]
            }
            return result
        }
        let rules = Set(diagnostics.map(\.code)).sorted().map { ["id": $0] }
        let log: [String: Any] = [
            "version": "2.1.0",
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [["tool": ["driver": ["name": "carrier", "rules": rules]], "results": results]],
        ]
        let data =
            (try? JSONSerialization.data(
                withJSONObject: log, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
