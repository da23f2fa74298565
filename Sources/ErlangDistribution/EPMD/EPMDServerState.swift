import NIOCore
import Synchronization

/// The state an ``EPMDServer`` shares between its connections: the pure ``EPMDRegistry`` and the
/// open connections, behind one lock. Connections run on different event loops; every step here
/// is short and does no I/O.
final class EPMDServerState: Sendable {
    private struct Shared {
        var registry: EPMDRegistry
        var nextConnection: UInt64 = 1
        var channels: [EPMDConnectionID: any Channel] = [:]
        var stopped = false
    }

    private let shared: Mutex<Shared>

    init(registry: EPMDRegistry) {
        shared = Mutex(Shared(registry: registry))
    }

    /// Records a newly accepted connection; `nil` once the server is stopping.
    func open(_ channel: any Channel) -> EPMDConnectionID? {
        shared.withLock { shared in
            guard !shared.stopped else { return nil }
            let id = EPMDConnectionID(shared.nextConnection)
            shared.nextConnection += 1
            shared.channels[id] = channel
            return id
        }
    }

    /// Forgets a closed connection and the registration it held.
    func close(_ connection: EPMDConnectionID) -> EPMDRegistry.Entry? {
        shared.withLock { shared in
            shared.channels[connection] = nil
            return shared.registry.connectionClosed(connection)
        }
    }

    func register(_ node: EPMDNodeInfo, connection: EPMDConnectionID) -> EPMDRegistry.RegistrationResult {
        shared.withLock { $0.registry.register(node, connection: connection) }
    }

    func lookup(_ name: String) -> EPMDNodeInfo? {
        shared.withLock { $0.registry.lookup(name) }
    }

    var nameList: [EPMDNamesResponse.Entry] {
        shared.withLock { $0.registry.nameList }
    }

    var registeredNodes: [EPMDRegistry.Entry] {
        shared.withLock { $0.registry.registeredNodes }
    }

    /// Marks the server as stopping and hands back every open connection, to be closed.
    func stop() -> [any Channel] {
        shared.withLock { shared in
            shared.stopped = true
            return Array(shared.channels.values)
        }
    }
}
