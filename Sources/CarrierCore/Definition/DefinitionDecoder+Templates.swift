extension DefinitionDecoder {
    /// Parses and checks a template: syntax, variables available in `place`, filters and their arguments.
    func template(
        _ node: YAMLNode, _ what: String, place: TemplateCatalog.Place, inEach: Bool = false
    ) -> Template? {
        guard let text = string(node, what) else { return nil }
        let parsed: Template
        do {
            parsed = try Template.parse(text)
        } catch {
            self.error(
                "bad-template", "bad template in \(what): \(error.message)", at: rangeInside(node, offset: error.offset)
            )
            return nil
        }
        var ok = true
        for expression in parsed.expressions where !check(expression, node, place: place, inEach: inEach) {
            ok = false
        }
        return ok ? parsed : nil
    }

    /// Parses and checks a `when:` or `$each:` expression (no braces).
    func expression(
        _ node: YAMLNode, _ what: String, place: TemplateCatalog.Place, inEach: Bool = false
    ) -> TemplateExpression? {
        guard let text = string(node, what) else { return nil }
        do {
            let e = try TemplateExpression.parse(text)
            return check(e, node, place: place, inEach: inEach) ? e : nil
        } catch {
            self.error(
                "bad-template", "bad expression in \(what): \(error.message)",
                at: rangeInside(node, offset: error.offset))
            return nil
        }
    }

    /// Reports unknown or unavailable variables and bad filters; returns true when the expression is fine.
    func check(_ e: TemplateExpression, _ node: YAMLNode, place: TemplateCatalog.Place, inEach: Bool) -> Bool {
        let at = rangeInside(node, offset: e.offset)
        var ok = true
        let name = e.variable.joined(separator: ".")
        switch TemplateCatalog.lookup(
            e.variable, in: place, settings: settingNames, inEach: inEach, eachOverMedia: inEach && inMediaEach)
        {
        case .ok:
            break
        case .unknown:
            var message = "unknown variable '\(name)'"
            if let guess = name.closest(in: TemplateCatalog.allVariableNames(settings: settingNames)) {
                message += " (did you mean '\(guess)'?)"
            }
            error("unknown-variable", message, at: at)
            ok = false
        case .notAvailable:
            let where_ =
                switch place {
                case .send: "send templates"
                case .authMessage: "auth.message"
                case .inbound: "inbound templates"
                }
            var message = "variable '\(name)' is not available in \(where_)"
            if e.variable.first == "item", e.variable.count == 2 { message += " (only inside $each: message.media)" }
            error("variable-not-available", message, at: at)
            ok = false
        case .undeclaredSetting(let setting):
            var message = "template refers to setting '\(setting)', which is not declared under 'settings'"
            if let guess = setting.closest(in: settingNames) { message += " (did you mean '\(guess)'?)" }
            error("undeclared-setting", message, at: at)
            ok = false
        }
        if let bytes = e.filters.firstIndex(where: { $0.kind == .utf16be }) {
            let after = e.filters[(bytes + 1)...]
            if after.contains(where: { $0.kind != .url }) || after.count > 1 {
                error("bad-template", "filter 'utf16be' gives bytes; only one 'url' may follow it", at: at)
                ok = false
            } else if after.isEmpty && !rawBytesAllowed {
                error(
                    "bad-template",
                    "filter 'utf16be' gives raw bytes, which only form and query values and text bodies carry; add "
                        + "'| url' to percent-escape them here", at: at)
                ok = false
            }
        }
        for filter in e.filters {
            guard let kind = filter.kind else {
                var message = "unknown filter '\(filter.name)'"
                if let guess = filter.name.closest(in: TemplateFilter.names) {
                    message += " (did you mean '\(guess)'?)"
                }
                error("unknown-filter", message, at: at)
                ok = false
                continue
            }
            guard kind.accepts(filter.argument) else {
                error("bad-filter-argument", "filter '\(filter.name)' takes \(kind.expectedArgument)", at: at)
                ok = false
                continue
            }
            if let problem = kind.argumentProblem(filter.argument) {
                error("bad-filter-argument", problem, at: at)
                ok = false
            }
            if case .variable(let path)? = filter.argument {
                let argument = TemplateExpression(variable: path, filters: [], offset: e.offset)
                if !check(argument, node, place: place, inEach: inEach) { ok = false }
            }
        }
        return ok
    }
}
