import ArgumentParser
import CarrierCore
import CarrierRuntime
import Foundation

struct InboundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbound",
        abstract: "Normalize one recorded webhook request into canonical events.",
        discussion: """
            The request file is JSON: {"method": "POST", "url": "/path?query", "headers": {"Name": "value"},
            "body": "raw body text"}. Prints one JSON event per line on stdout.

            Exit codes: 0 events printed (or the request was acknowledged and ignored), 1 the request was rejected
            (bad signature, no matching rule, bad payload), 64 bad command line.
            """)

    @OptionGroup var runtime: RuntimeOptions

    @Option(name: .long, help: ArgumentHelp("The recorded request (JSON); - for stdin.", valueName: "file"))
    var request: String

    @Option(name: .customLong("public-url"), help: "Base URL the carrier called, for signature checks.")
    var publicURL: String = "https://example.com"

    struct RecordedRequest: Decodable {
        var method: String?
        var url: String
        var headers: [String: String]?
        var body: String?
    }

    func run() throws {
        let (_, adapter, settings) = try runtime.load()
        let data =
            request == "-"
            ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: request)
        guard let data, let recorded = try? JSONDecoder().decode(RecordedRequest.self, from: data) else {
            throw ValidationError("\(request) is not a recorded request (JSON with url, method, headers, body)")
        }
        let http = HTTPRequest(
            method: recorded.method ?? "POST", url: recorded.url,
            headers: (recorded.headers ?? [:]).sorted { $0.key < $1.key }.map { HTTPHeader($0.key, $0.value) },
            body: Array((recorded.body ?? "").utf8))
        do {
            let result = try normalizeInbound(
                http, adapter: adapter, settings: settings, publicURL: publicURL + recorded.url)
            for event in result.events { JSONLines.print(event) }
            if result.ignored { FileHandle.standardError.write(Data("acknowledged and ignored\n".utf8)) }
        } catch {
            FileHandle.standardError.write(Data("error: \(error) (HTTP \(error.httpStatus))\n".utf8))
            throw ExitCode.failure
        }
    }
}
