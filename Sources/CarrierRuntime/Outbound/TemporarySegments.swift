// TEMPORARY: the segments helper's `countSegments` (Sources/CarrierRuntime/Segments/) replaces this file.

/// A rough segment count until the real one is merged: GSM-7 when every character is printable ASCII
/// (minus the few ASCII characters GSM-7 lacks), 160/153 septets; otherwise UCS-2, 70/67 UTF-16 units.
public func temporarySegmentCount(_ text: String) -> (count: Int, encoding: String) {
    let gsmUnsupported: Set<Unicode.Scalar> = ["`"]
    let isGSM = text.unicodeScalars.allSatisfy {
        ($0.value >= 0x20 && $0.value < 0x7F && !gsmUnsupported.contains($0)) || $0 == "\n" || $0 == "\r"
    }
    if isGSM {
        let extended: Set<Unicode.Scalar> = ["^", "{", "}", "\\", "[", "]", "~", "|"]
        let septets = text.unicodeScalars.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) }
        return (septets <= 160 ? 1 : (septets + 152) / 153, "gsm7")
    }
    let units = text.utf16.count
    return (units <= 70 ? 1 : (units + 66) / 67, "ucs2")
}
