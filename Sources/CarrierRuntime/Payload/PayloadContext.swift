import CarrierCore

/// Where a path is evaluated: the document root, the current item and the chain of objects above it.
///
/// At the top level the item is the root and there are no ancestors. `PathExpression.eachItems(in:)` makes one
/// child context per selected item; its `ancestors` (innermost first) are the objects that held the arrays the
/// `each` path stepped through, so `^.` is the parent of the array that holds the item and `^^.` one array level
/// further up. Example: for `entry[*].changes[*].value.statuses[*]`, `^` is the `value` object, `^^` the entry
/// and `^^^` the root.
struct PayloadContext: Sendable, Hashable {
    var root: PayloadValue
    var item: PayloadValue
    /// Innermost first.
    var ancestors: [PayloadValue]
    /// Look keys up ignoring ASCII and Unicode case when no exact key exists (`inbound.caseInsensitiveKeys`).
    var caseInsensitiveKeys: Bool
    /// Form and query bodies: each top-level value's bytes as sent, percent-decoded once (see `parseFormWireBytes`),
    /// kept only when a field reads bytes (`percent-latin1`, `gsm7`, ...).
    var wireBytes: [String: [UInt8]]?
    /// The body as text, for `bodyPrefix` and `bodyMatches` conditions; set where a rule reads it.
    var rawBody: String?

    init(root: PayloadValue, caseInsensitiveKeys: Bool = false) {
        self.root = root
        self.item = root
        self.ancestors = []
        self.caseInsensitiveKeys = caseInsensitiveKeys
    }

    init(root: PayloadValue, item: PayloadValue, ancestors: [PayloadValue], caseInsensitiveKeys: Bool = false) {
        self.root = root
        self.item = item
        self.ancestors = ancestors
        self.caseInsensitiveKeys = caseInsensitiveKeys
    }
}
