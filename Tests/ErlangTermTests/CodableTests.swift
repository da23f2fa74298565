import ErlangTerm
import Foundation
import Testing

// MARK: - Fixtures

private struct Point: Codable, Equatable {
    var x: Int
    var y: Int
}

private struct User: Codable, Equatable {
    var name: String
    var age: Int
    var nickname: String?
}

private enum Status: String, TermAtomRepresentable, Equatable {
    case active
    case suspended
    case softDeleted = "soft_deleted"
}

private enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case square(Double)
    case empty
}

private struct LineItem: Codable, Equatable {
    var sku: String
    var quantity: Int
}

private struct Customer: Codable, Equatable {
    var name: String
    var email: String?
    var location: Point
}

private struct Order: Codable, Equatable {
    var id: UInt64
    var customer: Customer
    var items: [LineItem]
    var counts: [String: Int]
    var status: Status
    var note: String?
    var payload: [UInt8]
    var ratios: [Double]
}

private struct Identifiers: Codable, Equatable {
    var pid: PID
    var port: ErlangPort
    var ref: Reference
    var atom: Atom
    var raw: Term
    var big: BigInteger
    var map: TermMap
}

private class Animal: Codable {
    var legs: Int
    init(legs: Int) { self.legs = legs }
}

private final class Dog: Animal {
    var name: String

    init(name: String, legs: Int) {
        self.name = name
        super.init(legs: legs)
    }

    private enum CodingKeys: String, CodingKey { case name }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try super.encode(to: container.superEncoder())
    }
}

/// Uses nested keyed and unkeyed containers by hand: `#{pos => #{lat, lon}, path => [[1, 2]]}`.
private struct Track: Codable, Equatable {
    var lat: Double
    var lon: Double
    var path: [[Int]]

    private enum Keys: String, CodingKey { case pos, path }
    private enum PosKeys: String, CodingKey { case lat, lon }

    init(lat: Double, lon: Double, path: [[Int]]) {
        self.lat = lat
        self.lon = lon
        self.path = path
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        var pos = container.nestedContainer(keyedBy: PosKeys.self, forKey: .pos)
        try pos.encode(lat, forKey: .lat)
        try pos.encode(lon, forKey: .lon)
        var outer = container.nestedUnkeyedContainer(forKey: .path)
        for segment in path {
            var inner = outer.nestedUnkeyedContainer()
            for step in segment { try inner.encode(step) }
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let pos = try container.nestedContainer(keyedBy: PosKeys.self, forKey: .pos)
        lat = try pos.decode(Double.self, forKey: .lat)
        lon = try pos.decode(Double.self, forKey: .lon)
        var outer = try container.nestedUnkeyedContainer(forKey: .path)
        var path: [[Int]] = []
        while !outer.isAtEnd {
            var inner = try outer.nestedUnkeyedContainer()
            var segment: [Int] = []
            while !inner.isAtEnd { segment.append(try inner.decode(Int.self)) }
            path.append(segment)
        }
        self.path = path
    }
}

private let node = Atom("colony@127.0.0.1")

private func roundTrip<T: Codable & Equatable>(_ value: T) throws -> (Term, T) {
    let term = try TermEncoder().encode(value)
    return (term, try TermDecoder().decode(T.self, from: term))
}

private func keyOrder(_ term: Term) -> [Term] {
    term.mapValue?.keys ?? []
}

// MARK: - Shapes

@Suite("Codable: term shapes")
struct CodableShapeTests {
    @Test func pointIsAMapWithAtomKeysInOrder() throws {
        let term = try TermEncoder().encode(Point(x: 1, y: 2))
        #expect(term == .map(["x": 1, "y": 2]))
        let pairs = try #require(term.mapValue).pairs
        #expect(pairs.map(\.key) == [.atom("x"), .atom("y")])
        #expect(pairs.map(\.value) == [.integer(1), .integer(2)])
    }

