/// The columns a status report can change, so that the rule for advancing a message's status is written once for
/// a whole ``MessageRecord`` and for the few columns the delivery-report path reads (``SentMessageStatus``).
protocol MessageProgress {
    var status: String { get set }
    var errorCode: String? { get set }
    var errorMessage: String? { get set }
    var updatedAt: Double { get set }
}

extension MessageRecord: MessageProgress {}

/// What a delivery report needs of the outbound message it names.
struct SentMessageStatus: MessageProgress {
    var id: String
    var status: String
    var providerMessageId: String?
    var errorCode: String?
    var errorMessage: String?
    var updatedAt: Double
}
