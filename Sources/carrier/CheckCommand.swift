import ArgumentParser
import CarrierCore

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
    }
}
