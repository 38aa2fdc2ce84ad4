internal import CLibYAML

/// Reads YAML text into a ``YAMLNode`` tree through libyaml, keeping 1-based positions.
///
/// Owns one `yaml_parser_t` for the duration of one ``read(_:file:)`` call. Problems that libyaml accepts but a
/// carrier definition must not contain (duplicate keys, several documents) are reported as diagnostics too.
final class YAMLReader {
    private var parser = yaml_parser_t()
    private let file: String
    /// libyaml does not copy its input: the bytes must outlive the parse.
    private let bytes: [UInt8]
    private var anchors: [String: YAMLNode] = [:]
    private(set) var diagnostics: [Diagnostic] = []

    private init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    deinit {
        yaml_parser_delete(&parser)
    }

    /// Parses `bytes`; returns the root node (nil when the input has errors or no document) and every problem found.
    static func read(_ bytes: [UInt8], file: String) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
        if let bad = firstInvalidUTF8(bytes) {
            let position = positionOfByte(bad, in: bytes)
            let range = SourceRange(file: file, start: position, end: position)
            return (
                nil,
                [
                    .error(
                        "invalid-utf8",
                        "file is not valid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))", at: range)
                ]
            )
        }
        let reader = YAMLReader(bytes: bytes, file: file)
        let root = reader.parseStream()
        return (root, reader.diagnostics)
    }

    // MARK: - Events

    private struct Event {
        var type: yaml_event_type_t
        var start: TextPosition
        var end: TextPosition
        var anchor: String?
        var tag: String?
        var value: String
        var style: YAMLNode.ScalarStyle
    }

    private func nextEvent() -> Event? {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else {
            reportParserError()
            return nil
        }
        defer { yaml_event_delete(&event) }
        var result = Event(
            type: event.type, start: position(event.start_mark), end: position(event.end_mark), anchor: nil, tag: nil,
            value: "", style: .plain)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            result.anchor = string(s.anchor)
            result.tag = string(s.tag)
            if let p = s.value {
                result.value = String(decoding: UnsafeBufferPointer(start: p, count: s.length), as: UTF8.self)
            }
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: result.style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: result.style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: result.style = .literal
            case YAML_FOLDED_SCALAR_STYLE: result.style = .folded
            default: result.style = .plain
            }
        case YAML_MAPPING_START_EVENT:
            result.anchor = string(event.data.mapping_start.anchor)
            result.tag = string(event.data.mapping_start.tag)
        case YAML_SEQUENCE_START_EVENT:
            result.anchor = string(event.data.sequence_start.anchor)
            result.tag = string(event.data.sequence_start.tag)
        case YAML_ALIAS_EVENT:
            result.anchor = string(event.data.alias.anchor)
        default:
            break
        }
        return result
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    /// The one place where libyaml's 0-based marks become 1-based positions.
    private func position(_ mark: yaml_mark_t) -> TextPosition {
        TextPosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func reportParserError() {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let mark = parser.problem_mark
        let at = position(mark)
        var code = "yaml-syntax"
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message = "\(problem) (\(context))"
        }
        if Int(mark.index) < bytes.count, bytes[Int(mark.index)] == 0x09 {
            code = "yaml-tab"
            message = "tab character where YAML expects spaces (indent with spaces)"
        } else if problem.contains("tab") {
            code = "yaml-tab"
            message = "tab character where YAML expects spaces (indent with spaces)"
        }
        var notes: [Diagnostic.Note] = []
        if parser.context != nil, code == "yaml-syntax" {
            let c = position(parser.context_mark)
            if c != at {
                notes.append(
                    .init(message: "the construct started here", range: SourceRange(file: file, start: c, end: c)))
            }
        }
        diagnostics.append(.error(code, message, at: SourceRange(file: file, start: at, end: at), notes: notes))
    }

    // MARK: - Composition

    private func parseStream() -> YAMLNode? {
        yaml_parser_initialize(&parser)
        return bytes.withUnsafeBufferPointer { buffer -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            guard let start = nextEvent(), start.type == YAML_STREAM_START_EVENT else { return nil }
            var root: YAMLNode? = nil
            var documents = 0
            while let event = nextEvent() {
                if event.type == YAML_STREAM_END_EVENT { break }
                guard event.type == YAML_DOCUMENT_START_EVENT else { return nil }
                documents += 1
                guard let first = nextEvent() else { return nil }
                guard let node = compose(first) else { return nil }
                guard let end = nextEvent(), end.type == YAML_DOCUMENT_END_EVENT else { return nil }
                if documents == 1 {
                    root = node
                } else {
                    diagnostics.append(
                        .error(
                            "multiple-documents", "a carrier definition holds one YAML document; found another here",
                            at: node.range))
                }
            }
            if documents == 0 || root?.isNull == true && root?.range.start == root?.range.end {
                let here = TextPosition(line: 1, column: 1)
                diagnostics.append(
                    .error(
                        "empty-file", "the file holds no definition",
                        at: SourceRange(file: file, start: here, end: here)))
                return nil
            }
            return root
        }
    }

    private func compose(_ event: Event) -> YAMLNode? {
        switch event.type {
        case YAML_SCALAR_EVENT:
            let node = YAMLNode(
                kind: .scalar(event.value, event.style), range: range(event.start, event.end), tag: event.tag)
            remember(event.anchor, node)
            return node
        case YAML_ALIAS_EVENT:
            let name = event.anchor ?? ""
            guard let target = anchors[name] else {
                diagnostics.append(
                    .error(
                        "unknown-anchor", "alias '*\(name)' refers to no anchor defined before it",
                        at: range(event.start, event.end)))
                return YAMLNode(kind: .scalar("", .plain), range: range(event.start, event.end), tag: nil)
            }
            return target
        case YAML_SEQUENCE_START_EVENT:
            var items: [YAMLNode] = []
            while let next = nextEvent() {
                if next.type == YAML_SEQUENCE_END_EVENT {
                    let node = YAMLNode(kind: .sequence(items), range: range(event.start, next.end), tag: event.tag)
                    remember(event.anchor, node)
                    return node
                }
                guard let item = compose(next) else { return nil }
                items.append(item)
            }
            return nil
        case YAML_MAPPING_START_EVENT:
            var pairs: [YAMLNode.Pair] = []
            var seen: [String: YAMLNode] = [:]
            while let next = nextEvent() {
                if next.type == YAML_MAPPING_END_EVENT {
                    let node = YAMLNode(kind: .mapping(pairs), range: range(event.start, next.end), tag: event.tag)
                    remember(event.anchor, node)
                    return node
                }
                guard let key = compose(next), let valueEvent = nextEvent(), let value = compose(valueEvent) else {
                    return nil
                }
                if let name = key.scalar {
                    if let first = seen[name] {
                        diagnostics.append(
                            .error(
                                "duplicate-key", "duplicate key '\(name)'", at: key.range,
                                notes: [.init(message: "first defined here", range: first.range)]))
                        continue
                    }
                    seen[name] = key
                }
                pairs.append(YAMLNode.Pair(key: key, value: value))
            }
            return nil
        default:
            return nil
        }
    }

    private func remember(_ anchor: String?, _ node: YAMLNode) {
        if let anchor { anchors[anchor] = node }
    }

    private func range(_ start: TextPosition, _ end: TextPosition) -> SourceRange {
        SourceRange(file: file, start: start, end: end)
    }

    // MARK: - UTF-8 check

    /// Index of the first byte that is not part of valid UTF-8, or nil.
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            if b & 0xE0 == 0xC0, b >= 0xC2 {
                length = 2
            } else if b & 0xF0 == 0xE0 {
                length = 3
            } else if b & 0xF8 == 0xF0, b <= 0xF4 {
                length = 4
            } else {
                return i
            }
            guard i + length <= n else { return i }
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            if length == 3 {
                let cp = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6)
                if cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) { return i }
            }
            if length == 4 {
                let cp = (UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12)
                if cp < 0x10000 || cp > 0x10FFFF { return i }
            }
            i += length
        }
        return nil
    }

    /// 1-based line and column (in Unicode scalars) of byte `index`.
    private static func positionOfByte(_ index: Int, in bytes: [UInt8]) -> TextPosition {
        var line = 1
        var column = 1
        var i = 0
        while i < index {
            if bytes[i] == 0x0A {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return TextPosition(line: line, column: column)
    }
}