    @Test func mapKeysFollowErlangTermOrderByDefault() throws {
        let user = User(name: "Ada", age: 36, nickname: nil)
        let sorted = try TermEncoder().encode(user)
        #expect(keyOrder(sorted) == ["age", "name", "nickname"])

        var encoder = TermEncoder()
        encoder.mapKeyOrder = .encodingOrder
        let declared = try encoder.encode(user)
        #expect(keyOrder(declared) == ["name", "age", "nickname"])
        #expect(sorted == declared)
    }

    @Test func encodedBytesMatchOTP25() throws {
        // erlang:term_to_binary(#{name => <<"Ada">>, age => 36, nickname => nil},
        //                       [{minor_version, 2}]) on OTP 25.
        let user = try TermEncoder().encode(User(name: "Ada", age: 36, nickname: nil))
        #expect(
            try ETF.encode(user) == [
                131, 116, 0, 0, 0, 3, 119, 3, 97, 103, 101, 97, 36, 119, 4, 110, 97, 109, 101, 109,
                0, 0, 0, 3, 65, 100, 97, 119, 8, 110, 105, 99, 107, 110, 97, 109, 101, 119, 3, 110,
                105, 108,
            ])
        // erlang:term_to_binary(#{<<"pears">> => 0, <<"apples">> => 3}, [{minor_version, 2}]).
        let counts = try TermEncoder().encode(["pears": 0, "apples": 3])
        #expect(
            try ETF.encode(counts) == [
                131, 116, 0, 0, 0, 2, 109, 0, 0, 0, 6, 97, 112, 112, 108, 101, 115, 97, 3, 109, 0,
                0, 0, 5, 112, 101, 97, 114, 115, 97, 0,
            ])
    }

    @Test func nilOptionalIsWrittenAsNilAtom() throws {
        let term = try TermEncoder().encode(User(name: "Ada", age: 36, nickname: nil))
        let map = try #require(term.mapValue)
        #expect(map.count == 3)
        #expect(map[atom: "nickname"] == .nil)
        #expect(map[atom: "name"] == .string("Ada"))
    }

    @Test func scalarsHaveElixirShapes() throws {
        let encoder = TermEncoder()
        #expect(try encoder.encode("héllo") == .binary(Array("héllo".utf8)))
        #expect(try encoder.encode(true) == .true)
        #expect(try encoder.encode(false) == .false)
        #expect(try encoder.encode(2.5) == .float(2.5))
        #expect(try encoder.encode(Float(0.5)) == .float(0.5))
        #expect(try encoder.encode(-7) == .integer(-7))
        #expect(try encoder.encode(Int8(-3)) == .integer(-3))
        #expect(try encoder.encode(Optional<Int>.none) == .nil)
        #expect(try encoder.encode(Optional(5)) == .integer(5))
    }

    @Test func arraysAreProperLists() throws {
        let encoder = TermEncoder()
        #expect(try encoder.encode([1, 2, 3]) == [1, 2, 3])
        #expect(try encoder.encode([Int]()) == .emptyList)
        #expect(try encoder.encode(["a"]) == .list([.string("a")]))
        #expect(try encoder.encode([[1], [2, 3]]) == [[1], [2, 3]])
        #expect(try encoder.encode([Int?.none, 1]) == .list([.nil, 1]))
    }

    @Test func bytesAreBinaries() throws {
        let encoder = TermEncoder()
        #expect(try encoder.encode([UInt8]([1, 2, 255])) == .binary([1, 2, 255]))
        #expect(try encoder.encode([UInt8]()) == .binary([]))
        #expect(try encoder.encode(Data([9, 8])) == .binary([9, 8]))
        // Other integer arrays stay lists, even when empty.
        #expect(try encoder.encode([UInt16]([1])) == [1])
        #expect(try encoder.encode([Int8]()) == .emptyList)
    }

    @Test func dictionariesHaveTermKeys() throws {
        let encoder = TermEncoder()
        let strings = try encoder.encode(["b": 2, "a": 1])
        #expect(strings == .map([.string("a"): 1, .string("b"): 2]))
        #expect(keyOrder(strings) == [.string("a"), .string("b")])

        let ints = try encoder.encode([10: "ten", 2: "two"])
        #expect(ints == .map([2: .string("two"), 10: .string("ten")]))
        #expect(keyOrder(ints) == [2, 10])

        let atoms = try encoder.encode([Status.active: 1])
        #expect(atoms == .map(["active": 1]))
    }

    @Test func enumsAreAtoms() throws {
        let encoder = TermEncoder()
        #expect(try encoder.encode(Status.active) == .atom("active"))
        #expect(try encoder.encode(Status.softDeleted) == .atom("soft_deleted"))
        #expect(try encoder.encode([Status.suspended]) == ["suspended"])
    }

    @Test func enumsWithPayloadUseSwiftsKeyedForm() throws {
        let encoder = TermEncoder()
        #expect(
            try encoder.encode(Shape.circle(radius: 1.5)) == .map(["circle": .map(["radius": 1.5])])
        )
        #expect(try encoder.encode(Shape.square(2)) == .map(["square": .map(["_0": 2.0])]))
        #expect(try encoder.encode(Shape.empty) == .map(["empty": .map([:])]))
    }

    @Test func integersBeyond64BitsAreBignums() throws {
        let encoder = TermEncoder()
        #expect(try encoder.encode(Int64.min) == .integer(Int(Int64.min)))
        #expect(try encoder.encode(UInt64(Int64.max)) == .integer(Int(Int64.max)))
        #expect(try encoder.encode(UInt64.max) == .bigInteger(BigInteger(UInt64.max)))
        let big = try encoder.encode(Int128.min)
        guard case .bigInteger(let value) = big else {
            Issue.record("expected a bignum, got \(big)")
            return
        }
        #expect(value.isNegative)
        #expect(value.magnitude == Array(repeating: 0, count: 15) + [0x80])
        #expect(try encoder.encode(UInt128(5)) == .integer(5))
    }

    @Test func termTypesPassThroughUnchanged() throws {
        let pid = PID(node: node, id: 42, serial: 1, creation: 3)
        let port = ErlangPort(node: node, id: 7, creation: 3)
        let ref = Reference(node: node, creation: 3, ids: [1, 2, 3])
        let raw = Term.tuple(["ok", .improperList([1], tail: 2)])
        let big = BigInteger(isNegative: true, magnitude: Array(repeating: 0xFF, count: 12))
        let map: TermMap = ["z": 1, "a": 2]
        let value = Identifiers(
            pid: pid, port: port, ref: ref, atom: "hello", raw: raw, big: big, map: map)

        let (term, decoded) = try roundTrip(value)
        let fields = try #require(term.mapValue)
        #expect(fields[atom: "pid"] == .pid(pid))
        #expect(fields[atom: "port"] == .port(port))
        #expect(fields[atom: "ref"] == .reference(ref))
        #expect(fields[atom: "atom"] == .atom("hello"))
        #expect(fields[atom: "raw"] == raw)
        #expect(fields[atom: "big"] == .bigInteger(big))
        // A TermMap keeps its own pair order.
        #expect(fields[atom: "map"]?.mapValue?.keys == ["z", "a"])
        #expect(decoded == value)
        #expect(try TermEncoder().encode(raw) == raw)
    }

    @Test func superEncoderNestsUnderSuperKey() throws {
        let term = try TermEncoder().encode(Dog(name: "Rex", legs: 4))
        #expect(term == .map(["name": .string("Rex"), "super": .map(["legs": 4])]))
        let dog = try TermDecoder().decode(Dog.self, from: term)
        #expect(dog.name == "Rex")
        #expect(dog.legs == 4)
    }

    @Test func nestedContainersBuildNestedTerms() throws {
        let track = Track(lat: 1.5, lon: -2, path: [[1, 2], [], [3]])
        let (term, decoded) = try roundTrip(track)
        #expect(
            term
                == .map([
                    "path": [[1, 2], [], [3]],
                    "pos": .map(["lat": 1.5, "lon": -2.0]),
                ]))
        #expect(keyOrder(term) == ["path", "pos"])
        #expect(decoded == track)
    }

    @Test func userInfoReachesTheValue() throws {
        struct Probe: Encodable {
            func encode(to encoder: any Encoder) throws {
                let key = CodingUserInfoKey(rawValue: "tag")!
                var container = encoder.singleValueContainer()
                try container.encode(encoder.userInfo[key] as? String ?? "missing")
            }
        }
        var encoder = TermEncoder()
        encoder.userInfo[CodingUserInfoKey(rawValue: "tag")!] = "present"
        #expect(try encoder.encode(Probe()) == .string("present"))
    }
}

