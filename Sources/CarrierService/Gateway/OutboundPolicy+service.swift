public import CarrierCore
public import CarrierRuntime
import Foundation

extension OutboundPolicy {
    /// The policy of `carrier serve`: the hosts the definitions name (their `url` settings' defaults and the literal
    /// hosts of their send URLs) plus the configuration's `carrierHosts`; internal addresses only when
    /// `allowPrivateCarrierTargets` is on.
    public static func service(table: AdapterTable, configuration: ServiceConfiguration) -> OutboundPolicy {
        OutboundPolicy(
            allowedHosts: definitionHosts(table).union(configuration.carrierHosts.map { $0.lowercased() }),
            allowInternalAddresses: configuration.allowPrivateCarrierTargets)
    }

    /// The hosts the table's definitions name.
    static func definitionHosts(_ table: AdapterTable) -> Set<String> {
        var hosts: Set<String> = []
        func add(_ url: String) {
            guard let host = URLComponents(string: url)?.host, !host.isEmpty else { return }
            hosts.insert(host.lowercased())
        }
        func add(_ template: Template) {
            guard case .text(let text) = template.parts.first, text.contains("://") else { return }
            // Only a host written out in full: `https://api.example.com/` or `https://api.example.com` alone.
            let afterScheme = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
            if afterScheme.count == 3 || template.parts.count == 1 { add(text) }
        }
        for adapter in table.adapters {
            for spec in adapter.settings.values where spec.type == .url {
                if let value = spec.default { add(value) }
            }
            add(adapter.send.url)
            for variant in adapter.send.variants { if let url = variant.url { add(url) } }
        }
        return hosts
    }
}
