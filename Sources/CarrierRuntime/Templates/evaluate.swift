public import CarrierCore
import Foundation

/// Evaluates an expression: looks the variable up, then applies each filter in turn.
///
/// `negated` (from a `when: !expr`) is not applied here; see ``TemplateExpression/holds(in:)``.
public func evaluate(_ expression: TemplateExpression, in context: TemplateContext) throws(RenderError)
    -> TemplateValue
{
    var value = try context.value(of: expression.variable)
    for filter in expression.filters {
        value = try apply(filter, to: value)
    }
    return value
}

extension TemplateExpression {
    /// Whether a `when:` condition holds (its value is truthy, or not truthy when negated).
    public func holds(in context: TemplateContext) throws(RenderError) -> Bool {
        try evaluate(self, in: context).isTruthy != negated
    }
}

/// Applies one filter. String filters map over lists element by element and leave null alone.
func apply(_ filter: TemplateExpression.Filter, to value: TemplateValue) throws(RenderError) -> TemplateValue {
    guard let kind = TemplateCatalog.filters[filter.name] else {
        throw RenderError(code: "unknown-filter", message: "unknown filter '\(filter.name)'")
    }
    let stringArgument: String?
    let integerArgument: Int?
    switch (kind, filter.argument) {
    case (.none, nil):
        stringArgument = nil
        integerArgument = nil
    case (.string, .string(let s)?):
        stringArgument = s
        integerArgument = nil
    case (.integer, .integer(let n)?):
        stringArgument = nil
        integerArgument = n
    default:
        let expected =
            switch kind {
            case .none: "no argument"
            case .string: "a quoted string argument"
            case .integer: "an integer argument"
            }
        throw RenderError(code: "bad-filter-argument", message: "filter '\(filter.name)' takes \(expected)")
    }

    func mapText(_ transform: (String) throws(RenderError) -> TemplateValue) throws(RenderError) -> TemplateValue {
        func go(_ v: TemplateValue) throws(RenderError) -> TemplateValue {
            switch v {
            case .null: return .null
            case .list(let l):
                var out: [TemplateValue] = []
                for e in l { out.append(try go(e)) }
                return .list(out)
            default: return try transform(v.text)
            }
        }
        return try go(value)
    }

    switch filter.name {
    case "url": return try mapText { .string(WireEscaping.url($0)) }
    case "xml": return try mapText { .string(WireEscaping.xml($0)) }
    case "json": return .string(value.jsonText)
    case "base64": return try mapText { .string(Data($0.utf8).base64EncodedString()) }
    case "upper": return try mapText { .string($0.uppercased()) }
    case "lower": return try mapText { .string($0.lowercased()) }
    case "trim": return try mapText { .string($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    case "digits": return try mapText { .string(String($0.unicodeScalars.filter { ("0"..."9").contains($0) })) }
    case "hex_ucs2":
        return try mapText { s in
            var bytes: [UInt8] = []
            for unit in s.utf16 {
                bytes.append(UInt8(unit >> 8))
                bytes.append(UInt8(unit & 0xFF))
            }
            return .string(WireEscaping.hex(bytes))
        }
    case "epoch":
        return try mapText { s throws(RenderError) in
            guard let seconds = parseISO8601(s) else {
                throw RenderError(code: "bad-timestamp", message: "'\(s)' is not an ISO 8601 time")
            }
            return .integer(seconds)
        }
    case "default":
        return value.isEmpty ? .string(stringArgument ?? "") : value
    case "prefix":
        return try mapText { s in .string(s.isEmpty ? s : (stringArgument ?? "") + s) }
    case "join":
        switch value {
        case .null: return .null
        case .list(let l): return .string(l.map(\.text).joined(separator: stringArgument ?? ""))
        default: return .string(value.text)
        }
    case "map":
        guard let pairs = TemplateCatalog.mapPairs(stringArgument ?? "") else {
            throw RenderError(code: "bad-filter-argument", message: "filter 'map' takes pairs like \"a=b,c=d\"")
        }
        return try mapText { s in .string(pairs[s] ?? pairs["*"] ?? s) }
    case "first":
        if case .list(let l) = value { return l.first ?? .null }
        return value
    case "count":
        switch value {
        case .null: return .integer(0)
        case .list(let l): return .integer(l.count)
        default: return .integer(value.text.count)
        }
    case "truncate":
        let n = max(0, integerArgument ?? 0)
        if case .list(let l) = value { return .list(Array(l.prefix(n))) }
        return try mapText { .string(String($0.prefix(n))) }
    default:
        throw RenderError(code: "unknown-filter", message: "filter '\(filter.name)' is not implemented")
    }
}

/// Epoch seconds of an ISO 8601 time (`2024-05-01T12:00:00Z`, with fractional seconds or an offset).
private func parseISO8601(_ text: String) -> Int? {
    let s = text.trimmingCharacters(in: .whitespaces)
    let plain = ISO8601DateFormatter()
    if let d = plain.date(from: s) { return Int(d.timeIntervalSince1970.rounded(.down)) }
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let d = fractional.date(from: s) { return Int(d.timeIntervalSince1970.rounded(.down)) }
    return nil
}
