import CarrierCore
import Testing

@Suite("PayloadObject")
struct PayloadObjectTests {
    @Test func keepsFirstSeenOrderAndReplacesInPlace() {
        var object: PayloadObject = ["b": .string("1"), "a": .string("2")]
        object["c"] = .string("3")
        object["b"] = .string("4")
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"] == .string("4"))
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object["a"] == nil)
    }

    @Test func equalityAndHashIgnoreOrder() {
        let one: PayloadObject = ["x": .number("1"), "y": .array([.null])]
        let two: PayloadObject = ["y": .array([.null]), "x": .number("1")]
        let three: PayloadObject = ["y": .array([.null]), "x": .number("2")]
        #expect(one == two)
        #expect(one.hashValue == two.hashValue)
        #expect(one != three)
        #expect(one != ["x": .number("1")])
    }

    @Test func largeObjectsStayCorrectPastTheIndexThreshold() {
        var object = PayloadObject()
        for i in 0..<100 { object["k\(i)"] = .string("\(i)") }
        object["k7"] = .string("seven")
        object["k50"] = nil
        object["k100"] = .string("last")
        #expect(object.count == 100)
        #expect(object["k7"] == .string("seven"))
        #expect(object["k50"] == nil)
        #expect(object["k99"] == .string("99"))
        #expect(object["k100"] == .string("last"))
        #expect(object.keys.first == "k0" && object.keys.last == "k100")
    }

    @Test func takeLeavesNullBehind() {
        var object: PayloadObject = ["a": .array([.string("1")])]
        #expect(object.take("a") == .array([.string("1")]))
        #expect(object["a"] == .null)
        #expect(object.take("missing") == nil)
    }
}
