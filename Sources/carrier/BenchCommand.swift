import ArgumentParser
import CarrierCore
import CarrierRuntime
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure compile, table load, inbound normalization and (optionally) send throughput.",
        discussion: """
            Build in release mode first (`swift build -c release`); `bench/run.sh` does everything, including a local
            nginx mock for --send-url. Prints one `name=value` line per figure.
            """)

    @Option(name: .long, help: "Generated definitions to compile.")
    var definitions: Int = 1000

    @Option(name: .long, help: "Inbound requests to normalize.")
    var events: Int = 200_000

    @Option(
        name: .customLong("send-url"), help: "A mock carrier URL answering {\"id\":...}; enables the send benchmark.")
    var sendURL: String?

    @Option(name: .long, help: "Messages to send.")
    var sends: Int = 100_000

    @Option(name: .long, help: "Sends in flight at once.")
    var concurrency: Int = 64

    func validate() throws {
        if definitions < 1 { throw ValidationError("--definitions must be at least 1") }
        if events < 1 { throw ValidationError("--events must be at least 1") }
        if sends < 1 { throw ValidationError("--sends must be at least 1") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        MemoryTuning.applyForServers()
        try benchCompile()
        try benchInbound()
        if let sendURL { await benchSend(url: sendURL) }
    }

    private func benchCompile() throws {
        let template = try InputCollector.read("carriers/twilio/carrier.yaml")
        let text = String(decoding: template.bytes, as: UTF8.self)
        let inputs = (0..<definitions).map { i -> InputFile in
            let id = String(format: "gen_%05d", i)
            let body = text.replacingOccurrences(of: "\nid: twilio\n", with: "\nid: \(id)\n")
            return InputFile(path: "gen/\(id)/carrier.yaml", bytes: Array(body.utf8))
        }
        let start = Date()
        let result = compileAdapterTable(inputs)
        let compileSeconds = Date().timeIntervalSince(start)
        guard let table = result.table else { throw RuntimeFailure("generated definitions did not compile") }
        let data = try table.encoded()
        let loadStart = Date()
        let loaded = try AdapterTable.decode(data)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let firstStart = Date()
        _ = try loaded.loadAdapter(loaded.ids[loaded.ids.count / 2])
        let firstSeconds = Date().timeIntervalSince(firstStart)
        let allStart = Date()
        let all = try loaded.decodeAll()
        let allSeconds = Date().timeIntervalSince(allStart)
        print("compile_definitions=\(definitions)")
        print("compile_ms=\(Int(compileSeconds * 1000))")
        print("table_bytes=\(data.count)")
        print("table_load_ms=\(String(format: "%.1f", loadSeconds * 1000)) (\(loaded.ids.count) adapters indexed)")
        print("table_first_adapter_ms=\(String(format: "%.2f", firstSeconds * 1000))")
        print("table_decode_all_ms=\(String(format: "%.1f", allSeconds * 1000)) (\(all.count) adapters)")
    }

    private func benchInbound() throws {
        let result = compileAdapterTable(try InputCollector.collect(["carriers"]))
        guard let table = result.table, var twilio = table.adapter("twilio"),
            var whatsapp = table.adapter("whatsapp_cloud")
        else { throw RuntimeFailure("bundled carriers did not compile") }
        // Signatures are measured apart: here only parsing, rules and field mapping.
        twilio.inbound?.signature = nil
        whatsapp.inbound?.signature = nil
        let form = HTTPRequest(
            method: "POST", url: "/inbound/tw",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(
                "ToCountry=US&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b&NumMedia=1&Body=Hello+there&To=%2B12028831111&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid&From=%2B14133881111&ApiVersion=2010-04-01&MediaUrl0=https%3A%2F%2Fx.test%2Fa.jpg"
                    .utf8))
        let status = HTTPRequest(
            method: "POST", url: "/inbound/tw",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=delivered".utf8))
        let json = HTTPRequest(
            method: "POST", url: "/inbound/wa", headers: [HTTPHeader("Content-Type", "application/json")],
            body: Array(
                #"{"object":"whatsapp_business_account","entry":[{"id":"8856996819413533","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16505553333","phone_number_id":"27681414235104944"},"statuses":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3QUE3RjNCRTIzMEQ3QjRBMDEA","status":"delivered","timestamp":"1750263773","recipient_id":"16505551234"}]},"field":"messages"}]}]}"#
                    .utf8))
        let cases: [(HTTPRequest, Adapter)] = [(form, twilio), (status, twilio), (json, whatsapp)]
        for (request, adapter) in cases {
            _ = try normalizeInbound(request, adapter: adapter, settings: [:], publicURL: "https://x.test/")
        }
        var produced = 0
        let start = Date()
        func run(_ request: HTTPRequest, _ adapter: Adapter) {
            produced +=
                (try? normalizeInbound(request, adapter: adapter, settings: [:], publicURL: "https://x.test/"))?.events
                .count ?? 0
        }
        for _ in 0..<(events / cases.count) {
            run(form, twilio)
            run(status, twilio)
            run(json, whatsapp)
        }
        let seconds = Date().timeIntervalSince(start)
        print("inbound_requests=\(events / cases.count * cases.count) events=\(produced)")
        print("inbound_events_per_s=\(Int(Double(produced) / seconds))")
    }

    private func benchSend(url: String) async {
        let adapter = Adapter(
            id: "bench", name: "Bench", channels: ["sms"],
            send: SendRule(
                url: (try? Template.parse(url)) ?? Template(parts: [], source: url), format: .json,
                body: .fields(
                    .object([
                        .init(key: "to", optional: false, value: .template((try? Template.parse("{{ message.to }}"))!)),
                        .init(
                            key: "text", optional: false, value: .template((try? Template.parse("{{ message.body }}"))!)
                        ),
                    ]))),
            response: {
                var r = ResponseRule()
                r.messageId = ValueExtractor(paths: [try! PathExpression.parse("id")])
                return r
            }(), origin: "bench")
        let table = AdapterTable(adapters: [adapter])
        let message = OutboundMessage(to: "+15551234567", from: "+15550000000", body: "Benchmark message")

        // The bulk path (`carrier send --file`): one thread renders, sends and classifies.
        let batch = BatchSender(table: table, concurrency: concurrency)
        var cpuStart = cpuSeconds()
        var start = Date()
        var ok = 0
        batch.send(repeatElement(message, count: sends), carrier: "bench", settings: [:], retries: false) { _, result in
            if result.outcome == .ok { ok += 1 }
        }
        report("", ok: ok, seconds: Date().timeIntervalSince(start), cpu: cpuSeconds() - cpuStart)

        // The service path: one task per message through `Sender` and the shared transport thread.
        let transport = CurlTransport(maxInFlight: concurrency, maxConnections: concurrency)
        defer { transport.shutdown() }
        let sender = Sender(table: table, transport: transport)
        cpuStart = cpuSeconds()
        start = Date()
        ok = 0
        await withTaskGroup(of: Bool.self) { group in
            var next = 0
            while next < min(concurrency, sends) {
                group.addTask {
                    await sender.send(message, carrier: "bench", settings: [:], retries: false).outcome == .ok
                }
                next += 1
            }
            while let r = await group.next() {
                if r { ok += 1 }
                if next < sends {
                    group.addTask {
                        await sender.send(message, carrier: "bench", settings: [:], retries: false).outcome == .ok
                    }
                    next += 1
                }
            }
        }
        report("tasks_", ok: ok, seconds: Date().timeIntervalSince(start), cpu: cpuSeconds() - cpuStart)
    }

    private func report(_ prefix: String, ok: Int, seconds: Double, cpu: Double) {
        print("\(prefix)sends=\(sends) ok=\(ok) concurrency=\(concurrency)")
        print("\(prefix)sends_per_s=\(Int(Double(sends) / seconds))")
        print("\(prefix)send_cpu_ms_per_1000=\(String(format: "%.1f", cpu * 1000 / Double(sends) * 1000))")
    }

    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
    }
}
