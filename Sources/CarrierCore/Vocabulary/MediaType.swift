internal import Foundation

/// MIME media types (`type/subtype`) as definitions list them in `limits.mediaTypes` and messages carry them.
///
/// Types compare case-insensitively (RFC 6838), so every function here returns lower-cased text.
public enum MediaType {
    /// The type without parameters, lower-cased (`Image/JPEG; q=1` gives `image/jpeg`); nil when it is not
    /// `type/subtype` with RFC 6838 names.
    public static func essence(_ text: String) -> String? {
        let bare = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let type = bare.trimmingCharacters(in: .whitespaces).lowercased()
        return isValid(type, wildcard: false) ? type : nil
    }

    /// Whether `text` is `type/subtype` with RFC 6838 restricted names and no parameters; with `wildcard`, the
    /// subtype may be `*` (`image/*`).
    public static func isValid(_ text: String, wildcard: Bool) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, isRestrictedName(parts[0]) else { return false }
        return isRestrictedName(parts[1]) || (wildcard && parts[1] == "*")
    }

    /// Whether `type` is one of `allowed`, exactly or through a wildcard entry such as `image/*`.
    public static func isAllowed(_ type: String, by allowed: [String]) -> Bool {
        let type = type.lowercased()
        return allowed.contains { entry in
            entry == type || (entry.hasSuffix("/*") && type.hasPrefix(entry.dropLast()))
        }
    }

    /// The type a URL's file extension suggests (the path's last segment, query and fragment left out); nil for an
    /// extension not in ``byExtension`` or a URL without one.
    public static func inferred(fromURL url: String) -> String? {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        rest = rest.prefix { $0 != "?" && $0 != "#" }
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let name = rest[slash...].split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: "."), name.index(after: dot) < name.endIndex else { return nil }
        return byExtension[name[name.index(after: dot)...].lowercased()]
    }

    /// File extensions of the media carriers commonly take, and their types. Deliberately small and fixed: an
    /// extension not here gives an unknown type, which only `limits.strictMediaTypes` refuses.
    public static let byExtension: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
        "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff", "heic": "image/heic",
        "mp4": "video/mp4", "m4v": "video/mp4", "3gp": "video/3gpp", "mov": "video/quicktime", "webm": "video/webm",
        "mpeg": "video/mpeg", "mpg": "video/mpeg",
        "mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac", "ogg": "audio/ogg", "opus": "audio/ogg",
        "amr": "audio/amr", "wav": "audio/wav",
        "pdf": "application/pdf", "vcf": "text/vcard", "ics": "text/calendar", "txt": "text/plain",
        "csv": "text/csv", "rtf": "text/rtf",
        "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ]

    /// 1 to 127 of `A-Za-z0-9!#$&-^_.+`, starting with a letter or digit (RFC 6838 section 4.2).
    private static func isRestrictedName(_ name: Substring) -> Bool {
        guard (1...127).contains(name.utf8.count), let first = name.utf8.first, isAlphanumeric(first) else {
            return false
        }
        return name.utf8.allSatisfy { isAlphanumeric($0) || "!#$&-^_.+".utf8.contains($0) }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
