import ColonyConfiguration
import ColonyTestSupport
import Foundation
import Testing
import Yams

/// The Kubernetes manifests in `deploy/kubernetes` against what Colony reads: environment names,
/// ports, the headless service, the cookie's secret, and probes that run a real health check.
@Suite("Deploy: Kubernetes manifests", .serialized)
struct KubernetesManifestTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Every document of `deploy/kubernetes/NAME`.
    static func manifest(_ name: String) throws -> [String: Any] {
        let text = try String(
            contentsOf: root.appendingPathComponent("deploy/kubernetes/\(name)"), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any], "\(name) is not a mapping")
    }

    static func value(_ object: Any?, _ path: String...) -> Any? {
        var current = object
        for key in path {
            if let index = Int(key), let array = current as? [Any] {
                current = index < array.count ? array[index] : nil
            } else {
                current = (current as? [String: Any])?[key]
            }
        }
        return current
    }

    struct Manifests {
        let statefulSet: [String: Any]
        let service: [String: Any]
        let secret: [String: Any]
        var container: [String: Any] {
            KubernetesManifestTests.value(statefulSet, "spec", "template", "spec", "containers", "0") as? [String: Any]
                ?? [:]
        }
        var environment: [[String: Any]] { container["env"] as? [[String: Any]] ?? [] }

        func environmentValue(_ name: String) -> String? {
            environment.first { $0["name"] as? String == name }?["value"] as? String
        }
    }

    static func load() throws -> Manifests {
        Manifests(
            statefulSet: try manifest("statefulset.yaml"), service: try manifest("service.yaml"),
            secret: try manifest("secret.yaml"))
    }

    @Test("the StatefulSet, the headless Service and the Secret agree with each other")
    func consistent() throws {
        let m = try Self.load()
        #expect(m.statefulSet["kind"] as? String == "StatefulSet")
        let serviceName = Self.value(m.service, "metadata", "name") as? String
        #expect(Self.value(m.statefulSet, "spec", "serviceName") as? String == serviceName)
        #expect(Self.value(m.service, "spec", "clusterIP") as? String == "None", "the service is headless")
        let selector = Self.value(m.service, "spec", "selector") as? [String: String] ?? [:]
        let labels = Self.value(m.statefulSet, "spec", "template", "metadata", "labels") as? [String: String] ?? [:]
        #expect(!selector.isEmpty && selector.allSatisfy { labels[$0.key] == $0.value }, "the service selects the pods")
        // The cookie comes from the Secret, by a name and key that exist.
        let cookie = m.environment.first { $0["name"] as? String == "RELEASE_COOKIE" }
        let reference = Self.value(cookie, "valueFrom", "secretKeyRef") as? [String: String]
        #expect(reference?["name"] == Self.value(m.secret, "metadata", "name") as? String)
        let stringData = Self.value(m.secret, "stringData") as? [String: String] ?? [:]
        #expect(reference.flatMap { stringData[$0["key"] ?? ""] } != nil, "the secret has the cookie's key")
        // One distribution port everywhere: the container's, the service's and COLONY_DIST_PORT.
        let ports = m.container["ports"] as? [[String: Any]] ?? []
        let containerPort = ports.first { $0["name"] as? String == "distribution" }?["containerPort"] as? Int
        let servicePort = Self.value(m.service, "spec", "ports", "0", "port") as? Int
        #expect(containerPort != nil && containerPort == servicePort)
        #expect(m.environmentValue("COLONY_DIST_PORT") == containerPort.map(String.init))
        // The metrics endpoint: the env's port is the container's, and the scrape annotation's.
        let metricsPort = ports.first { $0["name"] as? String == "metrics" }?["containerPort"] as? Int
        #expect(metricsPort != nil && m.environmentValue("COLONY_METRICS_PORT") == metricsPort.map(String.init))
        let annotations =
            Self.value(m.statefulSet, "spec", "template", "metadata", "annotations") as? [String: String] ?? [:]
        #expect(annotations["prometheus.io/port"] == metricsPort.map(String.init))
        // Requests that let the scheduler place the pods.
        let requests = Self.value(m.container, "resources", "requests") as? [String: Any] ?? [:]
        #expect(requests["cpu"] != nil && requests["memory"] != nil)
    }

    @Test("every environment variable is one Colony reads, and together they make colony@<pod IP>")
    func environment() async throws {
        let m = try Self.load()
        let known = Set(Setting.all.flatMap(\.environment))
        for variable in m.environment {
            let name = variable["name"] as? String ?? "?"
            #expect(known.contains(name), "\(name) is not a setting Colony reads")
        }
        #expect(
            Self.value(m.environment.first { $0["name"] as? String == "POD_IP" }, "valueFrom", "fieldRef", "fieldPath")
                as? String == "status.podIP")
        // What the pod's node makes of that environment, with the pod IP and secret filled in.
        var environment: [String: String] = ["POD_IP": "10.0.0.7", "RELEASE_COOKIE": "from-secret"]
        for variable in m.environment {
            if let name = variable["name"] as? String, let value = variable["value"] as? String {
                environment[name] = value
            }
        }
        let settings = try await ColonySettings.load(flags: [:], environment: environment)
        #expect(settings.nodeName == "colony@10.0.0.7")
        #expect(settings.cookie == "from-secret")
        #expect(!settings.usesEPMD && settings.distributionPort == 9100)
        #expect(settings.metricsPort == 9568)
        // Discovery polls the headless service's A records, naming each pod colony@<IP>.
        let service = try #require(m.statefulSet["spec"] as? [String: Any])["serviceName"] as? String
        #expect(settings.cluster.kubernetesDNS == "\(service ?? "?").$(COLONY_KUBERNETES_NAMESPACE).svc.cluster.local")
        #expect(settings.cluster.nodeBasename == "colony")
        #expect(
            Self.value(
                m.environment.first { $0["name"] as? String == "COLONY_KUBERNETES_NAMESPACE" }, "valueFrom", "fieldRef",
                "fieldPath") as? String == "metadata.namespace")
    }

    @Test(
        "the probes run colony health, which passes for a running node and fails once it is gone",
        .timeLimit(.minutes(1)))
    func probes() async throws {
        let m = try Self.load()
        for probe in ["readinessProbe", "livenessProbe"] {
            let command = Self.value(m.container, probe, "exec", "command") as? [String]
            #expect(command == ["colony", "health"], "\(probe): \(String(describing: command))")
        }
        // The pod's environment on this machine: loopback for the pod IP, a free port for 9100.
        let port = String(try ExternalProcess.freeLoopbackPort())
        var environment: [String: String?] = ["POD_IP": "127.0.0.1", "RELEASE_COOKIE": "probe-test"]
        for variable in m.environment {
            if let name = variable["name"] as? String, let value = variable["value"] as? String {
                environment[name] = value
            }
        }
        environment["COLONY_DIST_PORT"] = port
        environment["COLONY_LISTEN"] = "127.0.0.1"
        environment["COLONY_METRICS_PORT"] = String(try ExternalProcess.freeLoopbackPort())
        // Discovery asks a DNS server on loopback where none answers: no query leaves the machine.
        environment["COLONY_DNS_SERVER"] = "127.0.0.1:\(try ExternalProcess.freeLoopbackPort())"
        let node = ExternalProcess(executable: try ColonyBinary.url, arguments: ["node"], environment: environment)
        try node.start()
        defer { node.kill() }
        #expect(await node.waitForOutput("started", timeout: .seconds(20)), "\(node.standardError)")
        let healthy = try await ExternalProcess.run(
            try ColonyBinary.url, ["health"], environment: environment, timeout: .seconds(20))
        #expect(healthy.status == 0, "\(healthy.standardOutput) \(healthy.standardError)")
        #expect(healthy.standardOutput.contains("healthy: 'colony@127.0.0.1'"))
        node.kill()
        _ = await node.wait(timeout: .seconds(5))
        let gone = try await ExternalProcess.run(
            try ColonyBinary.url, ["health"], environment: environment, timeout: .seconds(20))
        #expect(gone.status == 1, "\(gone.standardOutput) \(gone.standardError)")
    }

    @Test("the Dockerfile runs colony node and exposes the distribution port")
    func dockerfile() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(text.contains(#"ENTRYPOINT ["colony"]"#))
        #expect(text.contains(#"CMD ["node"]"#))
        #expect(text.contains("EXPOSE 9100"))
        #expect(text.contains("--static-swift-stdlib"))
    }
}
