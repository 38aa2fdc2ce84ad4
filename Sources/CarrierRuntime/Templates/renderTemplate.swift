public import CarrierCore

/// How values are escaped where a template's expressions land.
public enum TemplateEscaping: Sendable, Hashable {
    /// As they are (URLs, headers, text bodies).
    case none
    /// `application/x-www-form-urlencoded` (form and query values).
    case form
    /// RFC 3986 percent-encoding (space as `%20`).
    case url
    /// Each expression becomes a JSON value: strings quoted, numbers and lists typed.
    case json
    /// XML-escaped.
    case xml
}

/// Renders a text template: literal text as it is, each expression's value escaped for `escaping`.
///
/// In `.json` mode an expression whose last filter is `json` is inserted as it is, since it is already JSON.
public func render(_ template: Template, in context: TemplateContext, escaping: TemplateEscaping = .none)
    throws(RenderError) -> String
{
    var out = ""
    for part in template.parts {
        switch part {
        case .text(let t):
            out += t
        case .expression(let e):
            let value = try evaluate(e, in: context)
            switch escaping {
            case .none: out += value.text
            case .form: out += WireEscaping.form(value)
            case .url: out += WireEscaping.url(value)
            case .xml: out += WireEscaping.xml(value.text)
            case .json:
                if e.filters.last?.name == "json" {
                    out += value.text
                } else {
                    out += value.jsonText
                }
            }
        }
    }
    return out
}

/// Renders a text template as bytes, with no escaping: literal text as UTF-8, `.bytes` values (`utf16be`) as they
/// are, other values as UTF-8 text. For `format: text` bodies, which may carry raw UTF-16BE.
public func renderBytes(_ template: Template, in context: TemplateContext) throws(RenderError) -> [UInt8] {
    var out: [UInt8] = []
    for part in template.parts {
        switch part {
        case .text(let t): out += t.utf8
        case .expression(let e): out += try evaluate(e, in: context).wireBytes
        }
    }
    return out
}