// MARK: - Round trips

@Suite("Codable: round trips")
struct CodableRoundTripTests {
    private static let order = Order(
        id: UInt64.max - 1,
        customer: Customer(name: "Ada", email: nil, location: Point(x: -1, y: 2)),
        items: [LineItem(sku: "A-1", quantity: 2), LineItem(sku: "B-2", quantity: 1)],
        counts: ["apples": 3, "pears": 0],
        status: .softDeleted,
        note: "leave at the door",
        payload: [0, 1, 2, 254, 255],
        ratios: [0.25, -1e300])

    @Test func nestedStructRoundTrips() throws {
        let (term, decoded) = try roundTrip(Self.order)
        #expect(decoded == Self.order)

        let map = try #require(term.mapValue)
        #expect(map[atom: "id"] == .bigInteger(BigInteger(UInt64.max - 1)))
        #expect(map[atom: "status"] == .atom("soft_deleted"))
        #expect(map[atom: "payload"] == .binary([0, 1, 2, 254, 255]))
        #expect(map[atom: "counts"] == .map([.string("apples"): 3, .string("pears"): 0]))
        let customer = try #require(map[atom: "customer"]?.mapValue)
        #expect(customer[atom: "email"] == .nil)
        #expect(customer[atom: "location"] == .map(["x": -1, "y": 2]))
        #expect(
            map[atom: "items"]
                == .list([
                    .map(["quantity": 2, "sku": .string("A-1")]),
                    .map(["quantity": 1, "sku": .string("B-2")]),
                ]))
    }

    @Test func optionalsRoundTrip() throws {
        let none = User(name: "Ada", age: 36, nickname: nil)
        let some = User(name: "Ada", age: 36, nickname: "countess")
        #expect(try roundTrip(none).1 == none)
        #expect(try roundTrip(some).1 == some)
        #expect(try roundTrip([Int?.none, 3, nil]).1 == [nil, 3, nil])
        let nested: [String: Int?] = ["a": nil, "b": 1]
        #expect(try roundTrip(nested).1 == nested)
    }

    @Test func missingKeyOrNilAtomDecodeAsNil() throws {
        let decoder = TermDecoder()
        let missing = try decoder.decode(User.self, from: .map(["name": .string("Ada"), "age": 1]))
        #expect(missing.nickname == nil)
        let nilAtom = try decoder.decode(
            User.self, from: .map(["name": .string("Ada"), "age": 1, "nickname": .nil]))
        #expect(nilAtom.nickname == nil)
        let present = try decoder.decode(
            User.self, from: .map(["name": .string("Ada"), "age": 1, "nickname": .string("A")]))
        #expect(present.nickname == "A")
    }

    @Test func dictionariesRoundTrip() throws {
        let byName: [String: [Int]] = ["one": [1], "none": []]
        #expect(try roundTrip(byName).1 == byName)
        let byNumber: [Int: Point] = [1: Point(x: 1, y: 1), -5: Point(x: 0, y: 0)]
        #expect(try roundTrip(byNumber).1 == byNumber)
        let byStatus: [Status: Bool] = [.active: true, .suspended: false]
        #expect(try roundTrip(byStatus).1 == byStatus)
    }

    @Test func enumsRoundTrip() throws {
        #expect(try roundTrip(Status.softDeleted).1 == .softDeleted)
        let shapes: [Shape] = [.circle(radius: 2), .square(3), .empty]
        #expect(try roundTrip(shapes).1 == shapes)
    }

    @Test func bigIntegersRoundTrip() throws {
        let values: [Int128] = [.min, .max, 0, -1, Int128(Int64.min) - 1, Int128(UInt64.max)]
        #expect(try roundTrip(values).1 == values)
        let unsigned: [UInt128] = [.max, 0, UInt128(UInt64.max) + 1]
        #expect(try roundTrip(unsigned).1 == unsigned)
        #expect(try roundTrip(UInt64.max).1 == UInt64.max)
        #expect(try roundTrip(Int64.min).1 == Int64.min)
        #expect(try roundTrip(UInt.max).1 == UInt.max)
    }

    @Test func bytesRoundTrip() throws {
        let bytes: [UInt8] = [0, 127, 128, 255]
        #expect(try roundTrip(bytes).1 == bytes)
        #expect(try roundTrip(Data(bytes)).1 == Data(bytes))
        #expect(try TermDecoder().decode([UInt8].self, from: [1, 2]) == [1, 2])
    }
}

