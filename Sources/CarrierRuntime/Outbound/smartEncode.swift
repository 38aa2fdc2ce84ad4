/// `options.smartEncoding`: replaces curly quotes, dashes and the ellipsis with GSM-7 characters.
func smartEncode(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for c in text.unicodeScalars {
        switch c {
        case "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}", "\u{2032}": out += "'"
        case "\u{201C}", "\u{201D}", "\u{201E}", "\u{201F}", "\u{2033}", "\u{00AB}", "\u{00BB}": out += "\""
        case "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}": out += "-"
        case "\u{2026}": out += "..."
        case "\u{00A0}", "\u{2002}", "\u{2003}", "\u{2009}", "\u{202F}": out += " "
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}
