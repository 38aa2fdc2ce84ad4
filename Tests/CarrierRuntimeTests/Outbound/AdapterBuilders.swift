import CarrierCore

/// Terse builders for `Adapter` values, since tests do not go through the YAML compiler.
enum Build {
    /// A template; a template that does not parse becomes visible text so that the test fails loudly.
    static func t(_ source: String) -> Template {
        (try? Template.parse(source)) ?? Template(parts: [.text("<<unparsable template: \(source)>>")], source: source)
    }

    static func expr(_ source: String) -> TemplateExpression {
        (try? TemplateExpression.parse(source)) ?? TemplateExpression(variable: ["unparsable"], filters: [])
    }

    /// `key: "template"`, or `key?: "template"` when the key ends with `?`.
    static func f(_ key: String, _ source: String) -> BodyNode.Field {
        field(key, .template(t(source)))
    }

    static func field(_ key: String, _ value: BodyNode) -> BodyNode.Field {
        let optional = key.hasSuffix("?")
        return BodyNode.Field(key: optional ? String(key.dropLast()) : key, optional: optional, value: value)
    }

    static func object(_ fields: BodyNode.Field...) -> BodyNode { .object(fields) }

    static func setting(_ type: SettingSpec.Kind, default value: String? = nil) -> SettingSpec {
        SettingSpec(type: type, required: value == nil, default: value)
    }

    static func adapter(
        id: String = "test", channels: [String] = ["sms"], settings: [String: SettingSpec] = [:],
        auth: AuthRule = AuthRule(), method: String = "POST", url: String, headers: [(String, String)] = [],
        format: SendRule.Format, body: BodyTemplate? = nil, variants: [SendRule.Variant] = [],
        options: Options = Options(), limits: Limits = Limits()
    ) -> Adapter {
        Adapter(
            id: id, name: id, channels: channels, limits: limits, options: options, settings: settings, auth: auth,
            send: SendRule(
                method: method, url: t(url), headers: headers.map { SendRule.Header(name: $0.0, value: t($0.1)) },
                format: format, body: body, variants: variants, origin: "carriers/\(id)/carrier.yaml:10:1"),
            origin: "carriers/\(id)/carrier.yaml:1:1")
    }

    static func basicAuth(_ user: String, _ password: String) -> AuthRule {
        var a = AuthRule()
        a.type = .basic
        a.username = t(user)
        a.password = t(password)
        return a
    }

    static func bearer(_ token: String) -> AuthRule {
        var a = AuthRule()
        a.type = .bearer
        a.token = t(token)
        return a
    }

    /// `header`, `query` or `body` auth.
    static func named(_ type: AuthRule.Kind, _ name: String, _ value: String) -> AuthRule {
        var a = AuthRule()
        a.type = type
        a.name = name
        a.value = t(value)
        return a
    }
}