// MARK: - Lenient decoding

@Suite("Codable: decoding Elixir shapes")
struct CodableElixirDecodingTests {
    @Test func elixirMapWithBinaryKeysAndStructTag() throws {
        let term = Term.map([
            .string("__struct__"): .atom("Elixir.MyApp.User"),
            .string("name"): .string("José"),
            .string("age"): 41,
            .string("extra"): .tuple(["ignored"]),
        ])
        let user = try TermDecoder().decode(User.self, from: term)
        #expect(user == User(name: "José", age: 41, nickname: nil))
    }

    @Test func elixirStructWithAtomKeys() throws {
        let term = Term.map([
            "__struct__": "Elixir.MyApp.User",
            "name": .string("Ada"),
            "age": 36,
            "nickname": .nil,
        ])
        #expect(try TermDecoder().decode(User.self, from: term) == User(name: "Ada", age: 36))
    }

    @Test func stringAcceptsCharlistsAndAtoms() throws {
        let decoder = TermDecoder()
        #expect(try decoder.decode(String.self, from: .charlist("héllo")) == "héllo")
        #expect(try decoder.decode(String.self, from: .emptyList) == "")
        #expect(try decoder.decode(String.self, from: "ok") == "ok")
        #expect(try decoder.decode(String.self, from: .string("bin")) == "bin")
    }

