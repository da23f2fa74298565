import Colony
import ErlangTerm

extension Node {
    /// A process that answers `{From, Message}` with `Message`, for tests that round-trip.
    func spawnPlainEcho() -> PID {
        spawn { process in
            while true {
                if case .tuple(let t) = try await process.receive(), t.count == 2, case .pid(let from) = t[0] {
                    await process.send(t[1], to: from)
                }
            }
        }
    }
}
