import CarrierCore

/// Counting and splitting SMS text by the GSM 03.38 rules.
///
/// A text is GSM-7 when every Unicode scalar is in the basic or extension table, else UCS-2.
/// A single part holds 160 septets (GSM-7) or 70 UTF-16 code units (UCS-2); once a message needs more,
/// each part holds 153 or 67 because a 6-byte concatenation header (UDH) takes the rest.
///
/// Parts are packed greedily and never cut an extension character away from its escape (a 2-septet
/// unit) or a surrogate pair (a 2-code-unit unit), so a part may hold one unit less than
/// `perSegment`. The segment count is the number of parts this packing produces, so it can be one
/// more than `ceil(units / perSegment)` for such texts.
///
/// An empty text counts as one GSM-7 segment of zero units, as the Twilio segment calculator does,
/// and ``splitSegments(_:smartEncoding:)`` returns one empty part for it.
enum SegmentCounter {
    static let gsm7SinglePart = 160
    static let gsm7MultiPart = 153
    static let ucs2SinglePart = 70
    static let ucs2MultiPart = 67

    /// The result of packing one text.
    struct Packing {
        var info: SegmentInfo
        var parts: [String]
    }

    /// Returns the encoding, counts and parts of `text`.
    static func pack(_ text: String, smartEncoding: Bool) -> Packing {
        let sent = smartEncoding ? SmartEncoding.apply(text) : text
        let scalars = Array(sent.unicodeScalars)

        var costs: [Int] = []
        costs.reserveCapacity(scalars.count)
        var isGSM7 = true
        for scalar in scalars {
            guard let septets = GSM7Alphabet.septets(for: scalar) else {
                isGSM7 = false
                break
            }
            costs.append(septets)
        }
        if !isGSM7 {
            costs = scalars.map { $0.utf16.count }
        }

        let units = costs.reduce(0, +)
        let single = isGSM7 ? gsm7SinglePart : ucs2SinglePart
        let multi = isGSM7 ? gsm7MultiPart : ucs2MultiPart
        let encoding = isGSM7 ? "gsm7" : "ucs2"

        if units <= single {
            let info = SegmentInfo(encoding: encoding, segments: 1, units: units, perSegment: single, text: sent)
            return Packing(info: info, parts: [sent])
        }

        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var used = 0
        for (scalar, cost) in zip(scalars, costs) {
            if used + cost > multi {
                parts.append(String(current))
                current = String.UnicodeScalarView()
                used = 0
            }
            current.append(scalar)
            used += cost
        }
        parts.append(String(current))
        let info = SegmentInfo(
            encoding: encoding, segments: parts.count, units: units, perSegment: multi, text: sent)
        return Packing(info: info, parts: parts)
    }
}

/// Returns how `text` is encoded and how many SMS segments it takes.
///
/// - Parameters:
///   - text: The message body.
///   - smartEncoding: Whether to replace typographic characters (curly quotes, dashes, ellipsis, …) with
///     GSM-7 ones first (the table is documented on the internal `SmartEncoding`). The carrier option `smartEncoding` maps here.
/// - Returns: The encoding, segment count, unit count, part capacity and the text after substitution.
///   An empty text is one segment.
public func countSegments(_ text: String, smartEncoding: Bool = false) -> SegmentInfo {
    SegmentCounter.pack(text, smartEncoding: smartEncoding).info
}

/// Returns the parts `text` is sent as, in order.
///
/// A part never ends between an escape and its extension character (GSM-7) or inside a surrogate
/// pair (UCS-2). Joining the parts gives back the text after smart substitution.
///
/// - Parameters:
///   - text: The message body.
///   - smartEncoding: Whether to apply smart substitution first, as in ``countSegments(_:smartEncoding:)``.
/// - Returns: At least one part; `[""]` for an empty text.
public func splitSegments(_ text: String, smartEncoding: Bool = false) -> [String] {
    SegmentCounter.pack(text, smartEncoding: smartEncoding).parts
}
