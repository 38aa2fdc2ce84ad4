import ArgumentParser
import CarrierCore
import CarrierRuntime
import Foundation

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one message, or many from a JSON-lines file, through a carrier.",
        discussion: """
            Prints one JSON result per message on stdout ({carrier, outcome, providerMessageId, errorCode, ...}) and,
            for --file, a progress line on stderr.

            Exit codes: 0 every message accepted, 1 a permanent failure, 75 a temporary failure remained after
            retries, 64 bad command line.
            """)

    @OptionGroup var runtime: RuntimeOptions

    @Option(name: .long, help: ArgumentHelp("One canonical message (JSON).", valueName: "file"))
    var message: String?

    @Option(name: .long, help: ArgumentHelp("Canonical messages, one JSON object per line.", valueName: "file"))
    var file: String?

    @Option(name: .long, help: "Messages in flight at once.")
    var concurrency: Int = 16

    @Flag(name: .customLong("no-retry"), help: "Do not retry temporary failures.")
    var noRetry = false

    func validate() throws {
        if (message == nil) == (file == nil) { throw ValidationError("give exactly one of --message or --file") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        MemoryTuning.applyForServers()
        let (table, adapter, settings) = try runtime.load()
        var messages: [OutboundMessage] = []
        if let message { messages = [try MessageFile.read(message)] }
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated()
            where !line.isEmpty {
                do { messages.append(try JSONDecoder().decode(OutboundMessage.self, from: Data(line.utf8))) } catch {
                    throw ValidationError("\(file):\(i + 1): not a canonical message")
                }
            }
        }
        let transport = CurlTransport(maxInFlight: concurrency, maxConnections: concurrency)
        defer { transport.shutdown() }
        let sender = Sender(table: table, transport: transport)
        let results = await sendAll(messages, sender: sender, carrier: adapter.id, settings: settings)
        if results.contains(where: { $0.outcome == .permanent }) { throw ExitCode.failure }
        if results.contains(where: { $0.outcome == .retryable }) { throw ExitCode(75) }
    }

    private func sendAll(_ messages: [OutboundMessage], sender: Sender, carrier: String, settings: [String: String])
        async -> [SendResult]
    {
        let start = Date()
        var results: [SendResult?] = Array(repeating: nil, count: messages.count)
        await withTaskGroup(of: (Int, SendResult).self) { group in
            var next = 0
            var done = 0
            func add() {
                let i = next
                let m = messages[i]
                group.addTask { (i, await sender.send(m, carrier: carrier, settings: settings, retries: !noRetry)) }
                next += 1
            }
            while next < min(concurrency, messages.count) { add() }
            while let (i, r) = await group.next() {
                results[i] = r
                JSONLines.print(r)
                done += 1
                if file != nil, done % 1000 == 0 || done == messages.count {
                    let rate = Double(done) / max(0.001, Date().timeIntervalSince(start))
                    FileHandle.standardError.write(Data("\rsent \(done)/\(messages.count) (\(Int(rate))/s)".utf8))
                }
                if next < messages.count { add() }
            }
        }
        if file != nil { FileHandle.standardError.write(Data("\n".utf8)) }
        return results.compactMap { $0 }
    }
}
