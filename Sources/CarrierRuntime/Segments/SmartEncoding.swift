import CarrierCore

/// Replacements applied before counting when a carrier sets `options.smartEncoding: true`.
///
/// Each entry turns a typographic character that is not in the GSM-7 alphabet into a plain one that is,
/// so that text pasted from word processors stays GSM-7 (160 characters per SMS) instead of
/// falling back to UCS-2 (70):
///
/// | From | To |
/// |---|---|
/// | ‘ ’ ‚ ‛ ′ ‹ › ʼ ＇ (single quotes, prime, single guillemets) | `'` |
/// | “ ” „ ‟ ″ « » ＂ (double quotes, double prime, guillemets) | `"` |
/// | ‐ ‑ ‒ – — ― − ⁃ (hyphens, en/em dash, minus sign) | `-` |
/// | … (ellipsis) | `...` |
/// | no-break space, en/em/thin/hair/figure spaces, narrow no-break space, ideographic space | space |
/// | ⁄ ∕ (fraction and division slash) | `/` |
/// | ˆ (modifier circumflex) | `^` |
/// | ˜ (small tilde) | `~` |
/// | • (bullet) | `-` |
/// | soft hyphen, zero-width space, word joiner, byte order mark | removed |
///
/// Only these characters change; everything else (including emoji and the zero-width joiner inside emoji
/// sequences) is kept as is, so a text that still
/// has non-GSM characters after substitution is sent as UCS-2.
enum SmartEncoding {
    static let replacements: [Unicode.Scalar: String] = {
        var table: [Unicode.Scalar: String] = [:]
        func map(_ scalars: String, to replacement: String) {
            for scalar in scalars.unicodeScalars { table[scalar] = replacement }
        }
        map("\u{2018}\u{2019}\u{201A}\u{201B}\u{2032}\u{2039}\u{203A}\u{02BC}\u{FF07}", to: "'")
        map("\u{201C}\u{201D}\u{201E}\u{201F}\u{2033}\u{00AB}\u{00BB}\u{FF02}", to: "\"")
        map("\u{2010}\u{2011}\u{2012}\u{2013}\u{2014}\u{2015}\u{2212}\u{2043}\u{2022}", to: "-")
        map("\u{2026}", to: "...")
        map(
            "\u{00A0}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200A}"
                + "\u{202F}\u{205F}\u{3000}",
            to: " ")
        map("\u{2044}\u{2215}", to: "/")
        map("\u{02C6}", to: "^")
        map("\u{02DC}", to: "~")
        map("\u{00AD}\u{200B}\u{2060}\u{FEFF}", to: "")
        return table
    }()

    /// Returns `text` with every character of the table above replaced.
    static func apply(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let replacement = replacements[scalar] {
                output.append(contentsOf: replacement.unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }
}
