import CarrierCore
import Testing

@testable import CarrierRuntime

/// `limits.mediaTypes` and `limits.strictMediaTypes` (issue 15, item 4): compiled with positioned diagnostics,
/// carried in the adapter table, and checked by `validateMessage` before any request is built.
@Suite struct MediaTypeLimitsTests {
    static func compile(limits: String) -> CompilationResult {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms, mms, whatsapp]
            limits: \(limits)
            send: { url: "https://acme.test/send", format: none }

            """
        return compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
    }

    static func problems(_ adapter: Adapter, channel: String = "mms", _ media: [MediaItem]) -> [String] {
        validateMessage(OutboundMessage(channel: channel, to: "+15551234567", mediaItems: media), adapter: adapter)
            .map { "\($0.attribute)=\($0.code)" }
    }

    @Test func typesComeFromTheItemOrTheURLAndAreCheckedPerChannel() throws {
        let result = Self.compile(
            limits: """
                { mediaTypes: [Image/JPEG, image/png, video/*],
                    byChannel: { whatsapp: { mediaTypes: [image/jpeg], strictMediaTypes: true } } }
                """)
        let adapter = try #require(result.table?.adapter("acme"), "\(result.diagnostics)")
        #expect(adapter.limits.mediaTypes == ["image/jpeg", "image/png", "video/*"], "lower-cased when compiled")
        #expect(adapter.limits.mediaTypes(on: "whatsapp") == ["image/jpeg"])
        #expect(adapter.limits.refusesUnknownMediaTypes(on: "whatsapp"))
        #expect(!adapter.limits.refusesUnknownMediaTypes(on: "mms"))

        #expect(
            Self.problems(
                adapter,
                [
                    "https://x.test/a.JPG?size=2#top", "https://x.test/b.png", "https://x.test/c.webm",
                    MediaItem(url: "https://x.test/raw", contentType: "image/png; charset=binary"),
                    "https://x.test/unknown.xyz", "https://x.test/no-extension",
                ]) == [], "known types taken (video/* as a wildcard), unknown ones let through")
        #expect(
            Self.problems(
                adapter,
                [
                    "https://x.test/doc.pdf", MediaItem(url: "https://x.test/a.jpg", contentType: "image/gif"),
                    MediaItem(url: "https://x.test/a.jpg", contentType: "jpeg"),
                ])
                == [
                    "media[0]=media-type-not-supported", "media[1].contentType=media-type-not-supported",
                    "media[2].contentType=invalid-media-type",
                ])
        #expect(
            Self.problems(adapter, channel: "whatsapp", ["https://x.test/a.jpg", "https://x.test/b.png"])
                == ["media[1]=media-type-not-supported"])
        #expect(
            Self.problems(
                adapter, channel: "whatsapp",
                ["https://x.test/file", MediaItem(url: "https://x.test/file", contentType: "image/jpeg")])
                == ["media[0]=media-type-unknown"])
        let message = validateMessage(
            OutboundMessage(channel: "mms", to: "+15551234567", media: ["https://x.test/doc.pdf"]), adapter: adapter
        ).first?.message
        #expect(message?.contains("application/pdf") == true)
        #expect(message?.contains("image/jpeg, image/png, video/*") == true)
    }

    @Test func withoutAListAnyTypeIsSent() throws {
        let adapter = try #require(Self.compile(limits: "{ maxMedia: 2 }").table?.adapter("acme"))
        #expect(adapter.limits.mediaTypes(on: "mms") == nil)
        #expect(Self.problems(adapter, ["https://x.test/a.exe", "https://x.test/b"]) == [])
        // Only a given type that is not a type at all is refused.
        #expect(
            Self.problems(adapter, [MediaItem(url: "https://x.test/a", contentType: "image/")])
                == ["media[0].contentType=invalid-media-type"])
    }

    @Test func strictWithoutAListRefusesOnlyUnknownTypes() throws {
        let adapter = try #require(Self.compile(limits: "{ strictMediaTypes: true }").table?.adapter("acme"))
        #expect(
            Self.problems(adapter, ["https://x.test/a.exe", "https://x.test/b.mp3"])
                == ["media[0]=media-type-unknown"])
    }

    /// Bad entries are errors at the entry's own position.
    @Test func badMediaTypesArePositionedDiagnostics() {
        let result = Self.compile(
            limits: "{ mediaTypes: [image/jpeg, jpeg, image/png, IMAGE/PNG, \"image/png; q=1\"] }")
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(
            errors.map { "\($0.range?.start.line ?? 0):\($0.range?.start.column ?? 0) \($0.code)" }
                == ["5:36 bad-media-type", "5:53 invalid-value", "5:64 bad-media-type"], "\(errors)")
        #expect(errors.first?.message.contains("'jpeg' in limits.mediaTypes is not a media type") == true)
        #expect(result.table == nil)
    }

    @Test(arguments: [
        ("{ mediaTypes: [] }", "invalid-value"),
        ("{ mediaTypes: image/jpeg }", "wrong-type"),
        ("{ mediaTypes: [\"*/*\"] }", "bad-media-type"),
        ("{ strictMediaTypes: yes }", "wrong-type"),
        ("{ byChannel: { whatsapp: { mediaTypes: [image] } } }", "bad-media-type"),
        ("{ byChannel: { whatsapp: { strictMediaTypes: 1 } } }", "wrong-type"),
    ])
    func badMediaTypeLimitsAreErrors(limits: String, code: String) {
        let errors = Self.compile(limits: limits).diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.code) == [code], "\(errors)")
    }

    @Test func theTypeOfAURLComesFromItsLastPathSegment() {
        #expect(MediaType.inferred(fromURL: "https://x.test/a/b.jpeg") == "image/jpeg")
        #expect(MediaType.inferred(fromURL: "https://x.test/a.pdf/view") == nil)
        #expect(MediaType.inferred(fromURL: "https://x.test/dir.v2/file") == nil)
        #expect(MediaType.inferred(fromURL: "https://x.test/v.MP4?x=a.png") == "video/mp4")
        #expect(MediaType.inferred(fromURL: "https://files.example.png") == nil, "a host is not a file name")
        #expect(MediaType.inferred(fromURL: "https://x.test/trailing.") == nil)
        #expect(MediaType.essence(" Audio/OGG ; codecs=opus") == "audio/ogg")
        #expect(MediaType.essence("audio") == nil)
        #expect(MediaType.isAllowed("image/png", by: ["image/*"]))
        #expect(!MediaType.isAllowed("imagex/png", by: ["image/*"]))
    }
}
