import ArgumentParser
import CarrierRuntime

struct SegmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Count the SMS segments of a text (GSM-7 or UCS-2).",
        discussion: "Prints {encoding, segments, units, perSegment, text} as JSON. Exit code 0.")

    @Argument(help: "The message text.")
    var text: String

    @Flag(
        name: .customLong("smart-encoding"),
        help: "Replace curly quotes, dashes and ellipsis with GSM-7 characters first.")
    var smartEncoding = false

    func run() {
        JSONLines.print(countSegments(text, smartEncoding: smartEncoding))
    }
}
