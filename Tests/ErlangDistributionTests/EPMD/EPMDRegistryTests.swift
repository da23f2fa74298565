import Testing

@testable import ErlangDistribution

/// The registry as a state machine: events in, results out, no sockets.
@Suite("EPMD registry")
struct EPMDRegistryTests {
    static let one = EPMDConnectionID(1)
    static let two = EPMDConnectionID(2)
    static let three = EPMDConnectionID(3)

    static func node(_ name: String, port: UInt16 = 4000) -> EPMDNodeInfo {
        EPMDNodeInfo(name: name, port: port)
    }

    @Test("A registration is listed and found, with every field it registered")
    func registerAndLookUp() {
        var registry = EPMDRegistry(firstCreation: 7)
        let result = registry.register(
            name: "a", port: 4001, nodeType: .hidden, protocol: 0, highestVersion: 6, lowestVersion: 5,
            extra: [9], connection: Self.one)
        #expect(result == .registered(creation: 7))
        #expect(
            registry.lookup("a")
                == EPMDNodeInfo(
                    name: "a", port: 4001, nodeType: .hidden, protocol: 0, highestVersion: 6, lowestVersion: 5,
                    extra: [9]))
        #expect(registry.lookup("b") == nil)
        #expect(registry.nameList == [.init(name: "a", port: 4001)])
        #expect(registry.entry(for: Self.one)?.creation == 7)
        #expect(registry.count == 1)
    }

    @Test("A name held by another connection is refused until that connection closes")
    func nameTaken() throws {
        var registry = EPMDRegistry(firstCreation: 100)
        #expect(registry.register(Self.node("a"), connection: Self.one) == .registered(creation: 100))
        #expect(registry.register(Self.node("a", port: 5000), connection: Self.two) == .refused(.nameTaken))
        #expect(registry.lookup("a")?.port == 4000)

        let closed = registry.connectionClosed(Self.one)
        let removed = try #require(closed)
        #expect(removed.node.name == "a" && removed.creation == 100 && removed.connection == Self.one)
        #expect(registry.lookup("a") == nil)
        #expect(registry.register(Self.node("a", port: 5000), connection: Self.two) == .registered(creation: 101))
        #expect(registry.lookup("a")?.port == 5000)
    }

    @Test("Each registration of a name gets a new creation")
    func creationChangesPerRegistration() {
        var registry = EPMDRegistry(firstCreation: 1)
        var seen: Set<UInt32> = []
        for index in 0..<20 {
            let connection = EPMDConnectionID(UInt64(index))
            guard case .registered(let creation) = registry.register(Self.node("a"), connection: connection) else {
                Issue.record("registration \(index) refused")
                return
            }
            #expect(creation != 0)
            #expect(seen.insert(creation).inserted, "creation \(creation) handed out twice")
            registry.connectionClosed(connection)
        }
    }

    @Test("Creations are 32 bits and skip 0 when they wrap")
    func creationWraps() {
        var registry = EPMDRegistry(firstCreation: UInt32.max)
        #expect(registry.register(Self.node("a"), connection: Self.one) == .registered(creation: UInt32.max))
        #expect(registry.register(Self.node("b"), connection: Self.two) == .registered(creation: 1))

        var zero = EPMDRegistry(firstCreation: 0)
        #expect(zero.register(Self.node("a"), connection: Self.one) == .registered(creation: 1))

        var random = EPMDRegistry()
        guard case .registered(let creation) = random.register(Self.node("a"), connection: Self.one) else {
            Issue.record("refused")
            return
        }
        #expect(creation != 0)
    }

    @Test("A connection holds one registration")
    func oneRegistrationPerConnection() {
        var registry = EPMDRegistry(firstCreation: 1)
        #expect(registry.register(Self.node("a"), connection: Self.one) == .registered(creation: 1))
        #expect(registry.register(Self.node("b"), connection: Self.one) == .refused(.connectionAlreadyRegistered))
        #expect(registry.lookup("b") == nil)
    }

    @Test("Invalid names and oversized extra fields are refused")
    func invalidRegistrations() {
        var registry = EPMDRegistry(firstCreation: 1)
        for name in ["", "a\u{0}b", String(repeating: "x", count: 256), String(repeating: "€", count: 256)] {
            #expect(registry.register(Self.node(name), connection: Self.one) == .refused(.invalidName))
        }
        #expect(
            registry.register(Self.node(String(repeating: "€", count: 255)), connection: Self.one)
                == .registered(creation: 1))
        var big = Self.node("big")
        big.extra = Array(repeating: 1, count: EPMDLimits.maximumFieldBytes + 1)
        #expect(registry.register(big, connection: Self.two) == .refused(.extraTooLong))
        #expect(registry.count == 1)
    }

    @Test("Names compare byte for byte, as in epmd")
    func bytewiseNames() {
        var registry = EPMDRegistry(firstCreation: 1)
        let composed = "\u{E9}"  // é
        let decomposed = "e\u{301}"  // e + combining acute: equal as Swift strings, not as bytes
        #expect(registry.register(Self.node(composed, port: 1), connection: Self.one) == .registered(creation: 1))
        #expect(registry.register(Self.node(decomposed, port: 2), connection: Self.two) == .registered(creation: 2))
        #expect(registry.lookup(composed)?.port == 1)
        #expect(registry.lookup(decomposed)?.port == 2)
    }

    @Test("Closing connections removes only their registrations and keeps the listing in order")
    func closeKeepsOrder() {
        var registry = EPMDRegistry(firstCreation: 1)
        _ = registry.register(Self.node("a", port: 1), connection: Self.one)
        _ = registry.register(Self.node("b", port: 2), connection: Self.two)
        _ = registry.register(Self.node("c", port: 3), connection: Self.three)
        #expect(registry.connectionClosed(EPMDConnectionID(99)) == nil)
        #expect(registry.connectionClosed(Self.two)?.node.name == "b")
        #expect(registry.connectionClosed(Self.two) == nil)
        #expect(registry.nameList == [.init(name: "a", port: 1), .init(name: "c", port: 3)])
        #expect(registry.registeredNodes.map(\.connection) == [Self.one, Self.three])
    }
}
