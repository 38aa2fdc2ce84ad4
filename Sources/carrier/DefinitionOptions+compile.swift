import ArgumentParser
import CarrierCore
import Foundation

extension DefinitionOptions {
    /// Reads the inputs, compiles them, prints diagnostics to stderr, and returns the result.
    ///
    /// - Throws: `ExitCode.validationFailure` when an input does not exist.
    func compile() throws -> CompilationResult {
        let files = try InputCollector.collect(inputs)
        let result = compileAdapterTable(files)
        DiagnosticPrinter(format: format).print(result.diagnostics, sources: files)
        return result
    }

    /// Whether the run failed given `--warnings-as-errors`.
    func failed(_ result: CompilationResult) -> Bool {
        result.table == nil || (warningsAsErrors && result.diagnostics.contains { $0.severity == .warning })
    }
}
