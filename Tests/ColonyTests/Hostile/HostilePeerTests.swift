import Colony
import ErlangDistribution
import ErlangTerm
import Testing

/// A peer that authenticates and then misbehaves: the node drops that peer with a reason, stays
/// up, keeps serving a well-behaved peer during the attack, and its memory stays bounded.
@Suite("Hostile peer", .serialized)
struct HostilePeerTests {
    enum Attack: String, CaseIterable {
        case malformedFrame, unknownControl, deepNesting, atomFlood, fragmentBomb, slowReader
    }

    @Test(
        "each attack drops the attacker; the node stays up and serves a good peer throughout", .timeLimit(.minutes(2)))
    func attacks() async throws {
        try await InteropScope.run("hostile") { scope in
            let cookie = "hostile"
            let epmdPort = try await scope.startEPMD(.colony)
            var configuration = NodeConfiguration(name: "target@127.0.0.1", cookie: cookie)
            configuration.epmdPort = epmdPort
            configuration.startsEPMDServer = false
            configuration.listenAddress = "127.0.0.1"
            configuration.tickTime = .seconds(4)
            configuration.maximumFragmentBytesPerConnection = 4 << 20
            configuration.maximumFragmentBytesPerNode = 16 << 20
            let node = try await Node.start(configuration)
            scope.adopt(node: node)
            let echo = node.spawnPlainEcho()
            node.register("echo", pid: echo)
            let good = try await scope.startNode(
                name: "good@127.0.0.1", cookie: cookie, epmdPort: epmdPort, tickTime: .seconds(4))
            let port = try #require(node.distributionPort)
            let memoryBefore = residentHighWaterKiB()

            for attack in Attack.allCases {
                let client = try await HostileClient.connect(
                    port: port, to: node.name, name: "evil_\(attack.rawValue)@127.0.0.1", cookie: cookie)
                let evil = PID(node: Atom(client.name), id: 1, serial: 0, creation: 77)
                // The good peer round-trips with the node all through the attack.
                let service = Task { try await Self.serve(good, echo: node.name) }
                try await Self.run(attack, client: client, node: node, evil: evil)
                let dropped = await Self.dropped(
                    Atom(client.name), by: node, within: attack == .slowReader ? .seconds(20) : .seconds(5))
                #expect(dropped, "\(attack): the node kept the attacker")
                let served = try await service.value
                #expect(served >= 20, "\(attack): the good peer got \(served) answers")
                #expect(node.isAlive(echo), "\(attack)")
                await client.close()
            }
            let growth = residentHighWaterKiB() - memoryBefore
            print("hostile peer: resident high-water grew by \(growth) KiB over all attacks")
            #expect(growth < 400 * 1024, "memory high-water grew by \(growth) KiB")
        }
    }

    /// Whether the node has dropped its connection to `peer` within `timeout`.
    static func dropped(_ peer: Atom, by node: Node, within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !node.nodes(.connected).contains(peer) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Echo round trips from `good` to the node until a second has passed: how many came back.
    static func serve(_ good: Node, echo node: Atom) async throws -> Int {
        try await good.runProcess { process in
            var answered = 0
            let end = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < end {
                await process.send(.tuple([.pid(process.pid), .integer(answered)]), to: "echo", on: node)
                guard try await process.receive(timeout: .seconds(2)) != nil else { break }
                answered += 1
            }
            return answered
        }
    }

    static func run(_ attack: Attack, client: HostileClient, node: Node, evil: PID) async throws {
        let send = try RawETF.registeredSend(from: evil, to: "echo")
        switch attack {
        case .malformedFrame:
            try await client.send(frame: RawETF.header + [255, 255, 1])
        case .unknownControl:
            try await client.send(frame: RawETF.header + [104, 2, 97, 99] + RawETF.atom("what"))
        case .deepNesting:
            try await client.send(frame: RawETF.header + send + RawETF.nested(100_000))
        case .atomFlood:
            let table = AtomTable.shared
            let (limit, before) = (table.inputLimit, table.count)
            table.inputLimit = table.createdFromInput + 2_000
            defer { table.inputLimit = limit }
            for round in 0..<10 {
                try? await client.send(frame: RawETF.header + send + RawETF.freshAtoms(1_000, tag: "\(round)"))
            }
            _ = await dropped(Atom(client.name), by: node, within: .seconds(5))
            #expect(table.count - before <= 2_100, "the flood made \(table.count - before) atoms")
        case .fragmentBomb:
            for sequence in 1...12 {
                try? await client.send(frame: RawETF.firstFragment(sequence: UInt64(sequence), size: 1 << 20))
            }
        case .slowReader:
            try await client.stopReading()
            // A process floods the attacker with 64 KiB messages: it waits at the connection's
            // high-water mark instead of the node buffering without bound, until the attacker,
            // which sends no ticks either, is dropped.
            node.spawn { process in
                let chunk = Term.binary([UInt8](repeating: 7, count: 64 << 10))
                for _ in 0..<2_000 { await process.send(chunk, to: evil) }
            }
        }
    }
}
