import CarrierCore

/// Parses an `application/x-www-form-urlencoded` body or a URL query string (without the leading `?`).
///
/// - `+` is a space and `%XX` a byte; a `%` not followed by two hex digits is an error.
/// - Pairs are split on `&`; empty pairs (`a=1&&b=2`, a leading or trailing `&`) are skipped. A pair without `=`
///   has the value `""`. Keys are literal: `a[b]` stays the key `a[b]`, and the empty key is kept.
/// - A key seen once maps to `.string`; a repeated key maps to `.array` of its strings in body order.
/// - Decoded bytes that are not valid UTF-8 are read as ISO-8859-1 (Latin-1), one byte per character, so that
///   8-bit carrier text (`%E9` for é) survives instead of failing the whole request; valid UTF-8 always wins.
///
/// - Throws: `PayloadError` `bad-form` (with the byte offset of the bad escape) or `body-too-large`.
func parseForm(_ bytes: [UInt8], limits: PayloadLimits = .default) throws(PayloadError) -> PayloadValue {
    .object(try parseFormPairs(bytes, limits: limits).groupedPayload())
}

/// Parses a form or query body into its pairs in body order (what signature checks need).
func parseFormPairs(_ bytes: [UInt8], limits: PayloadLimits = .default) throws(PayloadError) -> [(String, String)] {
    try limits.checkSize(bytes.count)
    var pairs: [(String, String)] = []
    var scratch: [UInt8] = []
    try forEachFormPair(bytes) { (key, value) throws(PayloadError) in
        let k = try decodeFormComponent(bytes, key.lowerBound, key.upperBound, &scratch)
        let v = try value.map { (r) throws(PayloadError) in
            try decodeFormComponent(bytes, r.lowerBound, r.upperBound, &scratch)
        }
        pairs.append((k, v ?? ""))
    }
    return pairs
}

/// Each value's bytes as they were on the wire, percent-decoded once but not read as text, by key (the last value
/// of a repeated key): what byte-level text encodings (`percent-latin1`, `gsm7`) read in form and query bodies.
func parseFormWireBytes(_ bytes: [UInt8]) throws(PayloadError) -> [String: [UInt8]] {
    var values: [String: [UInt8]] = [:]
    var scratch: [UInt8] = []
    try forEachFormPair(bytes) { (key, value) throws(PayloadError) in
        let k = try decodeFormComponent(bytes, key.lowerBound, key.upperBound, &scratch)
        if let value {
            try percentDecode(bytes, value.lowerBound, value.upperBound, into: &scratch)
            values[k] = scratch
        } else {
            values[k] = []
        }
    }
    return values
}

/// Calls `body` with the key range and value range (nil without `=`) of each non-empty `&`-separated pair.
private func forEachFormPair(
    _ bytes: [UInt8], _ body: (Range<Int>, Range<Int>?) throws(PayloadError) -> Void
) throws(PayloadError) {
    var start = 0
    let count = bytes.count
    while start <= count {
        var end = start
        var equals = -1
        while end < count, bytes[end] != UInt8(ascii: "&") {
            if equals < 0, bytes[end] == UInt8(ascii: "=") { equals = end }
            end += 1
        }
        if end > start {
            try body(start..<(equals >= 0 ? equals : end), equals >= 0 ? (equals + 1)..<end : nil)
        }
        start = end + 1
    }
}

extension [(String, String)] {
    /// Groups pairs by key: one value stays a string, repeated keys become an array in order.
    func groupedPayload() -> PayloadObject {
        var object = PayloadObject(minimumCapacity: count)
        for (key, value) in self {
            switch object.take(key) {
            case nil:
                object[key] = .string(value)
            case .string(let first)?:
                object[key] = .array([.string(first), .string(value)])
            case .array(var values)?:
                values.append(.string(value))
                object[key] = .array(values)
            case let other?:
                object[key] = other
            }
        }
        return object
    }
}

/// Percent-decodes `bytes[start..<end]` (with `+` as space) into a string; see `parseForm` for the charset rule.
private func decodeFormComponent(
    _ bytes: [UInt8], _ start: Int, _ end: Int, _ scratch: inout [UInt8]
) throws(PayloadError) -> String {
    var plain = true
    for k in start..<end where bytes[k] == UInt8(ascii: "%") || bytes[k] == UInt8(ascii: "+") || bytes[k] >= 0x80 {
        plain = false
        break
    }
    if plain {
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
    try percentDecode(bytes, start, end, into: &scratch)
    return stringFromUTF8OrLatin1(scratch)
}

/// Percent-decodes `bytes[start..<end]` (with `+` as space) into `scratch`.
private func percentDecode(_ bytes: [UInt8], _ start: Int, _ end: Int, into scratch: inout [UInt8]) throws(PayloadError)
{
    scratch.removeAll(keepingCapacity: true)
    var k = start
    while k < end {
        let b = bytes[k]
        if b == UInt8(ascii: "+") {
            scratch.append(0x20)
            k += 1
        } else if b == UInt8(ascii: "%") {
            guard k + 2 < end else {
                throw .badForm("'%' must be followed by two hex digits", at: k)
            }
            guard let hi = hexDigitValue(bytes[k + 1]), let lo = hexDigitValue(bytes[k + 2]) else {
                throw .badForm("'%' must be followed by two hex digits", at: k)
            }
            scratch.append(hi << 4 | lo)
            k += 3
        } else {
            scratch.append(b)
            k += 1
        }
    }
}

/// Reads bytes as UTF-8 when they are valid UTF-8, else as ISO-8859-1.
func stringFromUTF8OrLatin1(_ bytes: [UInt8]) -> String {
    if let s = String(validating: bytes, as: UTF8.self) {
        return s
    }
    var scalars = String.UnicodeScalarView()
    for b in bytes {
        scalars.append(Unicode.Scalar(b))
    }
    return String(scalars)
}
