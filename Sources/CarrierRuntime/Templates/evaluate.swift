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
        value = try apply(filter, to: value, in: context)
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
///
/// - Parameter context: for an argument that is a variable (`default:settings.sender`).
func apply(
    _ filter: TemplateExpression.Filter, to value: TemplateValue, in context: TemplateContext
) throws(RenderError) -> TemplateValue {
    guard let kind = filter.kind else {
        throw RenderError(code: "unknown-filter", message: "unknown filter '\(filter.name)'")
    }
    guard kind.accepts(filter.argument) else {
        throw RenderError(
            code: "bad-filter-argument", message: "filter '\(filter.name)' takes \(kind.expectedArgument)")
    }
    var stringArgument: String?
    var integerArgument = 0
    switch filter.argument {
    case .string(let s)?: stringArgument = s
    case .integer(let n)?: integerArgument = n
    case .variable(let path)?: stringArgument = try context.value(of: path).text
    case nil: break
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

    /// Like `mapText`, but hands over the value itself, so that `.bytes` keep their bytes.
    func mapValue(_ transform: (TemplateValue) -> TemplateValue) -> TemplateValue {
        func go(_ v: TemplateValue) -> TemplateValue {
            switch v {
            case .null: .null
            case .list(let l): .list(l.map(go))
            default: transform(v)
            }
        }
        return go(value)
    }

    func number(_ s: String) throws(RenderError) -> Int {
        guard let n = Int(s.trimmingCharacters(in: .whitespaces)) else {
            throw RenderError(code: "bad-number", message: "filter '\(filter.name)' needs a whole number, got '\(s)'")
        }
        return n
    }

    switch kind {
    case .url: return mapValue { .string(WireEscaping.url($0)) }
    case .xml: return try mapText { .string(WireEscaping.xml($0)) }
    case .json: return .string(value.jsonText)
    case .base64: return try mapText { .string(Data($0.utf8).base64EncodedString()) }
    case .upper: return try mapText { .string($0.uppercased()) }
    case .lower: return try mapText { .string($0.lowercased()) }
    case .trim: return try mapText { .string($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    case .digits: return try mapText { .string(String($0.unicodeScalars.filter { ("0"..."9").contains($0) })) }
    case .hexUCS2:
        return try mapText { s in .string(WireEscaping.hex(utf16BigEndian(s))) }
    case .utf16be:
        return try mapText { s in .bytes(utf16BigEndian(s)) }
    case .epoch:
        return try mapText { s throws(RenderError) in .integer(Int(try isoInstant(s).seconds)) }
    case .inZone:
        let zone = try renderZone(stringArgument ?? "")
        return try mapText { s throws(RenderError) in .string(try isoInstant(s).written(in: zone)) }
    case .date:
        let format = try renderPattern(stringArgument ?? "")
        return try mapText { s throws(RenderError) in .string(try isoInstant(s).wallClock(format)) }
    case .div:
        return try mapText { s throws(RenderError) in
            let n = try number(s)
            return .integer(Int((Double(n) / Double(integerArgument)).rounded(.down)))
        }
    case .mul:
        return try mapText { s throws(RenderError) in
            let (product, overflow) = try number(s).multipliedReportingOverflow(by: integerArgument)
            guard !overflow else {
                throw RenderError(code: "bad-number", message: "'\(s)' * \(integerArgument) overflows")
            }
            return .integer(product)
        }
    case .default:
        return value.isEmpty ? .string(stringArgument ?? "") : value
    case .prefix:
        return try mapText { s in .string(s.isEmpty ? s : (stringArgument ?? "") + s) }
    case .join:
        switch value {
        case .null: return .null
        case .list(let l): return .string(l.map(\.text).joined(separator: stringArgument ?? ""))
        default: return .string(value.text)
        }
    case .map:
        guard let pairs = TemplateFilter.mapPairs(stringArgument ?? "") else {
            throw RenderError(code: "bad-filter-argument", message: "filter 'map' takes pairs like \"a=b,c=d\"")
        }
        return try mapText { s in .string(pairs[s] ?? pairs["*"] ?? s) }
    case .first:
        if case .list(let l) = value { return l.first ?? .null }
        return value
    case .count:
        switch value {
        case .null: return .integer(0)
        case .list(let l): return .integer(l.count)
        default: return .integer(value.text.count)
        }
    case .truncate:
        let n = max(0, integerArgument)
        if case .list(let l) = value { return .list(Array(l.prefix(n))) }
        return try mapText { .string(String($0.prefix(n))) }
    }
}

/// The UTF-16BE bytes of `s` (surrogate pairs for characters outside the BMP).
private func utf16BigEndian(_ s: String) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(s.utf16.count * 2)
    for unit in s.utf16 {
        bytes.append(UInt8(unit >> 8))
        bytes.append(UInt8(unit & 0xFF))
    }
    return bytes
}

private func renderZone(_ text: String) throws(RenderError) -> TimestampZone {
    do {
        return try TimestampZone.parse(text)
    } catch {
        throw RenderError(code: error.code, message: error.message)
    }
}

private func renderPattern(_ text: String) throws(RenderError) -> TimestampFormat {
    do {
        return try TimestampFormat.parse(text)
    } catch {
        throw RenderError(code: error.code, message: error.message)
    }
}

/// An ISO 8601 time read by the same reader as inbound timestamps.
private func isoInstant(_ text: String) throws(RenderError) -> Instant {
    do {
        return try readInstant(text, format: .iso8601, zone: .utc)
    } catch {
        throw RenderError(code: "bad-timestamp", message: "'\(text)' is not an ISO 8601 time")
    }
}
