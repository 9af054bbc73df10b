import Testing
import TemblorValue

@Suite struct ValueTests {
    let sample: Value = [
        "level": "info",
        "http": ["status": 200, "path": "/api", "headers": ["a": "1"]],
        "tags": ["x", "y", ["deep": true]],
        "n": nil,
    ]

    @Test func literalsBuildEveryKind() {
        let v: Value = ["a": 1, "b": 2.5, "c": "s", "d": true, "e": nil, "f": [1, 2]]
        #expect(v["a"] == .int(1))
        #expect(v["b"] == .float(2.5))
        #expect(v["c"] == .string("s"))
        #expect(v["d"] == .bool(true))
        #expect(v["e"] == .null)
        #expect(v["f"] == .array([.int(1), .int(2)]))
        #expect(v["missing"] == nil)
    }

    @Test func objectsKeepInsertionOrder() {
        var o = Object()
        for key in ["zeta", "alpha", "mid", "beta"] { o[key] = .string(key) }
        o["alpha"] = 1  // updating keeps the position
        #expect(Array(o.keys) == ["zeta", "alpha", "mid", "beta"])
        o["mid"] = nil
        #expect(Array(o.keys) == ["zeta", "alpha", "beta"])
        o["mid"] = 2
        #expect(Array(o.keys) == ["zeta", "alpha", "beta", "mid"])
        let literal: Value = ["b": 1, "a": 2]
        #expect(literal.objectValue.map { Array($0.keys) } == ["b", "a"])
    }

    @Test func largeObjectsStayOrderedAndFindEveryKey() {
        var o = Object()
        for i in 0..<500 { o["k\(i)"] = .int(Int64(i)) }
        #expect(o.count == 500)
        #expect(o["k377"] == .int(377))
        o["k10"] = nil
        #expect(o["k10"] == nil)
        #expect(o["k11"] == .int(11))
        #expect(o[10].key == "k11")
        #expect(Array(o.keys.prefix(3)) == ["k0", "k1", "k2"])
    }

    @Test func subscriptsReadByKeyIndexAndPath() throws {
        #expect(sample["http"]?["status"] == 200)
        #expect(sample["tags"]?[1] == "y")
        #expect(sample["tags"]?[7] == nil)
        #expect(sample[path: "http.headers.a"] == "1")
        #expect(sample[path: "tags.2.deep"] == true)
        #expect(sample[path: "tags[2].deep"] == true)
        #expect(sample[path: "http.nope"] == nil)
        #expect(sample[path: "level.x"] == nil)
        #expect(sample[path: ""] == sample)
    }

    @Test func pathWritesCreateObjectsAndRemove() {
        var v: Value = ["a": 1]
        v[path: "b.c.d"] = "new"
        #expect(v == ["a": 1, "b": ["c": ["d": "new"]]])
        v[path: "b.c.d"] = nil
        #expect(v == ["a": 1, "b": ["c": [:]]])
        var arr: Value = ["list": [1, 2, 3]]
        arr[path: "list.1"] = "two"
        #expect(arr == ["list": [1, "two", 3]])
        arr[path: "list[0]"] = nil
        #expect(arr == ["list": ["two", 3]])
        var scalar: Value = 5
        scalar["k"] = 1
        #expect(scalar == ["k": 1])
    }

    @Test func escapedPathSegments() throws {
        let v: Value = ["a.b": ["c": 1]]
        #expect(v[path: #"a\.b.c"#] == 1)
        #expect(try ValuePath(#"a\.b.c"#).segments == ["a.b", "c"])
        #expect(try ValuePath(#"a\.b.c"#).description == #"a\.b.c"#)
    }

    @Test func malformedPathsSayWhatIsWrong() {
        #expect(throws: ValuePathError.emptySegment(path: "a..b", offset: 2)) { try ValuePath("a..b") }
        #expect(throws: ValuePathError.emptySegment(path: "a.", offset: 2)) { try ValuePath("a.") }
        #expect(throws: ValuePathError.badIndex(path: "a[x]", offset: 3)) { try ValuePath("a[x]") }
        #expect(throws: ValuePathError.unclosedBracket(path: "a[1")) { try ValuePath("a[1") }
        #expect(throws: ValuePathError.danglingEscape(path: "a\\")) { try ValuePath("a\\") }
        #expect(ValuePathError.badIndex(path: "a[x]", offset: 3).description.contains("brackets hold a number"))
    }

