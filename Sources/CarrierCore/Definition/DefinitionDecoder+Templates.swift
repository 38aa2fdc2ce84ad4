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
        switch TemplateCatalog.lookup(e.variable, in: place, settings: settingNames, inEach: inEach) {
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
            error("variable-not-available", "variable '\(name)' is not available in \(where_)", at: at)
            ok = false
        case .undeclaredSetting(let setting):
            var message = "template refers to setting '\(setting)', which is not declared under 'settings'"
            if let guess = setting.closest(in: settingNames) { message += " (did you mean '\(guess)'?)" }
            error("undeclared-setting", message, at: at)
            ok = false
        }
        for filter in e.filters {
            guard let kind = TemplateCatalog.filters[filter.name] else {
                var message = "unknown filter '\(filter.name)'"
                if let guess = filter.name.closest(in: TemplateCatalog.filters.keys.sorted()) {
                    message += " (did you mean '\(guess)'?)"
                }
                error("unknown-filter", message, at: at)
                ok = false
                continue
            }
            let fits: Bool
            switch (kind, filter.argument) {
            case (.none, nil), (.string, .string?), (.integer, .integer?): fits = true
            default: fits = false
            }
            if fits, filter.name == "map", case .string(let argument)? = filter.argument,
                TemplateCatalog.mapPairs(argument) == nil
            {
                error("bad-filter-argument", "filter 'map' takes pairs like \"gsm7=text,ucs2=unicode\"", at: at)
                ok = false
            }
            if !fits {
                let expected =
                    switch kind {
                    case .none: "no argument"
                    case .string: "a quoted string argument"
                    case .integer: "an integer argument"
                    }
                error("bad-filter-argument", "filter '\(filter.name)' takes \(expected)", at: at)
                ok = false
            }
        }
        return ok
    }
}
