internal import CLibCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves a host name the way the transport will and says whether any of its addresses is internal (loopback,
/// private, link-local, ...: the same test as the transport's open-socket callback). For checking a URL a client
/// gives (webhook targets) before storing it; the transport checks again at connect time, so a name that changes
/// its answer later is still refused.
public enum HostAddresses {
    public enum Resolution: Sendable, Equatable {
        /// The name has no address (or the resolver failed).
        case unresolvable
        /// Every address is public.
        case publicOnly
        /// At least one address is internal.
        case internalAddress
    }

    /// Resolves `host` (a name, an IPv4 address, or an IPv6 address with or without brackets). Blocks while the
    /// system resolver works.
    public static func resolve(_ host: String) -> Resolution {
        var name = host
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return .unresolvable }
        defer { freeaddrinfo(first) }
        var found = false
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                found = true
                if CLibCurl_address_is_internal(address) != 0 { return .internalAddress }
            }
            cursor = entry.pointee.ai_next
        }
        return found ? .publicOnly : .unresolvable
    }
}