    @Test func floatsAcceptIntegers() throws {
        let decoder = TermDecoder()
        #expect(try decoder.decode(Double.self, from: 3) == 3.0)
        #expect(try decoder.decode(Float.self, from: -2) == -2.0)
        #expect(try decoder.decode(Double.self, from: .integer(BigInteger(UInt64.max))) == 0x1p64)
        #expect(try decoder.decode(Point.self, from: .map(["x": 1, "y": 2])) == Point(x: 1, y: 2))
    }

    @Test func enumsAcceptAtomsAndBinaries() throws {
        let decoder = TermDecoder()
        #expect(try decoder.decode(Status.self, from: "suspended") == .suspended)
        #expect(try decoder.decode(Status.self, from: .string("soft_deleted")) == .softDeleted)
    }

    @Test func arraysAcceptTuples() throws {
        #expect(try TermDecoder().decode([Int].self, from: .tuple([1, 2])) == [1, 2])
    }

    @Test func stringDictionaryAcceptsAtomKeys() throws {
        let decoded = try TermDecoder().decode([String: Int].self, from: .map(["a": 1, "b": 2]))
        #expect(decoded == ["a": 1, "b": 2])
    }

    @Test func atomDecodesFromAtomOrBinary() throws {
        #expect(try TermDecoder().decode(Atom.self, from: "ok") == Atom.ok)
        #expect(
            try TermDecoder().decode(Atom.self, from: .string("colony_codable_test"))
                == "colony_codable_test")
    }
}

// MARK: - Errors

