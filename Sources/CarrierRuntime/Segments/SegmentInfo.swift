import CarrierCore

/// How a text message is encoded and split into SMS segments.
///
/// Produced by ``countSegments(_:smartEncoding:)``. `segments` always equals the number of parts that
/// ``splitSegments(_:smartEncoding:)`` returns for the same input, because both use the same packing.
public struct SegmentInfo: Sendable, Hashable, Codable {
    /// `"gsm7"` when every character is in the GSM 03.38 basic or extension table, else `"ucs2"`.
    public var encoding: String
    /// The number of SMS parts. An empty text is one segment (as Twilio counts it).
    public var segments: Int
    /// Septets for GSM-7 (extension characters count 2: escape + character), UTF-16 code units for UCS-2.
    public var units: Int
    /// The capacity of one part in `units`: 160 / 70 for a single part, 153 / 67 for a multipart message
    /// (the rest of each part is taken by the concatenation header).
    public var perSegment: Int
    /// The text that is actually sent: the input after smart substitution (unchanged when it is off).
    public var text: String

    public init(encoding: String, segments: Int, units: Int, perSegment: Int, text: String) {
        self.encoding = encoding
        self.segments = segments
        self.units = units
        self.perSegment = perSegment
        self.text = text
    }
}
