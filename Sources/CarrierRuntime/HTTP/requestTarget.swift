import Foundation

/// The request target of an absolute URL: everything after the host (`/v1/messages?x=1`), or `/` when there is
/// nothing; a text without `://` is returned as it is. What hmac's `request.path` and MessageMedia's signed request
/// line read.
func requestTarget(of url: String) -> String {
    guard let scheme = url.range(of: "://") else { return url }
    let afterHost = url[scheme.upperBound...].firstIndex { $0 == "/" || $0 == "?" }
    guard let afterHost else { return "/" }
    let rest = String(url[afterHost...])
    return rest.hasPrefix("?") ? "/" + rest : rest
}
