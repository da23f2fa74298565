import ColonyTestSupport
import Foundation
import Testing

/// The dashboard in a real browser: `colony demo` runs with its dashboard, headless Chromium
/// loads the page, sees the three member nodes up (in the graph, on their cards, and in each
/// member's membership view), one member is killed with SIGKILL, and the page shows it down, live,
/// without a reload: in the graph, and in the others' membership views, unreachable then downed.
@Suite("Dashboard: in a browser", .serialized)
struct DashboardBrowserTests {
    @Test("the page shows the demo's nodes, then a killed member going down", .timeLimit(.minutes(4)))
    func memberGoesDown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "colony-dashboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let demo = ExternalProcess(
            executable: try ColonyBinary.url, arguments: ["demo", "--tls", "--dashboard-port", "0"])
        try demo.start()
        defer {
            // The demo kills its members when it gets SIGTERM; SIGKILL if it lingers.
            demo.signal(SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while demo.isRunning && Date() < deadline { usleep(20_000) }
            demo.kill()
        }
        let ready = await demo.waitForOutput("Press Ctrl-C", timeout: .seconds(150))
        let output = demo.standardOutput
        try #require(ready, "the demo did not finish its scenarios:\n\(output)\n\(demo.standardError)")
        let url = try #require(Self.dashboardURL(in: output), "no dashboard URL in:\n\(output)")
        let victim = "demo_b@127.0.0.1"
        let victimPID = try #require(Self.pid(of: victim, in: output), "no OS pid for \(victim) in:\n\(output)")

        let browser = try await WebDriver(directory: directory)
        defer { browser.stop() }
        try await browser.navigate(to: url)
        let members = ["demo_a@127.0.0.1", "demo_b@127.0.0.1", "demo_c@127.0.0.1"]
        let allUp = try await Self.poll(browser, timeout: .seconds(30)) { statuses in
            members.allSatisfy { statuses["graph:\($0)"] == "up" && statuses["card:\($0)"] == "up" }
                && members.allSatisfy { observer in members.allSatisfy { statuses["member:\(observer):\($0)"] == "up" }
                }
                // The demo's GlobalStateManager, registered on demo_c, is listed by every member.
                && members.allSatisfy { statuses["name:\($0):state_manager"] == "yes" }
                // The ddata scenario's counter, the same total on every member.
                && members.allSatisfy { statuses["key:\($0):demo_visits"] == "30" }
                // The store scenario's table and every replica's role and commit index; one leads.
                && members.allSatisfy { statuses["table:\($0):cache"] == "yes" && statuses["store:\($0)"] != nil }
                && members.count { statuses["store:\($0)"]?.hasPrefix("leader@") == true } == 1
                // The demo runs over TLS: each card says so, and so does each connection.
                && members.allSatisfy { statuses["transport:\($0)"] == "tls" }
                && members.allSatisfy { member in
                    members.allSatisfy { peer in
                        peer == member || statuses["peer:\(member):\(peer)"]?.hasPrefix("tls TLSv1.") == true
                    }
                }
        }
        let seen = allUp == nil ? try await Self.statuses(browser) : [:]
        try #require(allUp != nil, "the page never showed every member up in every view: \(seen)")

        kill(victimPID, SIGKILL)
        // The survivors' membership views: the victim is unreachable, then their resolver downs it.
        let afterKill = try await Self.poll(browser, timeout: .seconds(30)) { statuses in
            statuses["graph:\(victim)"] == "down" && statuses["card:\(victim)"] == "down"
                && ["demo_a@127.0.0.1", "demo_c@127.0.0.1"].allSatisfy { statuses["member:\($0):\(victim)"] == "down" }
        }
        let seenAfter = afterKill == nil ? try await Self.statuses(browser) : [:]
        let statuses = try #require(afterKill, "the page never showed \(victim) down: \(seenAfter)")
        #expect(statuses["graph:demo_a@127.0.0.1"] == "up")
        #expect(statuses["graph:demo_c@127.0.0.1"] == "up")
        #expect(statuses["live"] == "on", "the page's event stream is not live: \(statuses)")
        let events = try await browser.execute(
            "return [...document.querySelectorAll('#events li[data-kind=nodedown]')].map(e => e.textContent).join('\\n')"
        )
        #expect(
            (events as? String)?.contains(victim) == true,
            "no nodedown event on the page: \(String(describing: events))")

        let png = try await browser.screenshot()
        let file = directory.appendingPathComponent("dashboard.png")
        try png.write(to: file)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "the screenshot is not a PNG")
        #expect(png.count > 10_000, "the screenshot is \(png.count) bytes")
        print("dashboard screenshot: \(file.path)")
    }

    /// The statuses on the page: `graph:NODE` and `card:NODE` for each node drawn,
    /// `member:OBSERVER:NODE` for each row of each membership view, `group:NODE:GROUP` (the
    /// member count) for each pg group a node lists, `name:NODE:NAME` for each global name it
    /// lists, `key:NODE:KEY` (the value's summary) for each replicated key, `store:NODE` (its
    /// store replica's role and commit index, `role@index`), `table:NODE:TABLE`, and `live`.
    static func statuses(_ browser: WebDriver) async throws -> [String: String] {
        let script = """
            const out = {};
            for (const e of document.querySelectorAll('#graph [data-node]')) out['graph:' + e.dataset.node] = e.dataset.status;
            for (const e of document.querySelectorAll('#cards [data-node]')) {
              out['card:' + e.dataset.node] = e.dataset.status;
              for (const r of e.querySelectorAll('[data-member]')) out['member:' + e.dataset.node + ':' + r.dataset.member] = r.dataset.memberStatus;
              for (const r of e.querySelectorAll('[data-group]')) out['group:' + e.dataset.node + ':' + r.dataset.group] = r.dataset.groupSize;
              for (const r of e.querySelectorAll('[data-global-name]')) out['name:' + e.dataset.node + ':' + r.dataset.globalName] = 'yes';
              for (const r of e.querySelectorAll('[data-replicated-key]')) out['key:' + e.dataset.node + ':' + r.dataset.replicatedKey] = r.dataset.replicatedValue;
              for (const t of e.querySelectorAll('table.store')) out['store:' + e.dataset.node] = t.dataset.storeRole + '@' + t.dataset.storeCommit;
              for (const r of e.querySelectorAll('[data-store-table]')) out['table:' + e.dataset.node + ':' + r.dataset.storeTable] = 'yes';
              for (const b of e.querySelectorAll('[data-transport]')) out['transport:' + e.dataset.node] = b.dataset.transport;
              for (const r of e.querySelectorAll('[data-peer-transport]')) out['peer:' + e.dataset.node + ':' + r.dataset.peer] = r.dataset.peerTransport;
            }
            out['live'] = document.getElementById('live').className;
            return out;
            """
        return (try await browser.execute(script) as? [String: String]) ?? [:]
    }

    /// Reads the page's statuses until `done` holds (and returns them) or `timeout` passes (nil).
    static func poll(
        _ browser: WebDriver, timeout: Duration, until done: ([String: String]) -> Bool
    ) async throws -> [String: String]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let statuses = try await statuses(browser)
            if done(statuses) { return statuses }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    static func dashboardURL(in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("Dashboard: ") }.map { String($0.dropFirst(11)) }
    }

    /// The OS pid the demo printed last for `node` (`started 'NODE' (OS pid N)`).
    static func pid(of node: String, in output: String) -> Int32? {
        output.split(separator: "\n").last { $0.contains("started '\(node)'") }
            .flatMap { $0.split(separator: " ").last?.dropLast() }
            .flatMap { Int32($0) }
    }
}