@Suite("Codable: errors")
struct CodableErrorTests {
    @Test func typeMismatchCarriesPathAndFoundTerm() throws {
        let items = Term.list([
            .map(["sku": .string("A"), "quantity": 1]),
            .map(["sku": .string("B"), "quantity": .string("two")]),
        ])
        let term = Term.map(["items": items])
        struct Cart: Decodable { var items: [LineItem] }
        let error = #expect(throws: TermCodingError.self) {
            try TermDecoder().decode(Cart.self, from: term)
        }
        guard case .typeMismatch(let expected, let found, _) = error else {
            Issue.record("expected typeMismatch, got \(String(describing: error))")
            return
        }
        #expect(expected.contains("integer"))
        #expect(found == .string("two"))
        #expect(error?.codingPathDescription == "items[1].quantity")
        #expect(error?.codingPath.map(\.stringValue) == ["items", "Index 1", "quantity"])
        #expect(error?.description.contains("items[1].quantity") == true)
        #expect(error?.description.contains("<<\"two\">>") == true)
    }

    @Test func missingKeyIsKeyNotFound() throws {
        let error = #expect(throws: TermCodingError.self) {
            try TermDecoder().decode(Customer.self, from: .map(["name": .string("Ada")]))
        }
        guard case .keyNotFound(let key, let found, let path) = error else {
            Issue.record("expected keyNotFound, got \(String(describing: error))")
            return
        }
        #expect(key.stringValue == "location")
        #expect(found == .map(["name": .string("Ada")]))
        #expect(path.isEmpty)
    }

    @Test func nilForRequiredValueIsValueNotFound() throws {
        let error = #expect(throws: TermCodingError.self) {
            try TermDecoder().decode(Point.self, from: .map(["x": 1, "y": .nil]))
        }
        guard case .valueNotFound(_, let found, _) = error else {
            Issue.record("expected valueNotFound, got \(String(describing: error))")
            return
        }
        #expect(found == .nil)
        #expect(error?.codingPathDescription == "y")
        // The atom nil is not the string "nil".
        #expect(throws: TermCodingError.self) { try TermDecoder().decode(String.self, from: .nil) }
    }

    @Test func outOfRangeNumbers() throws {
        let error = #expect(throws: TermCodingError.self) {
            try TermDecoder().decode([UInt8].self, from: .list([1, 300]))
        }
        #expect(error?.found == .list([1, 300]))
        let tooBig = #expect(throws: TermCodingError.self) {
            try TermDecoder().decode([Int64].self, from: .list([.integer(BigInteger(UInt64.max))]))
        }
        guard case .numberOutOfRange(_, let found, _) = tooBig else {
            Issue.record("expected numberOutOfRange, got \(String(describing: tooBig))")
            return
        }
        #expect(found == .bigInteger(BigInteger(UInt64.max)))
        #expect(tooBig?.codingPathDescription == "[0]")
    }

    @Test func unknownEnumCase() throws {
        let error = #expect(throws: TermCodingError.self) {
            try TermDecoder().decode(Status.self, from: "deleted")
        }
        guard case .dataCorrupted(_, let found, let reason, _) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(found == .atom("deleted"))
        #expect(reason.contains("deleted"))
    }

    @Test func wrongContainerKind() throws {
        let error = #expect(throws: TermCodingError.self) {
            try TermDecoder().decode(Point.self, from: [1, 2])
        }
        guard case .typeMismatch(let expected, let found, _) = error else {
            Issue.record("expected typeMismatch, got \(String(describing: error))")
            return
        }
        #expect(expected.contains("map"))
        #expect(found == [1, 2])
    }

    @Test func listTooShort() throws {
        struct Pair: Decodable {
            var a: Int
            var b: Int
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                a = try container.decode(Int.self)
                b = try container.decode(Int.self)
            }
        }
        let error = #expect(throws: TermCodingError.self) {
            try TermDecoder().decode(Pair.self, from: [1])
        }
        guard case .valueNotFound(_, let found, _) = error else {
            Issue.record("expected valueNotFound, got \(String(describing: error))")
            return
        }
        #expect(found == nil)
        #expect(error?.codingPathDescription == "[1]")
    }

    @Test func nonFiniteFloatsCannotBeEncoded() throws {
        let error = #expect(throws: TermCodingError.self) {
            try TermEncoder().encode(["ratios": [1.0, .nan]])
        }
        guard case .invalidValue = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(error?.codingPathDescription == "ratios[1]")
    }

    @Test func invalidUTF8IsDataCorrupted() throws {
        let error = #expect(throws: TermCodingError.self) {
            try TermDecoder().decode(String.self, from: .binary([0xFF, 0xFE]))
        }
        guard case .dataCorrupted(_, let found, _, _) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(found == .binary([0xFF, 0xFE]))
    }

    @Test func clashingDictionaryKeysAreRejected() throws {
        let term = Term.map(["a": 1, .string("a"): 2])
        #expect(throws: TermCodingError.self) {
            try TermDecoder().decode([String: Int].self, from: term)
        }
    }

    @Test func keyTooLongForAnAtom() throws {
        struct NameKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        struct LongKey: Encodable {
            var nested: Bool
            var length = 256
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: NameKey.self)
                let key = NameKey(stringValue: String(repeating: "k", count: length))
                if nested {
                    var inner = container.nestedUnkeyedContainer(forKey: key)
                    try inner.encode(1)
                } else {
                    try container.encode(1, forKey: key)
                }
            }
        }
        for nested in [false, true] {
            let error = #expect(throws: TermCodingError.self) {
                try TermEncoder().encode(LongKey(nested: nested))
            }
            guard case .invalidValue(_, let reason, let path) = error else {
                Issue.record("expected invalidValue, got \(String(describing: error))")
                continue
            }
            #expect(reason.contains("255"))
            #expect(path.first?.stringValue.count == 256)
        }
        // 255 characters is still an atom.
        let longest = try TermEncoder().encode(LongKey(nested: false, length: 255))
        #expect(longest == .map([.atom(Atom(String(repeating: "k", count: 255))): 1]))
    }

    @Test func valueThatEncodesNothing() throws {
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        let error = #expect(throws: TermCodingError.self) { try TermEncoder().encode(Nothing()) }
        guard case .invalidValue = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        // Nested, it is an empty map as with JSONEncoder's empty object.
        #expect(try TermEncoder().encode([Nothing()]) == .list([.map([:])]))
    }
}