    @Test func equalityIgnoresKeyOrderButNotKinds() {
        let a: Value = ["x": 1, "y": [1, 2]]
        let b: Value = ["y": [1, 2], "x": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Value.int(1) != Value.float(1.0))
        #expect(Value.int(5) == Value.uint(5))
        #expect(Value.int(5).hashValue == Value.uint(5).hashValue)
        #expect(Value.int(-1) != Value.uint(UInt64.max))
        #expect(Value.float(.nan) == Value.float(.nan))
        #expect(Value.float(0.0) == Value.float(-0.0))
        #expect(Value.float(0.0).hashValue == Value.float(-0.0).hashValue)
        #expect(Value.array([1, 2]) != Value.array([2, 1]))
        #expect(Value.string("a") != Value.bytes([0x61]))
        let set: Set<Value> = [a, b, 1, .uint(1), "1"]
        #expect(set.count == 3)
    }

    @Test func integersAreCanonical() {
        #expect(Value.integer(5) == .int(5))
        if case .int = Value.integer(5) {} else { Issue.record("small unsigned should be .int") }
        if case .uint(let u) = Value.integer(UInt64.max) { #expect(u == UInt64.max) } else { Issue.record("expected .uint") }
        #expect(Value(UInt64(7)) == .int(7))
        #expect(Value(UInt64.max).uintValue == UInt64.max)
        #expect(Value.int(-3).uintValue == nil)
        #expect(Value.uint(UInt64.max).intValue == nil)
        #expect(Value.int(3).doubleValue == 3.0)
    }

    @Test func descriptionIsReadable() {
        let v: Value = ["s": "a\"b\n", "n": nil, "f": 1.5, "i": -2, "b": .bytes([0x61, 0x00]), "l": [true, false]]
        #expect(v.description == #"{"s": "a\"b\n", "n": null, "f": 1.5, "i": -2, "b": b"a\x00", "l": [true, false]}"#)
        #expect(Value.uint(UInt64.max).description == "18446744073709551615")
        #expect(Value.object(Object()).typeName == "object")
    }

    @Test func eventsCarryPayloadMetaTimeAndId() {
        let before = Event.nowNs()
        let event = Event(payload: ["msg": "hi"], meta: ["origin": "test"], id: EventId(source: 3, stream: 1, sequence: 42))
        #expect(event.ingestNs >= before)
        #expect(event.ingestNs <= Event.nowNs())
        #expect(event.payload["msg"] == "hi")
        #expect(event.meta["origin"] == "test")
        #expect(event.id.description == "3:1:42")
        var copy = event
        copy.payload["msg"] = "changed"
        #expect(event.payload["msg"] == "hi")  // value semantics
    }
}

@Suite struct ValueMergeTests {
    @Test func configIsMergedOverDefaultsKeyByKey() {
        let defaults: Value = ["field": "seen_by", "retry": ["count": 3, "ms": 100], "tags": ["a"]]
        let config: Value = ["retry": ["ms": 250], "tags": ["b", "c"], "extra": true]
        let merged = config.merged(over: defaults)
        #expect(merged == ["field": "seen_by", "retry": ["count": 3, "ms": 250], "tags": ["b", "c"], "extra": true])
        #expect(merged.objectValue.map { Array($0.keys) } == ["field", "retry", "tags", "extra"])
    }

    @Test func nonObjectsReplaceAndNullConfigKeepsTheDefaults() {
        #expect(Value.int(5).merged(over: ["a": 1]) == 5)
        #expect(Value.object(Object()).merged(over: ["a": 1]) == ["a": 1])
        #expect(Value.null.merged(over: ["a": 1]) == ["a": 1])
        #expect((["a": ["b": 1]] as Value).merged(over: ["a": 2]) == ["a": ["b": 1]])
    }
}
