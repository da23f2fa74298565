import Colony
import ColonyCluster
import ColonyTestSupport
import ErlangTerm
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle
import Testing

/// The Kubernetes API strategy: recorded `EndpointSlice` and `Pod` lists read into nodes (ready
/// and running ones only), and a node connecting to the pod an HTTPS API server on loopback lists,
/// with the service account's bearer token and the cluster's CA (made by the test with openssl).
@Suite("Cluster: Kubernetes API", .serialized)
struct KubernetesAPITests {
    static let endpointSlices = #"""
        {"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":{"resourceVersion":"42"},
         "items":[{"metadata":{"name":"colony-abc12","labels":{"app":"colony"}},"addressType":"IPv4",
           "endpoints":[
             {"addresses":["127.0.0.2"],"conditions":{"ready":true,"serving":true},"targetRef":{"kind":"Pod","name":"colony-0"}},
             {"addresses":["10.1.0.9"],"conditions":{"ready":false},"targetRef":{"kind":"Pod","name":"colony-1"}},
             {"addresses":["10.1.0.10"]}],
           "ports":[{"name":"epmd","port":4369,"protocol":"TCP"}]}]}
        """#

    /// The same list with loopback addresses only, for the test that connects: traffic stays on
    /// this machine (127.0.0.3 has no node: its attempts are refused at once).
    static let loopbackSlices = endpointSlices.replacingOccurrences(of: "10.1.0.10", with: "127.0.0.3")
        .replacingOccurrences(of: "10.1.0.9", with: "127.0.0.4")

    static let pods = #"""
        {"kind":"PodList","apiVersion":"v1","items":[
          {"metadata":{"name":"colony-0"},"status":{"phase":"Running","podIP":"10.1.0.8"}},
          {"metadata":{"name":"colony-1"},"status":{"phase":"Pending"}},
          {"metadata":{"name":"colony-2","deletionTimestamp":"2026-12-06T10:00:00Z"},"status":{"phase":"Running","podIP":"10.1.0.11"}}]}
        """#

    @Test("ready endpoints and running pods are the nodes; anything else is an error")
    func recorded() throws {
        #expect(
            try KubernetesObjects.nodes(fromEndpointSlices: Data(Self.endpointSlices.utf8), basename: "colony")
                == ["colony@127.0.0.2", "colony@10.1.0.10"])
        #expect(try KubernetesObjects.nodes(fromPods: Data(Self.pods.utf8), basename: "colony") == ["colony@10.1.0.8"])
        #expect(throws: (any Error).self) {
            try KubernetesObjects.nodes(fromPods: Data(#"{"kind":"Status","code":403}"#.utf8), basename: "x")
        }
        #expect(
            KubernetesAPIStrategy.path(namespace: "prod", labelSelector: "app=colony,tier in (a b)", source: .pods)
                == "/api/v1/namespaces/prod/pods?labelSelector=app%3Dcolony,tier%20in%20(a%20b)")
    }

    /// Runs `openssl` with `arguments` in `directory`.
    static func openssl(_ arguments: [String], in directory: URL) async throws {
        let tool = try #require(ExternalProcess.find("openssl"), "openssl is not installed (scripts/test installs it)")
        let outcome = try await ExternalProcess.run(
            tool, arguments.map { $0.replacingOccurrences(of: "@", with: directory.path + "/") }, timeout: .seconds(30))
        guard outcome.succeeded else { throw ExternalProcess.Failure(description: "openssl: \(outcome.standardError)") }
    }

    @Test("a node connects to the pod the API lists, over TLS with the bearer token", .timeLimit(.minutes(1)))
    func againstAPIServer() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colony-k8s-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.openssl(
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "@ca.key", "-out", "@ca.crt", "-days", "1",
                "-subj", "/CN=colony-test-ca",
            ], in: directory)
        try await Self.openssl(
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "@server.key", "-out", "@server.csr", "-subj",
                "/CN=127.0.0.1",
            ], in: directory)
        try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n".write(
            to: directory.appendingPathComponent("ext.cnf"), atomically: true, encoding: .utf8)
        try await Self.openssl(
            [
                "x509", "-req", "-in", "@server.csr", "-CA", "@ca.crt", "-CAkey", "@ca.key", "-CAcreateserial", "-out",
                "@server.crt", "-days", "1", "-extfile", "@ext.cnf",
            ], in: directory)
        try "test-token\n".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "colony\n".write(to: directory.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)

        // The API server: the recorded list, only with the token and the selector.
        let router = Router()
        router.get("apis/discovery.k8s.io/v1/namespaces/colony/endpointslices") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer test-token" else { return Response(status: .unauthorized) }
            guard request.uri.queryParameters["labelSelector"] == "app=colony" else {
                return Response(status: .badRequest)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: Self.loopbackSlices)))
        }
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(directory.appendingPathComponent("server.crt").path)
                .map { .certificate($0) },
            privateKey: .privateKey(
                try NIOSSLPrivateKey(file: directory.appendingPathComponent("server.key").path, format: .pem)))
        let listening = ResultBox<Int>()
        let server = Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in listening.set(channel.localAddress?.port ?? 0) })
        let serverGroup = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test.k8s")))
        let serving = Task { try await serverGroup.run() }
        defer { serving.cancel() }
        let port = try #require(await listening.wait(timeout: .seconds(10)))

        let distributionPort = Int(try ExternalProcess.freeLoopbackPort())
        func configuration(_ name: String, _ address: String) -> NodeConfiguration {
            var configuration = NodeConfiguration(name: name, cookie: "k8s")
            configuration.usesEPMD = false
            configuration.distributionPort = distributionPort
            configuration.listenAddress = address
            configuration.connectsTransitively = false
            return configuration
        }
        let watcher = try await Node.start(configuration("colony@127.0.0.1", "127.0.0.1"))
        let pod = try await Node.start(configuration("colony@127.0.0.2", "127.0.0.2"))
        defer {
            Task {
                await watcher.stop(); await pod.stop()
            }
        }

        var options = KubernetesAPIStrategy.Options(
            apiServer: "https://127.0.0.1:\(port)", labelSelector: "app=colony", basename: "colony")
        options.tokenFile = directory.appendingPathComponent("token").path
        options.caFile = directory.appendingPathComponent("ca.crt").path
        options.namespaceFile = directory.appendingPathComponent("namespace").path
        options.interval = .milliseconds(200)
        let topology = ClusterTopology(
            node: watcher, strategy: KubernetesAPIStrategy(options: options), tickInterval: .milliseconds(100))
        let running = Task { try await topology.run() }
        defer { running.cancel() }
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, !watcher.nodes().contains("colony@127.0.0.2") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(watcher.nodes() == ["colony@127.0.0.2"])
        // The endpoint without conditions counts as ready (listed, tried, refused); the not-ready
        // one is not listed.
        #expect(topology.listed == ["colony@127.0.0.2", "colony@127.0.0.3"])
        await serverGroup.triggerGracefulShutdown()
    }
}