// MARK: - Other coders

@Suite("Codable: term types with other coders")
struct CodableOtherCoderTests {
    @Test func termTypesWithJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(Atom("ok")), as: UTF8.self) == "\"ok\"")
        #expect(String(decoding: try encoder.encode(Status.active), as: UTF8.self) == "\"active\"")
        let big = BigInteger(isNegative: true, magnitude: [0, 0, 0, 0, 0, 0, 0, 0, 1])
        let bigJSON = try encoder.encode(big)
        #expect(String(decoding: bigJSON, as: UTF8.self) == "\"-18446744073709551616\"")
        #expect(try JSONDecoder().decode(BigInteger.self, from: bigJSON) == big)

        let pid = PID(node: node, id: 1, serial: 2, creation: 3)
        let pidJSON = try encoder.encode(pid)
        #expect(
            String(decoding: pidJSON, as: UTF8.self)
                == #"{"creation":3,"id":1,"node":"colony@127.0.0.1","serial":2}"#)
        #expect(try JSONDecoder().decode(PID.self, from: pidJSON) == pid)

        let ref = Reference(node: node, creation: 1, ids: [4, 5])
        #expect(try JSONDecoder().decode(Reference.self, from: encoder.encode(ref)) == ref)

        let error = #expect(throws: TermCodingError.self) { try encoder.encode(["t": Term.ok]) }
        guard case .unsupportedCoder(let type, _) = error else {
            Issue.record("expected unsupportedCoder, got \(String(describing: error))")
            return
        }
        #expect(type == "Term")
    }
}
