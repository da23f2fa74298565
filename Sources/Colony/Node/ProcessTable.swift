import ErlangTerm
import Synchronization

/// The processes alive on a node, by pid, and the names registered for them.
final class ProcessTable: Sendable {
    private struct State: ~Copyable {
        var byID: [UInt64: LocalProcess] = [:]
        var names: [Atom: LocalProcess] = [:]
        var nextID: UInt64 = 1
    }

    private let state = Mutex(State())

    /// Allocates a pid on `node` and adds the process made for it.
    func add(node: Atom, creation: UInt32, schedule: (@Sendable () -> Void)? = nil) -> LocalProcess {
        state.withLock { state in
            // Erlang's <0.Id.Serial>: 28 bits of id, then the serial grows.
            let counter = state.nextID
            state.nextID += 1
            let pid = PID(
                node: node, id: UInt32(counter & 0x0FFF_FFFF), serial: UInt32(truncatingIfNeeded: counter >> 28),
                creation: creation)
            let process = LocalProcess(pid: pid, schedule: schedule)
            state.byID[Self.key(pid)] = process
            return process
        }
    }

    @inline(__always)
    static func key(_ pid: PID) -> UInt64 { UInt64(pid.serial) << 32 | UInt64(pid.id) }

    /// The live process with exactly this pid: a pid of another node or of an earlier
    /// incarnation of this one (another creation) that reuses the id finds nothing.
    func lookup(_ pid: PID) -> LocalProcess? {
        guard let process = state.withLock({ $0.byID[Self.key(pid)] }), process.pid == pid else { return nil }
        return process
    }

    func lookup(name: Atom) -> LocalProcess? {
        state.withLock { $0.names[name] }
    }

    /// Registers `name` for `process`; fails when the name is taken, the process has a name
    /// already, or it has exited.
    func register(_ name: Atom, _ process: LocalProcess) -> Bool {
        state.withLock { state in
            guard state.names[name] == nil, state.byID[Self.key(process.pid)] != nil else { return false }
            let accepted = process.state.withLock { ps -> Bool in
                guard ps.registeredName == nil, !ps.hasExited else { return false }
                ps.registeredName = name
                return true
            }
            if accepted { state.names[name] = process }
            return accepted
        }
    }

    func unregister(_ name: Atom) -> Bool {
        state.withLock { state in
            guard let process = state.names.removeValue(forKey: name) else { return false }
            process.state.withLock { $0.registeredName = nil }
            return true
        }
    }

    /// Removes an exited process and its name.
    func remove(_ process: LocalProcess, name: Atom?) {
        state.withLock { state in
            state.byID[Self.key(process.pid)] = nil
            if let name, state.names[name] === process { state.names[name] = nil }
        }
    }

    var count: Int { state.withLock { $0.byID.count } }

    var registeredNames: [Atom] { state.withLock { Array($0.names.keys) } }

    var all: [LocalProcess] { state.withLock { Array($0.byID.values) } }
}
