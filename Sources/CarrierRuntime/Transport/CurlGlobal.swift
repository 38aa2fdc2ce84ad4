import CLibCurl
import CarrierCore

/// Process-wide libcurl setup.
enum CurlGlobal {
    /// Whether `curl_global_init` succeeded. Evaluated once, on first use, before any handle exists
    /// (Swift runs a global initializer exactly once, thread-safely).
    static let initialized: Bool = {
        // CURL_GLOBAL_ALL (SSL | WIN32); the macro is not importable into Swift.
        curl_global_init(3) == CURLE_OK
    }()
}
