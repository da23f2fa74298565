import AsyncHTTPClient
public import Colony
import ErlangTerm
import Foundation
import Logging
import NIOCore
import NIOSSL

/// Nodes from the Kubernetes API (libcluster's `Kubernetes` strategy): the pods matching a label
/// selector, read as `EndpointSlice`s (the current API; libcluster still reads the deprecated
/// `Endpoints`) or as pods, with the pod's service-account token and CA, polled. Each address is
/// a node `basename@address`. A poll that fails keeps the last listing.
public struct KubernetesAPIStrategy: DiscoveryStrategy {
    /// Which objects to read.
    public enum Source: Sendable {
        /// `EndpointSlice`s with the label selector (ready endpoints only).
        case endpointSlices
        /// Pods with the label selector (running pods only).
        case pods
    }

    /// Where the API is and what to ask.
    public struct Options: Sendable {
        /// The API server, e.g. `https://kubernetes.default.svc` (from `KUBERNETES_SERVICE_HOST`
        /// and `KUBERNETES_SERVICE_PORT` inside a pod).
        public var apiServer: String
        /// The namespace; `nil`: the pod's own (from the service account's `namespace` file).
        public var namespace: String?
        /// The label selector, e.g. `app=colony`.
        public var labelSelector: String
        /// The node name before `@`.
        public var basename: String
        /// What to read.
        public var source: Source = .endpointSlices
        /// The service account's token file (read again at every poll: tokens rotate).
        public var tokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"
        /// The CA that signs the API server's certificate.
        public var caFile = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
        /// The namespace file, when ``namespace`` is `nil`.
        public var namespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
        /// How often to ask.
        public var interval: Duration = .seconds(5)

        /// Ask `apiServer` for the pods labelled `labelSelector`; name them `basename@…`.
        public init(apiServer: String? = nil, labelSelector: String, basename: String) {
            let environment = ProcessInfo.processInfo.environment
            self.apiServer =
                apiServer
                ?? environment["KUBERNETES_SERVICE_HOST"].map {
                    "https://\($0):\(environment["KUBERNETES_SERVICE_PORT"] ?? "443")"
                } ?? "https://kubernetes.default.svc"
            self.labelSelector = labelSelector
            self.basename = basename
        }
    }

    public let options: Options
    public var name: String { "kubernetes" }
    private let logger = Logger(label: "colony.cluster.kubernetes")

    /// Poll the API with `options`.
    public init(options: Options) {
        self.options = options
    }

    /// The URL path of the list to read.
    public static func path(namespace: String, labelSelector: String, source: Source) -> String {
        let selector =
            labelSelector.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["=", "&", "+"]))
            ?? labelSelector
        switch source {
        case .endpointSlices:
            return "/apis/discovery.k8s.io/v1/namespaces/\(namespace)/endpointslices?labelSelector=\(selector)"
        case .pods:
            return "/api/v1/namespaces/\(namespace)/pods?labelSelector=\(selector)"
        }
    }

    public func run(on node: Node, report: @escaping @Sendable (DiscoverySighting) -> Void) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(options.caFile)
        let client = HTTPClient(
            eventLoopGroupProvider: .shared(node.eventLoopGroup), configuration: .init(tlsConfiguration: tls))
        do {
            while !Task.isCancelled {
                do {
                    report(.listed(try await poll(client)))
                } catch is CancellationError {
                    break
                } catch {
                    logger.warning("\(options.apiServer): \(error)")
                }
                try await Task.sleep(for: options.interval)
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
    }

    private func poll(_ client: HTTPClient) async throws -> Set<Atom> {
        let namespace =
            try options.namespace
            ?? String(contentsOfFile: options.namespaceFile, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
        let token = try String(contentsOfFile: options.tokenFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var request = HTTPClientRequest(
            url: options.apiServer
                + Self.path(namespace: namespace, labelSelector: options.labelSelector, source: options.source))
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await client.execute(request, deadline: .now() + .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else {
            throw KubernetesAPIError(
                status: Int(response.status.code), body: String(buffer: body).prefix(200).description)
        }
        let data = Data(body.readableBytesView)
        switch options.source {
        case .endpointSlices: return try KubernetesObjects.nodes(fromEndpointSlices: data, basename: options.basename)
        case .pods: return try KubernetesObjects.nodes(fromPods: data, basename: options.basename)
        }
    }
}

/// The API server answered with an error status.
public struct KubernetesAPIError: Error, CustomStringConvertible {
    /// The HTTP status.
    public let status: Int
    /// The start of the body.
    public let body: String

    public var description: String { "the Kubernetes API answered \(status): \(body)" }
}
