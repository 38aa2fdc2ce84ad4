public import CarrierCore
import Foundation

/// Types the settings a carrier declares from the channel's resolved values, filling in defaults.
///
/// A required setting with neither a value nor a default is `missing-setting`; an `integer` or `boolean`
/// setting whose value does not parse is `bad-setting`. Values for undeclared names are ignored.
public func resolveSettings(_ values: [String: String], for adapter: Adapter) throws(RenderError)
    -> [String: TemplateValue]
{
    var resolved: [String: TemplateValue] = [:]
    for name in adapter.settings.keys.sorted() {
        guard let spec = adapter.settings[name] else { continue }
        guard let text = values[name] ?? spec.default else {
            if spec.required {
                throw RenderError(
                    code: "missing-setting",
                    message: "carrier '\(adapter.id)' needs setting '\(name)'"
                        + (spec.description.map { " (\($0))" } ?? ""),
                    origin: adapter.origin)
            }
            resolved[name] = .null
            continue
        }
        switch spec.type {
        case .string, .secret, .url:
            resolved[name] = .string(text)
        case .integer:
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw RenderError(
                    code: "bad-setting", message: "setting '\(name)' must be an integer", origin: adapter.origin)
            }
            resolved[name] = .integer(n)
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes": resolved[name] = .bool(true)
            case "false", "0", "no": resolved[name] = .bool(false)
            default:
                throw RenderError(
                    code: "bad-setting", message: "setting '\(name)' must be true or false", origin: adapter.origin)
            }
        }
    }
    return resolved
}
