import CarrierRuntime
import Foundation

/// A page of a list endpoint: the items and the cursor of the next page (nil on the last one).
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var nextCursor: String?
    /// The JSON member the items are listed under (`messages`, `conversations`, `optOuts`).
    var name: String

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ColumnNames.Key.self)
        try container.encode(items, forKey: .init(stringValue: name))
        try container.encode(nextCursor, forKey: .init(stringValue: "nextCursor"))
    }
}

/// The JSON body of `POST /opt-outs`.
struct OptOutRequest: Decodable, Sendable {
    var kind: String?
    var address: String?
}

extension MessagingEngine {
    /// `GET /opt-outs`.
    func optOuts(account: String, kind: OptOutKind?, cursor: String?, limit: Int) async throws(ServiceError)
        -> Page<OptOutRecord>
    {
        let rows: [OptOutRecord]
        do {
            rows = try await identity.optOuts(account: account, kind: kind, after: cursor, limit: limit + 1)
        } catch {
            throw storageFailure(error, writing: false)
        }
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { "\($0.kind.rawValue)/\($0.address)" } : nil
        return Page(items: items, nextCursor: next, name: "optOuts")
    }

    /// `POST /opt-outs`: adds a contact to the account's list for a kind (an opt-out given another way, e.g. on
    /// the phone). The address is normalized like inbound ones and must then be E.164.
    /// - Throws: ``ServiceError`` `invalid-kind`, `invalid-phone-number`.
    func addOptOut(_ request: OptOutRequest, account: String) async throws(ServiceError) -> OptOutRecord {
        let (kind, address) = try Self.optOutTarget(kind: request.kind, address: request.address)
        let record = OptOutRecord(kind: kind, address: address, source: "api", createdAt: Self.now())
        do {
            return try await identity.addOptOut(account: account, record)
        } catch {
            throw storageFailure(error, writing: true)
        }
    }

    /// `DELETE /opt-outs/{kind}/{address}`.
    /// - Throws: ``ServiceError`` `invalid-kind`, `invalid-phone-number`, `unknown-opt-out`.
    func removeOptOut(kind: String, address: String, account: String) async throws(ServiceError) {
        let (kind, address) = try Self.optOutTarget(kind: kind, address: address)
        let removed: Bool
        do {
            removed = try await identity.removeOptOut(account: account, kind: kind, address: address)
        } catch {
            throw storageFailure(error, writing: true)
        }
        if !removed { throw .notFound("unknown-opt-out", "\(address) is not on the \(kind.rawValue) opt-out list") }
    }

    /// A kind and an E.164 address from a request, or the errors that make it invalid.
    static func optOutTarget(kind: String?, address: String?) throws(ServiceError) -> (OptOutKind, String) {
        var errors: [ServiceError.FieldError] = []
        let parsedKind = kind.flatMap(OptOutKind.init(rawValue:))
        if parsedKind == nil {
            errors.append(.invalid("kind", "invalid-kind", "kind must be one of sms, whatsapp, rcs"))
        }
        let normalized = PhoneAddress.normalize(address ?? "", rule: nil)
        if !SendRequest.isE164(normalized) {
            errors.append(
                .invalid("address", "invalid-phone-number", "address must be an E.164 number such as +15551234567"))
        }
        guard let parsedKind, errors.isEmpty else { throw .validation(errors) }
        return (parsedKind, normalized)
    }

    /// `GET /messages`.
    func listMessages(account: String, filter: MessageFilter, cursor: String?, limit: Int) async throws(ServiceError)
        -> Page<MessageRecord>
    {
        let rows: [MessageRecord]
        do {
            rows = try await identity.messages(account: account, filter: filter, after: cursor, limit: limit + 1)
        } catch {
            throw storageFailure(error, writing: false)
        }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: rows.count > limit ? items.last?.id : nil, name: "messages")
    }

    /// `GET /conversations`.
    func listConversations(account: String, filter: ConversationFilter, cursor: String?, limit: Int)
        async throws(ServiceError) -> Page<ConversationRecord>
    {
        let rows: [ConversationRecord]
        do {
            rows = try await identity.conversations(account: account, filter: filter, after: cursor, limit: limit + 1)
        } catch {
            throw storageFailure(error, writing: false)
        }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: rows.count > limit ? items.last?.id : nil, name: "conversations")
    }
}
