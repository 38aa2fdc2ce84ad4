/// One pass over an adapter table's JSON: checks its structure and finds `formatVersion` and, for each element
/// of `adapters`, its byte range and `id`. Nothing is decoded; a byte loop like this runs at memory speed.
struct AdapterTableIndex {
    struct Entry {
        var id: String
        var range: Range<Int>
    }

    var formatVersion: Int?
    var entries: [Entry] = []

    static func scan(_ bytes: [UInt8]) throws(AdapterTableError) -> AdapterTableIndex {
        let result: Result<AdapterTableIndex, AdapterTableError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(AdapterTableError) {
                return .success(try scan(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(AdapterTableError) -> AdapterTableIndex {
        var scanner = Scanner(bytes: bytes)
        var index = AdapterTableIndex()
        try scanner.skipSpace()
        try scanner.expect(UInt8(ascii: "{"))
        var first = true
        while true {
            try scanner.skipSpace()
            if try scanner.peek() == UInt8(ascii: "}") { break }
            if !first {
                try scanner.expect(UInt8(ascii: ","))
                try scanner.skipSpace()
            }
            first = false
            let key = try scanner.string()
            try scanner.skipSpace()
            try scanner.expect(UInt8(ascii: ":"))
            try scanner.skipSpace()
            switch key {
            case "formatVersion":
                let start = scanner.i
                try scanner.skipValue()
                index.formatVersion = Int(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<scanner.i]), as: UTF8.self))
            case "adapters":
                try scanner.expect(UInt8(ascii: "["))
                var firstElement = true
                while true {
                    try scanner.skipSpace()
                    if try scanner.peek() == UInt8(ascii: "]") {
                        scanner.i += 1
                        break
                    }
                    if !firstElement {
                        try scanner.expect(UInt8(ascii: ","))
                        try scanner.skipSpace()
                    }
                    firstElement = false
                    index.entries.append(try scanner.adapterEntry())
                }
            default:
                try scanner.skipValue()
            }
        }
        return index
    }

    /// A minimal JSON scanner over bytes: strings, nesting and skipping, with error positions.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        func fail(_ what: String) -> AdapterTableError {
            AdapterTableError(code: "bad-adapter-table", message: "not an adapter table: \(what) at byte \(i)")
        }

        func peek() throws(AdapterTableError) -> UInt8 {
            guard i < bytes.count else { throw fail("unexpected end") }
            return bytes[i]
        }

        mutating func skipSpace() throws(AdapterTableError) {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
                i += 1
            }
        }

        mutating func expect(_ byte: UInt8) throws(AdapterTableError) {
            guard try peek() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
            i += 1
        }

        /// A string's contents (escapes other than `\"` and `\\` are kept as written; ids have none).
        mutating func string() throws(AdapterTableError) -> String {
            try expect(UInt8(ascii: "\""))
            let start = i
            var escaped = false
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\\") {
                    escaped = true
                    i += 2
                    continue
                }
                if b == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                    i += 1
                    return escaped
                        ? text.replacingEscapes() : text
                }
                i += 1
            }
            throw fail("unterminated string")
        }

        /// Skips a string without building it.
        mutating func skipString() throws(AdapterTableError) {
            i += 1
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\\") {
                    i += 2
                } else if b == UInt8(ascii: "\"") {
                    i += 1
                    return
                } else {
                    i += 1
                }
            }
            throw fail("unterminated string")
        }

        /// Skips one value of any kind.
        mutating func skipValue() throws(AdapterTableError) {
            let b = try peek()
            if b == UInt8(ascii: "\"") {
                _ = try string()
                return
            }
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                var depth = 0
                while i < bytes.count {
                    let c = bytes[i]
                    if c == UInt8(ascii: "\"") {
                        try skipString()
                        continue
                    }
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                    if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            return
                        }
                    }
                    i += 1
                }
                throw fail("unbalanced brackets")
            }
            while i < bytes.count,
                ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09]
                    .contains(bytes[i])
            {
                i += 1
            }
        }

        /// One adapter object: its extent and its top-level `id`.
        mutating func adapterEntry() throws(AdapterTableError) -> Entry {
            let start = i
            try expect(UInt8(ascii: "{"))
            var id: String?
            var first = true
            while true {
                try skipSpace()
                if try peek() == UInt8(ascii: "}") {
                    i += 1
                    break
                }
                if !first {
                    try expect(UInt8(ascii: ","))
                    try skipSpace()
                }
                first = false
                let key = try string()
                try skipSpace()
                try expect(UInt8(ascii: ":"))
                try skipSpace()
                if key == "id" {
                    id = try string()
                } else {
                    try skipValue()
                }
            }
            guard let id else { throw fail("an adapter without an id") }
            return Entry(id: id, range: start..<i)
        }
    }
}

extension String {
    /// Undoes `\"` and `\\` (the only escapes an id can carry).
    fileprivate func replacingEscapes() -> String {
        var out = ""
        var escape = false
        for c in self {
            if escape {
                out.append(c)
                escape = false
            } else if c == "\\" {
                escape = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
