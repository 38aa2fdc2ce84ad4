import CarrierCore
import Foundation

extension ValueExtractor {
    /// The extracted text, or nil when nothing is there (and no default).
    ///
    /// - Parameter rawBody: the body as text, for a `regex` with no path.
    func string(in context: PayloadContext, rawBody: String? = nil) throws(PayloadError) -> String? {
        var text: String? = value ?? composed(in: context)
        var wire: [UInt8]?
        if text == nil {
            for path in paths {
                if let v = path.first(in: context), let t = v.text, !t.isEmpty || paths.count == 1 {
                    text = t
                    if let key = path.topLevelKey { wire = context.wireBytes?[key] }
                    break
                }
            }
        }
        if text == nil, paths.isEmpty, regex != nil { text = rawBody }
        if let regex, let t = text {
            text = RegexCache.capture(regex, in: t)
            wire = nil
        }
        if let prefix = stripPrefix, let t = text, t.hasPrefix(prefix) {
            text = String(t.dropFirst(prefix.count))
            wire = nil
        }
        if var t = text {
            var encoding = self.encoding
            if let selector = encodingFrom, let key = selector.path.first(in: context)?.text {
                encoding = selector.map[key]
            }
            if let encoding, encoding != .utf8 {
                // A form value was percent-decoded by the parser: byte encodings read those bytes, not the text.
                if encoding.readsBytes, let wire {
                    t = try decodeBytes(wire, as: encoding)
                } else {
                    t = try decodeText(t, encoding: encoding)
                }
            }
            if let format, !t.isEmpty { t = try parseTimestamp(t, format: format, zone: zone ?? .utc) }
            text = t
        }
        return text ?? self.default
    }

    /// The `compose` text with every `{path}` filled in; nil when there is none or a path has no value.
    func composed(in context: PayloadContext) -> String? {
        guard let compose else { return nil }
        return Self.fill(compose.segments) { path in path.first(in: context) }
    }

    /// The `compose` text once per item of ``ComposedValue/items`` (paths through it are read within the item; an
    /// item that lacks a value is left out), or the single ``composed(in:)`` text when the paths share no `[*]`.
    func composedList(in context: PayloadContext) -> [String] {
        guard let compose else { return [] }
        guard let items = compose.items else { return composed(in: context).map { [$0] } ?? [] }
        let depth = items.components.count
        return items.eachItems(in: context).compactMap { item in
            Self.fill(compose.segments) { path in
                guard path.hasWildcard else { return path.first(in: context) }
                let inside = PathExpression(
                    anchor: .current, components: Array(path.components.dropFirst(depth)), text: "")
                return inside.first(in: item)
            }
        }
    }

    /// The segments with each path's value (from `value(of:)`); nil when one is missing or empty.
    private static func fill(_ segments: [ComposedValue.Segment], value: (PathExpression) -> PayloadValue?) -> String? {
        var text = ""
        for segment in segments {
            switch segment {
            case .literal(let literal): text += literal
            case .path(let path):
                guard let found = value(path)?.text, !found.isEmpty else { return nil }
                text += found
            }
        }
        return text
    }

    /// A list of texts: the `compose` texts when they have all their values, numbered fields (`MediaUrl{n}`), or
    /// every value the paths select.
    func list(in context: PayloadContext) -> [String] {
        let composed = composedList(in: context)
        if !composed.isEmpty { return composed }
        if let numbered {
            let count = self.count.flatMap { $0.first(in: context)?.text }.flatMap { Int($0) } ?? 0
            var result: [String] = []
            var head = numbered
            var tail = ""
            if let marker = numbered.firstRange(of: "{n}") {
                head = String(numbered[..<marker.lowerBound])
                tail = String(numbered[marker.upperBound...])
            }
            for n in 0..<max(0, min(count, 100)) {
                let key = head + String(n) + tail
                if let v = PathExpression(anchor: .current, components: [.key(key)], text: key).first(in: context)?.text
                {
                    result.append(v)
                }
            }
            return result
        }
        var result: [String] = []
        for path in paths {
            for v in path.select(in: context) {
                if case .array(let items) = v {
                    result += items.compactMap(\.text)
                } else if let t = v.text, !t.isEmpty {
                    result.append(t)
                }
            }
            if !result.isEmpty { break }
        }
        return result
    }
}
