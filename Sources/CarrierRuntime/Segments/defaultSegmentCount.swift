import CarrierCore

/// Segments and encoding of `text` without smart substitution: the default `segmentCounter` of rendering.
public func defaultSegmentCount(_ text: String) -> (count: Int, encoding: String) {
    let info = countSegments(text)
    return (info.segments, info.encoding)
}
