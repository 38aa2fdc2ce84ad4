/// The members of a payload object (a JSON object, form fields, an XML element's children), in first-seen order.
///
/// Setting a key that is already present replaces its value in place (JSON's "last one wins"). Webhook objects
/// hold a handful of keys, so lookups scan the keys linearly: that is faster than hashing every key of every
/// parsed body, which was the largest single cost of normalizing a webhook. Objects larger than
/// ``indexThreshold`` also keep a hash index, so a hostile body with thousands of keys stays linear to build.
///
/// Equality and hashing ignore member order, as for a dictionary.
public struct PayloadObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: PayloadValue)

    /// Above this many members, lookups go through a hash index instead of a scan.
    static let indexThreshold = 16

    private var entries: [Element] = []
    /// Key -> position in `entries`; only once the object has more than `indexThreshold` members.
    private var index: [String: Int]?

    public init() {}

    public init(minimumCapacity: Int) {
        entries.reserveCapacity(minimumCapacity)
    }

    public init(dictionaryLiteral elements: (String, PayloadValue)...) {
        entries.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }
    public var values: [PayloadValue] { entries.map(\.value) }

    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        for i in entries.indices where entries[i].key == key { return i }
        return nil
    }

    public subscript(key: String) -> PayloadValue? {
        get {
            guard let i = position(of: key) else { return nil }
            return entries[i].value
        }
        set {
            if let i = position(of: key) {
                if let newValue {
                    entries[i].value = newValue
                } else {
                    entries.remove(at: i)
                    if index != nil { rebuildIndex() }
                }
            } else if let newValue {
                entries.append((key, newValue))
                if index != nil {
                    index![key] = entries.count - 1
                } else if entries.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    /// Takes the value out of `key` (leaving `.null` there), so that the caller can mutate it without a copy.
    public mutating func take(_ key: String) -> PayloadValue? {
        guard let i = position(of: key) else { return nil }
        let value = entries[i].value
        entries[i].value = .null
        return value
    }

    private mutating func rebuildIndex() {
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() { index[entry.key] = i }
        self.index = index
    }

    public static func == (lhs: PayloadObject, rhs: PayloadObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.entries where rhs[key] != value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-insensitive: a commutative sum of each member's own hash.
        var sum = 0
        for (key, value) in entries {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            sum &+= member.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(sum)
    }
}
