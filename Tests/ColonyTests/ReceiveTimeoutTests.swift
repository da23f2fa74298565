import Colony
import ErlangTerm
import Testing

/// `receive(timeout:)` deadlines share one event-loop timer per node: a later deadline must not
/// delay an earlier one added after it, and a receive that got its message must not be woken.
@Suite("Receive timeouts", .timeLimit(.minutes(1)))
struct ReceiveTimeoutTests {
    @Test("deadlines added out of order each fire near their own time")
    func outOfOrder() async throws {
        let node = Node()
        let journal = Journal()
        // A long timeout first, then shorter ones: each must fire on time, not at the long one.
        for (index, milliseconds) in [2000, 300, 100, 200].enumerated() {
            node.spawn { process in
                let start = ContinuousClock.now
                let message = try await process.receive(timeout: .milliseconds(milliseconds))
                let waited = ContinuousClock.now - start
                journal.record(
                    .tuple([.integer(index), message ?? "timeout", .integer(Int(waited / .milliseconds(1)))]))
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let fired = try await journal.wait(count: 3, timeout: .seconds(5))
        let order = fired.prefix(3).compactMap { entry -> Int? in
            guard case .tuple(let t) = entry, case .integer(let index) = t[0] else { return nil }
            return index
        }
        #expect(order == [2, 3, 1])
        for entry in fired.prefix(3) {
            guard case .tuple(let t) = entry, case .integer(let index) = t[0], case .integer(let waited) = t[2] else {
                continue
            }
            let asked = [2000, 300, 100, 200][index]
            #expect(t[1] == "timeout")
            #expect(waited >= asked && waited < asked + 1000, "receive \(index) waited \(waited) ms for \(asked) ms")
        }
    }

    @Test("many short receives that get their message are not disturbed by their cancelled deadlines")
    func cancelledDeadlines() async throws {
        let node = Node()
        let journal = Journal()
        let echo = node.spawn { process in
            while true {
                if case .tuple(let t) = try await process.receive(), case .pid(let from) = t[0] {
                    await process.send(t[1], to: from)
                }
            }
        }
        node.spawn { process in
            var answered = 0
            for i in 0..<5000 {
                await process.send(.tuple([.pid(process.pid), .integer(i)]), to: echo)
                if try await process.receive(timeout: .seconds(30)) == .integer(i) { answered += 1 }
            }
            // After thousands of cancelled deadlines, a real one still fires on time.
            let start = ContinuousClock.now
            let none = try await process.receive(timeout: .milliseconds(50))
            let waited = ContinuousClock.now - start
            journal.record(.tuple([.integer(answered), none ?? "timeout", waited < .seconds(2) ? "on_time" : "late"]))
        }
        #expect(try await journal.wait(count: 1, timeout: .seconds(30)) == [.tuple([5000, "timeout", "on_time"])])
    }
}
