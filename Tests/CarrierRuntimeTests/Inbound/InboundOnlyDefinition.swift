import CarrierCore

/// Compiles a minimal SMS carrier `acme` whose `inbound` section is `format` plus one message rule with `fields`
/// (a YAML flow mapping), for tests of one inbound feature.
func compileInboundOnlyDefinition(format: String, fields: String) -> CompilationResult {
    let yaml = """
        formatVersion: 1
        id: acme
        name: Acme
        channels: [sms]
        send: { url: "https://acme.test/send", format: none }
        inbound:
          format: \(format)
          events:
            - type: message
              fields: \(fields)
        """
    return compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
}
