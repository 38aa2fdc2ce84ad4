import CarrierCore

/// Parses a small XML document (a carrier callback) into a `PayloadValue`.
///
/// Mapping: the result is `{ rootName: element }`. An element with attributes or child elements is an object:
/// attributes under `@name`, children under their name (a repeated child name becomes an array in document
/// order), and its text (trimmed, CDATA included) under `#text` when not empty. An element with only text (or
/// nothing) is a `.string`. Names keep any namespace prefix as written (`soap:Body`); namespaces are not resolved.
///
/// Supported: the XML declaration and processing instructions (skipped), comments, CDATA, the five predefined
/// entities and numeric character references. A DOCTYPE with an internal subset is refused (no entity expansion).
///
/// - Throws: `PayloadError` `bad-xml` (with the byte offset), `invalid-utf8`, `nesting-too-deep` or `body-too-large`.
func parseXML(_ bytes: [UInt8], limits: PayloadLimits = .default) throws(PayloadError) -> PayloadValue {
    try limits.checkSize(bytes.count)
    let result: Result<PayloadValue, PayloadError> = bytes.withUnsafeBufferPointer { buffer in
        var reader = XMLReader(buffer: buffer, maxDepth: limits.maxDepth)
        do throws(PayloadError) {
            return .success(try reader.parseDocument())
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

private struct XMLReader {
    let buffer: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var i = 0
    var depth = 0

    init(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.buffer = buffer
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(PayloadError) -> PayloadValue {
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { i = 3 }
        try skipMisc()
        guard i < buffer.count else { throw .badXML("no root element", at: i) }
        guard buffer[i] == UInt8(ascii: "<") else { throw .badXML("text before the root element", at: i) }
        let (name, value) = try parseElement()
        try skipMisc()
        if i < buffer.count { throw .badXML("content after the root element", at: i) }
        return .object([name: value])
    }

    /// Skips whitespace, comments, processing instructions and a DOCTYPE outside the root element.
    mutating func skipMisc() throws(PayloadError) {
        while true {
            skipWhitespace()
            if hasPrefix("<?") {
                try skipPast("?>", what: "processing instruction")
            } else if hasPrefix("<!--") {
                try skipPast("-->", what: "comment")
            } else if hasPrefix("<!DOCTYPE") {
                let start = i
                while i < buffer.count, buffer[i] != UInt8(ascii: ">") {
                    if buffer[i] == UInt8(ascii: "[") {
                        throw .badXML("DOCTYPE with an internal subset is not supported", at: start)
                    }
                    i += 1
                }
                guard i < buffer.count else { throw .badXML("unterminated DOCTYPE", at: start) }
                i += 1
            } else {
                return
            }
        }
    }

    mutating func skipWhitespace() {
        while i < buffer.count, isSpace(buffer[i]) { i += 1 }
    }

    func hasPrefix(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= buffer.count else { return false }
        return s.withUTF8Buffer { w in
            for k in 0..<n where buffer[i + k] != w[k] { return false }
            return true
        }
    }

    mutating func skipPast(_ terminator: StaticString, what: String) throws(PayloadError) {
        let start = i
        while i < buffer.count {
            if hasPrefix(terminator) {
                i += terminator.utf8CodeUnitCount
                return
            }
            i += 1
        }
        throw .badXML("unterminated \(what)", at: start)
    }

    /// Reads a name (element or attribute) at `i`.
    mutating func parseName() throws(PayloadError) -> String {
        let start = i
        while i < buffer.count {
            let b = buffer[i]
            if isSpace(b) || b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
                || b == UInt8(ascii: "<") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")
            {
                break
            }
            if b < 0x80 {
                i += 1
            } else {
                guard let n = utf8MultiByteSequenceLength(buffer, at: i) else { throw .invalidUTF8(at: i) }
                i += n
            }
        }
        guard i > start else { throw .badXML("expected a name", at: start) }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<i]), as: UTF8.self)
    }

    /// Reads one element starting at its `<`; returns its name and value.
    mutating func parseElement() throws(PayloadError) -> (String, PayloadValue) {
        let elementStart = i
        depth += 1
        if depth > maxDepth { throw .tooDeep(limit: maxDepth, at: i) }
        defer { depth -= 1 }
        i += 1  // <
        let name = try parseName()
        var object = PayloadObject()
        var hasStructure = false
        // Attributes
        while true {
            skipWhitespace()
            guard i < buffer.count else { throw .badXML("unterminated start tag <\(name)>", at: elementStart) }
            if buffer[i] == UInt8(ascii: "/") {
                guard i + 1 < buffer.count, buffer[i + 1] == UInt8(ascii: ">") else {
                    throw .badXML("expected '/>'", at: i)
                }
                i += 2
                return (name, hasStructure ? .object(object) : .string(""))
            }
            if buffer[i] == UInt8(ascii: ">") {
                i += 1
                break
            }
            let attributeStart = i
            let attribute = try parseName()
            skipWhitespace()
            guard i < buffer.count, buffer[i] == UInt8(ascii: "=") else {
                throw .badXML("expected '=' after attribute '\(attribute)'", at: i)
            }
            i += 1
            skipWhitespace()
            guard i < buffer.count, buffer[i] == UInt8(ascii: "\"") || buffer[i] == UInt8(ascii: "'") else {
                throw .badXML("expected a quoted attribute value", at: i)
            }
            let quote = buffer[i]
            i += 1
            var value: [UInt8] = []
            while true {
                guard i < buffer.count else { throw .badXML("unterminated attribute value", at: attributeStart) }
                let b = buffer[i]
                if b == quote {
                    i += 1
                    break
                }
                if b == UInt8(ascii: "<") { throw .badXML("'<' in an attribute value", at: i) }
                try consumeTextByte(into: &value)
            }
            let key = "@" + attribute
            if object[key] != nil { throw .badXML("duplicate attribute '\(attribute)'", at: attributeStart) }
            object[key] = .string(String(decoding: value, as: UTF8.self))
            hasStructure = true
        }
        // Content
        var text: [UInt8] = []
        var childOrder: [String] = []
        var children: [String: [PayloadValue]] = [:]
        while true {
            guard i < buffer.count else { throw .badXML("missing end tag </\(name)>", at: elementStart) }
            let b = buffer[i]
            if b != UInt8(ascii: "<") {
                try consumeTextByte(into: &text)
                continue
            }
            if hasPrefix("</") {
                let endStart = i
                i += 2
                let endName = try parseName()
                skipWhitespace()
                guard i < buffer.count, buffer[i] == UInt8(ascii: ">") else { throw .badXML("expected '>'", at: i) }
                i += 1
                guard endName == name else {
                    throw .badXML("end tag </\(endName)> does not match <\(name)>", at: endStart)
                }
                break
            } else if hasPrefix("<!--") {
                try skipPast("-->", what: "comment")
            } else if hasPrefix("<![CDATA[") {
                let start = i
                i += 9
                while true {
                    guard i < buffer.count else { throw .badXML("unterminated CDATA section", at: start) }
                    if hasPrefix("]]>") {
                        i += 3
                        break
                    }
                    try consumeRawByte(into: &text)
                }
            } else if hasPrefix("<?") {
                try skipPast("?>", what: "processing instruction")
            } else if hasPrefix("<!") {
                throw .badXML("unexpected markup declaration", at: i)
            } else {
                let (childName, childValue) = try parseElement()
                if children[childName] == nil {
                    childOrder.append(childName)
                    children[childName] = [childValue]
                } else {
                    children[childName]?.append(childValue)
                }
            }
        }
        let trimmed = trimSpace(text)
        if childOrder.isEmpty && !hasStructure {
            return (name, .string(trimmed))
        }
        for childName in childOrder {
            guard let values = children[childName] else { continue }
            let value: PayloadValue = values.count == 1 ? values[0] : .array(values)
            if object[childName] == nil { object[childName] = value }
        }
        if !trimmed.isEmpty { object["#text"] = .string(trimmed) }
        return (name, .object(object))
    }

    /// Appends one character of text at `i`, decoding an entity reference.
    mutating func consumeTextByte(into out: inout [UInt8]) throws(PayloadError) {
        if buffer[i] == UInt8(ascii: "&") {
            try parseEntity(into: &out)
        } else {
            try consumeRawByte(into: &out)
        }
    }

    /// Appends one UTF-8 character at `i` as it is, after validating it.
    mutating func consumeRawByte(into out: inout [UInt8]) throws(PayloadError) {
        let b = buffer[i]
        if b < 0x80 {
            out.append(b)
            i += 1
        } else {
            guard let n = utf8MultiByteSequenceLength(buffer, at: i) else { throw .invalidUTF8(at: i) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i..<(i + n)]))
            i += n
        }
    }

    mutating func parseEntity(into out: inout [UInt8]) throws(PayloadError) {
        let start = i
        i += 1
        let nameStart = i
        while i < buffer.count, buffer[i] != UInt8(ascii: ";"), i - nameStart < 12 { i += 1 }
        guard i < buffer.count, buffer[i] == UInt8(ascii: ";") else {
            throw .badXML("unterminated entity reference ('&' must be written '&amp;')", at: start)
        }
        let name = UnsafeBufferPointer(rebasing: buffer[nameStart..<i])
        i += 1
        switch String(decoding: name, as: UTF8.self) {
        case "amp": out.append(UInt8(ascii: "&"))
        case "lt": out.append(UInt8(ascii: "<"))
        case "gt": out.append(UInt8(ascii: ">"))
        case "quot": out.append(UInt8(ascii: "\""))
        case "apos": out.append(UInt8(ascii: "'"))
        default:
            guard name.count >= 2, name[0] == UInt8(ascii: "#") else {
                throw .badXML("unknown entity '&\(String(decoding: name, as: UTF8.self));'", at: start)
            }
            var value: UInt32 = 0
            let hex = name[1] == UInt8(ascii: "x")
            let digits = UnsafeBufferPointer(rebasing: name[(hex ? 2 : 1)...])
            guard !digits.isEmpty else { throw .badXML("empty character reference", at: start) }
            for d in digits {
                let digit: UInt8?
                if hex {
                    digit = hexDigitValue(d)
                } else {
                    digit = d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") ? d - UInt8(ascii: "0") : nil
                }
                guard let digit else { throw .badXML("bad character reference", at: start) }
                value = value * (hex ? 16 : 10) + UInt32(digit)
                if value > 0x10FFFF { throw .badXML("character reference out of range", at: start) }
            }
            guard value != 0, let scalar = Unicode.Scalar(value) else {
                throw .badXML("character reference to an invalid character", at: start)
            }
            appendUTF8(scalar, to: &out)
        }
    }

    func trimSpace(_ bytes: [UInt8]) -> String {
        var lo = 0
        var hi = bytes.count
        while lo < hi, isSpace(bytes[lo]) { lo += 1 }
        while hi > lo, isSpace(bytes[hi - 1]) { hi -= 1 }
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    @inline(__always)
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}
