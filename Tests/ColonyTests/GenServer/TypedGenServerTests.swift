import Colony
import ErlangTerm
import Testing

/// Typed servers: Codable calls and casts, replies decoded for Swift callers, the terms on the
/// wire as the Codable mapping says, and bad requests answered with an error.
@Suite("Typed GenServer", .timeLimit(.minutes(1)))
struct TypedGenServerTests {
    struct Inventory: TypedGenServer {
        enum Call: Codable, Sendable {
            case count(item: String)
            case all
        }
        struct Reply: Codable, Sendable, Equatable {
            var items: [String: Int]
        }
        struct Cast: Codable, Sendable {
            var item: String
            var quantity: Int
        }

        var stock: [String: Int] = [:]

        mutating func handle(call: Call, from: CallerRef, process: ProcessContext) async throws -> Reply {
            switch call {
            case .count(let item): Reply(items: [item: stock[item, default: 0]])
            case .all: Reply(items: stock)
            }
        }

        mutating func handle(cast: Cast, process: ProcessContext) async throws {
            stock[cast.item, default: 0] += cast.quantity
        }
    }

    @Test("typed calls and casts round-trip through terms")
    func typed() async throws {
        let node = Node()
        let pid = try await node.startServer(Inventory(), name: .local("inventory"))
        let inventory = TypedServerRef<Inventory>(.pid(pid))
        try await inventory.cast(.init(item: "apple", quantity: 3), on: node)
        try await inventory.cast(.init(item: "pear", quantity: 1), on: node)
        try await inventory.cast(.init(item: "apple", quantity: 2), on: node)
        #expect(try await inventory.call(.count(item: "apple"), on: node) == .init(items: ["apple": 5]))
        #expect(try await inventory.call(.all, on: node) == .init(items: ["apple": 5, "pear": 1]))

        // The same server by name, from a process, and its raw terms for non-Swift callers.
        let named = TypedServerRef<Inventory>(.name("inventory"))
        let fromProcess = Journal()
        node.spawn { process in
            let reply = try await named.call(.count(item: "pear"), from: process)
            fromProcess.record(.integer(reply.items["pear"] ?? -1))
        }
        #expect(try await fromProcess.wait(count: 1) == [1])
        let raw = try await node.call(.name("inventory"), try TermEncoder().encode(Inventory.Call.count(item: "pear")))
        #expect(raw == .map(TermMap([(.atom("items"), .map(TermMap([(.string("pear"), 1)])))])))
    }

    @Test("a request that does not decode gets {error, {bad_request, _}} and the server lives on")
    func badRequest() async throws {
        let node = Node()
        let pid = try await node.startServer(Inventory())
        let reply = try await node.call(.pid(pid), "nonsense")
        guard case .tuple(let parts) = reply, parts.count == 2, case .tuple(let inner) = parts[1] else {
            Issue.record("unexpected reply \(reply)")
            return
        }
        #expect(parts[0] == "error" && inner.first == "bad_request")
        await node.cast(.pid(pid), "also nonsense")
        #expect(try await TypedServerRef<Inventory>(.pid(pid)).call(.all, on: node) == .init(items: [:]))
        #expect(node.isAlive(pid))
    }
}
