import ArgumentParser
import CarrierCore
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check carrier definitions and report every problem.",
        discussion: """
            Prints diagnostics as file:line:col: severity: message [code] to stderr; writes nothing.

            Exit codes: 0 no errors, 1 errors (or warnings with --warnings-as-errors), 64 bad command line.
            """)

    @OptionGroup var options: DefinitionOptions

    func run() throws {
        let result = try options.compile()
        if options.failed(result) { throw ExitCode.failure }
        if result.diagnostics.isEmpty, options.format == .text, let table = result.table {
            // Silence read as "did it run?"; one line says what was checked.
            let count = table.adapters.count
            FileHandle.standardError.write(
                Data("ok: \(count) carrier definition\(count == 1 ? "" : "s") checked, no problems\n".utf8))
        }
    }
}
