import CarrierCore
import Foundation

extension ValueExtractor {
    /// The extracted text, or nil when nothing is there (and no default).
    ///
    /// - Parameter rawBody: the body as text, for a `regex` with no path.
    func string(in context: PayloadContext, rawBody: String? = nil) throws(PayloadError) -> String? {
        var text: String? = value ?? composed(in: context)
        if text == nil {
            for path in paths {
                if let v = path.first(in: context), let t = v.text, !t.isEmpty || paths.count == 1 {
                    text = t
                    break
                }
            }
        }
        if text == nil, paths.isEmpty, regex != nil { text = rawBody }
        if let regex, let t = text { text = RegexCache.capture(regex, in: t) }
        if let prefix = stripPrefix, let t = text, t.hasPrefix(prefix) { text = String(t.dropFirst(prefix.count)) }
        if var t = text {
            var encoding = self.encoding
            if let selector = encodingFrom, let key = selector.path.first(in: context)?.text {
                encoding = selector.map[key]
            }
            if let encoding, encoding != "utf-8" { t = try decodeText(t, encoding: encoding) }
            if let format, !t.isEmpty { t = try parseTimestamp(t, format: format, zone: zone) }
            text = t
        }
        return text ?? self.default
    }

    /// The `compose` text with every `{path}` filled in; nil when there is none or a path has no value.
    func composed(in context: PayloadContext) -> String? {
        guard let compose, let segments = try? ComposedValue.parse(compose) else { return nil }
        var text = ""
        for segment in segments {
            switch segment {
            case .literal(let literal): text += literal
            case .path(let path):
                guard let value = path.first(in: context)?.text, !value.isEmpty else { return nil }
                text += value
            }
        }
        return text
    }

    /// The `compose` text once per item. Paths with `[*]` that share everything up to it
    /// (`attachments[*].content_type`, `attachments[*].content`) are read item by item, and an item that lacks a
    /// value is left out; without such paths it is the single ``composed(in:)`` text.
    func composedList(in context: PayloadContext) -> [String] {
        guard let compose, let segments = try? ComposedValue.parse(compose) else { return [] }
        let paths = segments.compactMap { segment -> PathExpression? in
            if case .path(let path) = segment { return path }
            return nil
        }
        let fanned = paths.filter(\.hasWildcard)
        guard let first = fanned.first, let star = first.components.firstIndex(of: .wildcard) else {
            return composed(in: context).map { [$0] } ?? []
        }
        let prefix = Array(first.components[...star])
        guard fanned.allSatisfy({ $0.anchor == first.anchor && Array($0.components.prefix(prefix.count)) == prefix })
        else { return composed(in: context).map { [$0] } ?? [] }
        let items = PathExpression(anchor: first.anchor, components: prefix, text: "").eachItems(in: context)
        return items.compactMap { item in
            var text = ""
            for segment in segments {
                switch segment {
                case .literal(let literal): text += literal
                case .path(let path):
                    let value =
                        path.hasWildcard
                        ? PathExpression(
                            anchor: .current, components: Array(path.components.dropFirst(prefix.count)), text: ""
                        ).first(in: item)
                        : path.first(in: context)
                    guard let value = value?.text, !value.isEmpty else { return nil }
                    text += value
                }
            }
            return text
        }
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
