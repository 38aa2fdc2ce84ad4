public import CarrierCore
public import CarrierRuntime
import Foundation

/// The real gateway: the compiled adapter table, rendered and sent through libcurl, webhooks normalized by the
/// runtime. The service does its own retries, so sends here make one attempt each.
public final class AdapterGateway: CarrierGateway {
    private let table: AdapterTable
    private let sender: Sender

    public init(table: AdapterTable, transport: any HTTPTransport) {
        self.table = table
        self.sender = Sender(table: table, transport: transport)
    }

    public var carrierIds: [String] { table.adapters.map(\.id) }

    public func secretSettings(carrier: String) -> Set<String> {
        Set(table.adapter(carrier)?.secretSettingNames ?? [])
    }

    public func signsWebhooks(carrier: String, settings: [String: String]) -> Bool {
        guard let adapter = table.adapter(carrier) else { return false }
        return webhooksAreSigned(adapter: adapter, settings: settings)
    }

    public func supportsTemplates(carrier: String) -> Bool {
        table.adapter(carrier)?.options.templates ?? false
    }

    public func segments(for body: String, carrier: String) -> Int {
        countSegments(body, smartEncoding: table.adapter(carrier)?.options.smartEncoding ?? false).segments
    }

    public func sendPolicy(carrier: String) -> CarrierSendPolicy {
        guard let adapter = table.adapter(carrier) else { return CarrierSendPolicy() }
        return CarrierSendPolicy(
            maxRetries: adapter.limits.maxRetries, ratePerSecond: adapter.limits.ratePerSecond,
            deduplicatesByReference: adapter.send.deduplicatesByReference ?? false)
    }

    public func problems(of message: OutboundMessage, carrier: String) -> [MessageError] {
        guard let adapter = table.adapter(carrier) else { return [] }
        return validateMessage(message, adapter: adapter)
    }

    public func channelProblems(carrier: String, channel: String, address: String, settings: [String: String])
        -> [MessageError]
    {
        guard let adapter = table.adapter(carrier) else { return [] }
        return validateChannel(adapter: adapter, channel: channel, address: address, settings: settings)
    }

    public func send(_ message: OutboundMessage, carrier: String, settings: [String: String]) async -> SendResult {
        await sender.send(message, carrier: carrier, settings: settings, retries: false, paced: false)
    }

    public func normalize(
        _ request: HTTPRequest, carrier: String, settings: [String: String], publicURL: String
    ) throws(InboundFailure) -> InboundResult {
        guard let adapter = table.adapter(carrier) else {
            throw InboundFailure(
                code: "unknown-provider", message: "no carrier '\(carrier)' in the adapter table", httpStatus: 404)
        }
        do {
            return try normalizeInbound(request, adapter: adapter, settings: settings, publicURL: publicURL)
        } catch {
            throw InboundFailure(code: error.code, message: error.message, httpStatus: error.httpStatus)
        }
    }
}
