import CarrierCore
import Foundation
import Testing

@testable import CarrierRuntime

/// `compose`: one value from several fields, used when every field is there.
@Suite struct ComposedValueTests {
    @Test func parsesLiteralsAndPaths() throws {
        let segments = try ComposedValue(parsing: "geo:{location.latitude},{location.longitude}").segments
        #expect(segments.count == 4)
        #expect(segments.first == .literal("geo:"))
        guard case .path(let path) = segments[1] else {
            Issue.record("expected a path")
            return
        }
        #expect(path.text == "location.latitude")
    }

    @Test(arguments: [
        ("geo:{lat", "'{' without '}'"),
        ("geo:lat}", "'}' without '{'"),
        ("no placeholder", "no {path} in the value"),
    ])
    func refusesMalformedText(text: String, message: String) {
        #expect(throws: PathSyntaxError.self) { try ComposedValue(parsing: text) }
        do {
            _ = try ComposedValue(parsing: text)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func composesWhenEveryPathHasAValueElseFallsBackToPaths() throws {
        let extractor = ValueExtractor(
            paths: [try PathExpression.parse("image.id")],
            compose: try ComposedValue(parsing: "geo:{location.latitude},{location.longitude}"))
        func values(_ json: String) throws -> [String] {
            extractor.list(in: PayloadContext(root: try parseJSON(Array(json.utf8))))
        }
        #expect(try values(#"{"location":{"latitude":51.5,"longitude":-0.12}}"#) == ["geo:51.5,-0.12"])
        #expect(try values(#"{"location":{"latitude":51.5},"image":{"id":"m1"}}"#) == ["m1"])
        #expect(try values(#"{"text":"hi"}"#) == [])
    }

    @Test func listFieldsComposeItemByItem() throws {
        let extractor = ValueExtractor(
            compose: try ComposedValue(parsing: "data:{attachments[*].content_type};base64,{attachments[*].content}"))
        let json = #"""
            {"attachments": [{"content_type": "image/png", "content": "iVBO"}, {"content_type": "image/gif"},
                             {"content_type": "audio/amr", "content": "IyFB"}]}
            """#
        let media = extractor.list(in: PayloadContext(root: try parseJSON(Array(json.utf8))))
        // Item by item: the second attachment has no content and is left out; the third keeps its own type.
        #expect(media == ["data:image/png;base64,iVBO", "data:audio/amr;base64,IyFB"])
    }

    @Test func aBadComposeIsACompileError() {
        let result = compileInboundOnlyDefinition(
            format: "json", fields: #"{ from: from, text: { compose: "at {lat" } }"#)
        #expect(result.table == nil)
        #expect(result.diagnostics.contains { $0.code == "bad-path" && $0.message.contains("compose") })
    }
}
