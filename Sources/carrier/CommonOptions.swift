import ArgumentParser

/// Options shared by the commands that read carrier definitions.
struct DefinitionOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "Definition files, or directories searched for */carrier.yaml.", valueName: "dir|file"))
    var inputs: [String] = ["carriers"]

    @Option(name: .long, help: "Diagnostics format: text, json or sarif.")
    var format: DiagnosticsFormat = .text

    @Flag(name: .customLong("warnings-as-errors"), help: "Fail when any warning is reported.")
    var warningsAsErrors = false
}

enum DiagnosticsFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif
}
