public import CarrierCore

/// Parses a UTF-8 JSON document into a `PayloadValue`.
///
/// Hand-written for speed on small webhook bodies (no Foundation). Numbers keep their source text, so large ids
/// keep every digit. A repeated object key keeps its last value. The whole body must be one JSON value
/// (surrounding whitespace allowed); a UTF-8 byte-order mark is skipped.
///
/// - Throws: `PayloadError` with code `bad-json` (syntax, with the byte offset), `invalid-utf8`, `nesting-too-deep`
///   or `body-too-large`.
func parseJSON(_ bytes: [UInt8], limits: PayloadLimits = .default) throws(PayloadError) -> PayloadValue {
    try limits.checkSize(bytes.count)
    let result: Result<PayloadValue, PayloadError> = bytes.withUnsafeBufferPointer { buffer in
        var parser = JSONReader(buffer: buffer, maxDepth: limits.maxDepth)
        do throws(PayloadError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

/// A cursor over the body bytes; one instance reads one document.
private struct JSONReader {
    let buffer: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var i = 0
    var depth = 0
    /// Reused scratch space for strings that contain escapes.
    var scratch: [UInt8] = []

    init(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.buffer = buffer
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(PayloadError) -> PayloadValue {
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { i = 3 }
        skipWhitespace()
        guard i < buffer.count else { throw .badJSON("empty body; expected a JSON value", at: i) }
        let value = try parseValue()
        skipWhitespace()
        if i < buffer.count {
            throw .badJSON("unexpected '\(describe(buffer[i]))' after the JSON value", at: i)
        }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < buffer.count {
            switch buffer[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(PayloadError) -> PayloadValue {
        guard i < buffer.count else { throw .badJSON("unexpected end of body; expected a value", at: i) }
        switch buffer[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw .badJSON("unexpected '\(describe(buffer[i]))'; expected a value", at: i)
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(PayloadError) {
        let start = i
        let n = word.utf8CodeUnitCount
        let ok = word.withUTF8Buffer { w in
            guard start + n <= buffer.count else { return false }
            for k in 0..<n where buffer[start + k] != w[k] { return false }
            return true
        }
        guard ok else { throw .badJSON("invalid literal; expected '\(word)'", at: start) }
        i += n
    }

    mutating func enter() throws(PayloadError) {
        depth += 1
        if depth > maxDepth { throw .tooDeep(limit: maxDepth, at: i) }
    }

    mutating func parseObject() throws(PayloadError) -> PayloadValue {
        try enter()
        i += 1  // {
        var object = PayloadObject()
        skipWhitespace()
        if i < buffer.count, buffer[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard i < buffer.count else { throw .badJSON("unexpected end of body inside an object", at: i) }
            guard buffer[i] == UInt8(ascii: "\"") else {
                throw .badJSON("expected a string key, found '\(describe(buffer[i]))'", at: i)
            }
            let key = try parseString()
            skipWhitespace()
            guard i < buffer.count else { throw .badJSON("unexpected end of body; expected ':'", at: i) }
            guard buffer[i] == UInt8(ascii: ":") else {
                throw .badJSON("expected ':' after an object key, found '\(describe(buffer[i]))'", at: i)
            }
            i += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard i < buffer.count else { throw .badJSON("unexpected end of body inside an object", at: i) }
            if buffer[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if buffer[i] == UInt8(ascii: "}") {
                i += 1
                depth -= 1
                return .object(object)
            }
            throw .badJSON("expected ',' or '}' in an object, found '\(describe(buffer[i]))'", at: i)
        }
    }

    mutating func parseArray() throws(PayloadError) -> PayloadValue {
        try enter()
        i += 1  // [
        var array: [PayloadValue] = []
        skipWhitespace()
        if i < buffer.count, buffer[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            guard i < buffer.count else { throw .badJSON("unexpected end of body inside an array", at: i) }
            if buffer[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if buffer[i] == UInt8(ascii: "]") {
                i += 1
                depth -= 1
                return .array(array)
            }
            throw .badJSON("expected ',' or ']' in an array, found '\(describe(buffer[i]))'", at: i)
        }
    }

    /// Reads a number and returns its exact text after checking it against the JSON grammar.
    mutating func parseNumber() throws(PayloadError) -> String {
        let start = i
        if buffer[i] == UInt8(ascii: "-") { i += 1 }
        guard i < buffer.count, isDigit(buffer[i]) else { throw .badJSON("expected a digit in a number", at: i) }
        if buffer[i] == UInt8(ascii: "0") {
            i += 1
            if i < buffer.count, isDigit(buffer[i]) { throw .badJSON("leading zero in a number", at: start) }
        } else {
            while i < buffer.count, isDigit(buffer[i]) { i += 1 }
        }
        if i < buffer.count, buffer[i] == UInt8(ascii: ".") {
            i += 1
            guard i < buffer.count, isDigit(buffer[i]) else {
                throw .badJSON("expected a digit after '.' in a number", at: i)
            }
            while i < buffer.count, isDigit(buffer[i]) { i += 1 }
        }
        if i < buffer.count, buffer[i] == UInt8(ascii: "e") || buffer[i] == UInt8(ascii: "E") {
            i += 1
            if i < buffer.count, buffer[i] == UInt8(ascii: "+") || buffer[i] == UInt8(ascii: "-") { i += 1 }
            guard i < buffer.count, isDigit(buffer[i]) else {
                throw .badJSON("expected a digit in a number's exponent", at: i)
            }
            while i < buffer.count, isDigit(buffer[i]) { i += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<i]), as: UTF8.self)
    }

    /// Reads a string starting at its opening quote. Strings without escapes are decoded straight from the body.
    mutating func parseString() throws(PayloadError) -> String {
        i += 1  // opening quote
        let start = i
        while i < buffer.count {
            let b = buffer[i]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw .badJSON("unescaped control character in a string", at: i) }
            if b < 0x80 {
                i += 1
            } else {
                guard let n = utf8MultiByteSequenceLength(buffer, at: i) else { throw .invalidUTF8(at: i) }
                i += n
            }
        }
        guard i < buffer.count else { throw .badJSON("unterminated string", at: start - 1) }
        // Slow path: copy what was scanned, then decode escapes.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<i]))
        while i < buffer.count {
            let b = buffer[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                try parseEscape()
            } else if b < 0x20 {
                throw .badJSON("unescaped control character in a string", at: i)
            } else if b < 0x80 {
                scratch.append(b)
                i += 1
            } else {
                guard let n = utf8MultiByteSequenceLength(buffer, at: i) else { throw .invalidUTF8(at: i) }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i..<(i + n)]))
                i += n
            }
        }
        throw .badJSON("unterminated string", at: start - 1)
    }

    /// Decodes one escape sequence at `i` (the backslash) into `scratch`.
    mutating func parseEscape() throws(PayloadError) {
        let escapeStart = i
        i += 1
        guard i < buffer.count else { throw .badJSON("unterminated escape sequence", at: escapeStart) }
        let c = buffer[i]
        i += 1
        switch c {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try readHex4()
            var value = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                guard i + 1 < buffer.count, buffer[i] == UInt8(ascii: "\\"), buffer[i + 1] == UInt8(ascii: "u") else {
                    throw .badJSON("high surrogate not followed by a low surrogate escape", at: escapeStart)
                }
                i += 2
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw .badJSON("high surrogate not followed by a low surrogate", at: escapeStart)
                }
                value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw .badJSON("lone low surrogate", at: escapeStart)
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw .badJSON("invalid Unicode escape", at: escapeStart)
            }
            appendUTF8(scalar, to: &scratch)
        default:
            throw .badJSON("invalid escape '\\\(describe(c))'", at: escapeStart)
        }
    }

    mutating func readHex4() throws(PayloadError) -> UInt16 {
        guard i + 4 <= buffer.count else { throw .badJSON("truncated \\u escape", at: i) }
        var v: UInt16 = 0
        for k in 0..<4 {
            guard let d = hexDigitValue(buffer[i + k]) else {
                throw .badJSON("expected 4 hex digits after \\u", at: i + k)
            }
            v = v << 4 | UInt16(d)
        }
        i += 4
        return v
    }

    @inline(__always)
    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// A printable rendering of one byte for error messages (never echoes more than one byte of the body).
    func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return String(UnicodeScalar(b)) }
        return "0x" + String(b, radix: 16, uppercase: true)
    }
}

/// Parses a JSON request body with the webhook parser and its limits (size, nesting depth).
///
/// For the service's own API bodies, where Foundation's `JSONDecoder` cost more than the rest of the request.
/// - Throws: `PayloadError` (`bad-json` with the byte offset, `invalid-utf8`, `nesting-too-deep`, `body-too-large`).
public func parseJSONBody(_ bytes: [UInt8]) throws(PayloadError) -> PayloadValue {
    try parseJSON(bytes)
}
