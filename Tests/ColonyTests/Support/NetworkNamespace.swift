import ColonyTestSupport
import Foundation

/// A network namespace with loopback up, deleted (with every rule and link in it) by ``delete()``.
final class NetworkNamespace: Sendable {
    let name: String
    let ip: URL

    /// Creates `name` (default: a random `colony-ns-…` name).
    init(name: String = "colony-ns-\(UInt32.random(in: 0...UInt32.max))") async throws {
        self.name = name
        ip = ExternalProcess.find("ip") ?? URL(fileURLWithPath: "/usr/sbin/ip")
        try await Self.run(ip, ["netns", "add", name])
        do {
            try await exec(["ip", "link", "set", "lo", "up"])
        } catch {
            delete()
            throw error
        }
    }

    /// Whether this process may create namespaces.
    static var isAvailable: Bool { getuid() == 0 }

    static func run(_ executable: URL, _ arguments: [String]) async throws {
        let outcome = try await ExternalProcess.run(executable, arguments, timeout: .seconds(20))
        guard outcome.succeeded else {
            throw ExternalProcess.Failure(
                description: "\(executable.lastPathComponent) \(arguments): \(outcome.standardError)")
        }
    }

    /// Runs a command inside the namespace and waits for it.
    func exec(_ command: [String]) async throws {
        try await Self.run(ip, ["netns", "exec", name] + command)
    }

    /// A process started inside the namespace (`ip netns exec` execs it: same PID).
    func start(_ executable: URL, _ arguments: [String], environment: [String: String?] = [:]) throws
        -> ExternalProcess
    {
        let process = ExternalProcess(
            executable: ip, arguments: ["netns", "exec", name, executable.path] + arguments, environment: environment)
        try process.start()
        return process
    }

    /// Deletes the namespace (synchronously, so that it can run in a `defer`).
    func delete() {
        let semaphore = DispatchSemaphore(value: 0)
        let name = name
        let ip = ip
        Task {
            _ = try? await ExternalProcess.run(ip, ["netns", "delete", name], timeout: .seconds(20))
            semaphore.signal()
        }
        _ = semaphore.wait(timeout: .now() + 30)
    }
}

/// Hosts in namespaces of their own on one LAN: each host's `eth0` (10.77.0.N/24) is one end
/// of a veth pair whose other end is on a bridge in a hub namespace. ``cut(_:from:)`` drops
/// packets between hosts with nftables rules in their namespaces; ``heal()`` removes them. Deleting
/// the namespaces (``delete()``) removes every link and rule.
final class NamespaceNetwork: Sendable {
    let hub: NetworkNamespace
    let hosts: [NetworkNamespace]
    private let nft: URL

    /// `count` hosts, numbered from 1 (address 10.77.0.N).
    init(hosts count: Int) async throws {
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        nft = ExternalProcess.find("nft") ?? URL(fileURLWithPath: "/usr/sbin/nft")
        hub = try await NetworkNamespace(name: "colony-net-\(tag)-hub")
        var hosts: [NetworkNamespace] = []
        do {
            try await hub.exec(["ip", "link", "add", "br0", "type", "bridge"])
            try await hub.exec(["ip", "link", "set", "br0", "up"])
            for index in 1...count {
                let host = try await NetworkNamespace(name: "colony-net-\(tag)-\(index)")
                hosts.append(host)
                try await hub.exec([
                    "ip", "link", "add", "v\(index)", "type", "veth", "peer", "name", "eth0", "netns", host.name,
                ])
                try await hub.exec(["ip", "link", "set", "v\(index)", "master", "br0", "up"])
                try await host.exec(["ip", "addr", "add", "\(Self.address(index))/24", "dev", "eth0"])
                try await host.exec(["ip", "link", "set", "eth0", "up"])
                try await host.exec([nft.path, "add", "table", "inet", "colony"])
                for hook in ["input", "output"] {
                    try await host.exec([
                        nft.path, "add", "chain", "inet", "colony", hook,
                        "{ type filter hook \(hook) priority 0 ; policy accept ; }",
                    ])
                }
            }
        } catch {
            for host in hosts { host.delete() }
            hub.delete()
            throw error
        }
        self.hosts = hosts
    }

    /// The address of host `index` (from 1).
    static func address(_ index: Int) -> String { "10.77.0.\(index)" }

    /// Drops every packet between the hosts in `side` and those in `other` (indices from 1), in
    /// both directions.
    func cut(_ side: [Int], from other: [Int]) async throws {
        for (mine, theirs) in [(side, other), (other, side)] {
            for index in mine {
                for peer in theirs {
                    let host = hosts[index - 1]
                    try await host.exec([
                        nft.path, "add", "rule", "inet", "colony", "input", "ip", "saddr", Self.address(peer), "drop",
                    ])
                    try await host.exec([
                        nft.path, "add", "rule", "inet", "colony", "output", "ip", "daddr", Self.address(peer), "drop",
                    ])
                }
            }
        }
    }

    /// Removes every cut.
    func heal() async throws {
        for host in hosts {
            for hook in ["input", "output"] {
                try await host.exec([nft.path, "flush", "chain", "inet", "colony", hook])
            }
        }
    }

    /// Deletes every namespace, with their links and rules.
    func delete() {
        for host in hosts { host.delete() }
        hub.delete()
    }
}
