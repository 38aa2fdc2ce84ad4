import CarrierCore

extension PayloadValue {
    /// The values of an array, or the value itself as a one-element list (none for `.null`).
    var listElements: [PayloadValue] {
        switch self {
        case .array(let items): return items
        case .null: return []
        default: return [self]
        }
    }

    /// The value of `key` when this is an object.
    subscript(key: String) -> PayloadValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The element at `index` when this is an array.
    subscript(index: Int) -> PayloadValue? {
        guard case .array(let items) = self, index >= 0, index < items.count else { return nil }
        return items[index]
    }

    /// True for `.null`, `""` and `[]`: the values a `when` condition and an optional field treat as absent.
    var isEmptyValue: Bool {
        switch self {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .array(let items): return items.isEmpty
        default: return false
        }
    }
}
