import CarrierCore
import Testing

@testable import CarrierRuntime

@Suite("parseXML")
struct XMLParserTests {
    func parse(_ text: String) throws(PayloadError) -> PayloadValue {
        try parseXML(Array(text.utf8))
    }

    @Test func rootIsTheTopLevelKey() throws {
        #expect(try parse("<a><b>1</b></a>") == .object(["a": .object(["b": .string("1")])]))
    }

    @Test func attributesTextAndRepeatedChildren() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- delivery report -->
            <DeliveryReport id="42" kind='dlr'>
              <message id="m1" status="DELIVERED">  ok  </message>
              <message id="m2" status="FAILED"/>
              <to>+15551234567</to>
              <empty/>
              <empty2></empty2>
            </DeliveryReport>
            """
        let value = try parse(xml)
        #expect(
            value
                == .object([
                    "DeliveryReport": .object([
                        "@id": .string("42"), "@kind": .string("dlr"),
                        "message": .array([
                            .object(["@id": .string("m1"), "@status": .string("DELIVERED"), "#text": .string("ok")]),
                            .object(["@id": .string("m2"), "@status": .string("FAILED")]),
                        ]),
                        "to": .string("+15551234567"), "empty": .string(""), "empty2": .string(""),
                    ])
                ]))
    }

    @Test func entitiesAndCDATA() throws {
        let value = try parse(
            "<r><t>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233;&#x20AC;</t><c><![CDATA[<x> & y]]></c></r>")
        #expect(value["r"]?["t"] == .string("a & b <c> \"d\" 'e' é€"))
        #expect(value["r"]?["c"] == .string("<x> & y"))
    }

    @Test func mixedTextUnderHashText() throws {
        #expect(try parse("<r>hi <b>x</b> there</r>")["r"]?["#text"] == .string("hi  there"))
    }

    @Test func namespacePrefixesStay() throws {
        #expect(try parse("<s:Envelope><s:Body>x</s:Body></s:Envelope>")["s:Envelope"]?["s:Body"] == .string("x"))
    }

    @Test(arguments: [
        ("", 0), ("text", 0), ("<a>", 0), ("<a></b>", 3), ("<a><b></a>", 6), ("<a>&bogus;</a>", 3),
        ("<a>& b</a>", 3), ("<a x=1/>", 5), ("<a x='1' x='2'/>", 9), ("<a></a><b/>", 7),
        ("<!DOCTYPE a [<!ENTITY x 'y'>]><a/>", 0), ("<a><![CDATA[x</a>", 3), ("<a>&#0;</a>", 3),
        ("<a>&#x110000;</a>", 3), ("<a", 0), ("<a><!-- x</a>", 3),
    ])
    func malformed(text: String, offset: Int) {
        let error = #expect(throws: PayloadError.self) { try parseXML(Array(text.utf8)) }
        #expect(error?.code == "bad-xml")
        #expect(error?.offset == offset)
    }

    @Test func invalidUTF8AndDepth() {
        let error = #expect(throws: PayloadError.self) { try parseXML(Array("<a>".utf8) + [0xFF] + Array("</a>".utf8)) }
        #expect(error?.code == "invalid-utf8")
        let deep = String(repeating: "<a>", count: 600) + String(repeating: "</a>", count: 600)
        #expect((#expect(throws: PayloadError.self) { try parseXML(Array(deep.utf8)) })?.code == "nesting-too-deep")
    }
}
