import Colony
import ColonyDashboard
import ColonyTestSupport
import ErlangTerm
import Foundation
import Testing

/// The dashboard's collector and server against a real cluster: two Colony nodes and a real
/// Erlang node. The model shows each with what it runs; `/api/cluster` answers it as JSON,
/// `/events` streams it as server-sent events, and a killed Erlang node shows down.
@Suite("Dashboard: collector and server", .serialized)
struct DashboardServerTests {
    @Test(
        "Colony and Erlang nodes on the model, over HTTP and server-sent events; a killed node goes down",
        .timeLimit(.minutes(2)))
    func clusterOverHTTP() async throws {
        try await InteropScope.run("dashboard") { scope in
            let epmdPort = try await scope.startEPMD(.colony)
            let observer = try await scope.startNode(name: "dash_o@127.0.0.1", cookie: "dash", epmdPort: epmdPort)
            let member = try await scope.startNode(name: "dash_m@127.0.0.1", cookie: "dash", epmdPort: epmdPort)
            let erl = try await scope.startAgent(
                name: "dash_erl@127.0.0.1", cookie: "dash", epmdPort: epmdPort, colony: observer.name.name)
            #expect(await observer.connect(to: member.name) == .connected)
            #expect(await observer.connect(to: "dash_erl@127.0.0.1") == .connected)
            _ = try await member.startSupervisor(
                children: [ChildSpec(id: "idle") { node, sup in node.spawn(link: sup) { _ = try await $0.receive() } }],
                name: .local("member_sup"))

            let collector = DashboardCollector.start(on: observer, interval: .milliseconds(200))
            let server = try await DashboardServer.start(collector: collector, port: 0)
            do {
                let model = try await Self.waitForModel(server, timeout: .seconds(20)) { model in
                    model.nodes.count == 3 && model.nodes.allSatisfy { $0.status == "up" && $0.runtime != "unknown" }
                }
                let byName = Dictionary(uniqueKeysWithValues: model.nodes.map { ($0.name, $0) })
                #expect(model.observer == "dash_o@127.0.0.1")
                #expect(byName["dash_erl@127.0.0.1"]?.runtime == "erlang")
                #expect((byName["dash_erl@127.0.0.1"]?.processCount ?? 0) > 10)
                #expect(byName["dash_m@127.0.0.1"]?.runtime == "colony")
                #expect(byName["dash_m@127.0.0.1"]?.supervision.first?.id == "member_sup")
                #expect(byName["dash_m@127.0.0.1"]?.supervision.first?.children.first?.id == "idle")
                #expect(model.links.contains { $0.from == "dash_erl@127.0.0.1" && $0.to == "dash_o@127.0.0.1" })
                #expect(model.events.contains { $0.kind == .nodeUp && $0.subject == "dash_m@127.0.0.1" })

                // The page and the event stream.
                let page = try Self.get(server.port, "/")
                #expect(page.contains("EventSource(\"events\")"))
                let event = try LoopbackHTTP.firstEvent(port: server.port, path: "/events", timeout: .seconds(5))
                #expect(event.head.contains("text/event-stream"), "\(event.head)")
                let streamed = try JSONDecoder().decode(ClusterModel.self, from: Data(event.data.utf8))
                #expect(streamed.observer == "dash_o@127.0.0.1")

                erl.kill()
                let after = try await Self.waitForModel(server, timeout: .seconds(20)) { model in
                    model.nodes.first { $0.name == "dash_erl@127.0.0.1" }?.status == "down"
                }
                let down = try #require(after.nodes.first { $0.name == "dash_erl@127.0.0.1" })
                #expect(down.reason != nil)
                #expect(!after.links.contains { $0.from == "dash_erl@127.0.0.1" || $0.to == "dash_erl@127.0.0.1" })
                #expect(after.events.contains { $0.kind == .nodeDown && $0.subject == "dash_erl@127.0.0.1" })
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
            #expect(!ExternalProcess.acceptsConnections(port: UInt16(server.port)), "still listening after stop")
        }
    }

    @Test("colony dashboard joins a cluster from a hidden node and serves it", .timeLimit(.minutes(1)))
    func command() async throws {
        let epmdPort = Int(try ExternalProcess.freeLoopbackPort())
        let member = try ColonyBinary.startNode(name: "dashcmd_m@127.0.0.1", cookie: "dashcmd", epmdPort: epmdPort)
        defer { member.kill() }
        #expect(await member.waitForOutput("started", timeout: .seconds(20)), "\(member.standardError)")
        let httpPort = Int(try ExternalProcess.freeLoopbackPort())
        let dashboard = ExternalProcess(
            executable: try ColonyBinary.url,
            arguments: [
                "dashboard", "--name", "dashcmd_d@127.0.0.1", "--cookie", "dashcmd", "--epmd-port", String(epmdPort),
                "--listen", "127.0.0.1", "--hidden", "--connect", "dashcmd_m@127.0.0.1", "--port", String(httpPort),
            ])
        try dashboard.start()
        defer { dashboard.kill() }
        #expect(
            await dashboard.waitForOutput("dashboard of", timeout: .seconds(20)),
            "\(dashboard.standardOutput)\n\(dashboard.standardError)")
        let deadline = ContinuousClock.now + .seconds(20)
        var found: ClusterModel.Member?
        while ContinuousClock.now < deadline {
            let json = try Self.get(httpPort, "/api/cluster")
            let model = try JSONDecoder().decode(ClusterModel.self, from: Data(json.utf8))
            found = model.nodes.first { $0.name == "dashcmd_m@127.0.0.1" && $0.runtime == "colony" }
            if found?.supervision.isEmpty == false { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let seen = try #require(found, "the dashboard never showed the member")
        #expect(seen.status == "up")
        #expect(seen.supervision.first?.id == "colony_root_sup")
        #expect(seen.supervision.first?.children.map(\.id) == ["echo", "kv"])
        dashboard.signal(SIGTERM)
        #expect(await dashboard.wait(timeout: .seconds(10)) == 0, "\(dashboard.standardError)")
        #expect(dashboard.standardOutput.contains("stopped"))
    }

    static func get(_ port: Int, _ path: String) throws -> String {
        let response = try LoopbackHTTP.request("GET", port: port, path: path, timeout: .seconds(10))
        #expect(response.status == 200, "\(response.head)")
        return String(decoding: response.body, as: UTF8.self)
    }

    /// `/api/cluster`, read until `done` holds; the last model when `timeout` passes first fails.
    static func waitForModel(
        _ server: DashboardServer, timeout: Duration, until done: (ClusterModel) -> Bool
    ) async throws -> ClusterModel {
        let deadline = ContinuousClock.now + timeout
        var last: ClusterModel?
        while ContinuousClock.now < deadline {
            let json = try get(server.port, "/api/cluster")
            let model = try JSONDecoder().decode(ClusterModel.self, from: Data(json.utf8))
            if done(model) { return model }
            last = model
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ExternalProcess.Failure(description: "the model never got there: \(String(describing: last))")
    }
}
