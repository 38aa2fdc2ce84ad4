extension ChannelRecord {
    /// The channel as the API shows it: `literal:` values and plain values of secret settings become `***`;
    /// `env:` and `file:` references are shown, since they name where a secret lives, not the secret.
    func redacted(gateway: any CarrierGateway) -> ChannelRecord {
        let secrets = gateway.secretSettings(carrier: provider)
        var copy = self
        for (name, value) in settings {
            if value.hasPrefix("literal:") {
                copy.settings[name] = "literal:***"
            } else if secrets.contains(name), !value.hasPrefix("env:"), !value.hasPrefix("file:") {
                copy.settings[name] = "***"
            }
        }
        return copy
    }
}
