public import ErlangTerm
public import Foundation

/// The parts of the Kubernetes API's answers discovery reads: `EndpointSlice` lists
/// (`discovery.k8s.io/v1`, the current API) and `Pod` lists (`v1`). Anything else in the JSON is
/// ignored; a body that is not such a list is an error.
public enum KubernetesObjects {
    struct EndpointSliceList: Decodable {
        struct Slice: Decodable {
            struct Endpoint: Decodable {
                struct Conditions: Decodable {
                    var ready: Bool?
                }
                var addresses: [String]
                var conditions: Conditions?
            }
            var endpoints: [Endpoint]?
        }
        var items: [Slice]
    }

    struct PodList: Decodable {
        struct Pod: Decodable {
            struct Status: Decodable {
                var phase: String?
                var podIP: String?
            }
            struct Metadata: Decodable {
                var deletionTimestamp: String?
            }
            var status: Status?
            var metadata: Metadata?
        }
        var items: [Pod]
    }

    /// `basename@address` for every ready endpoint address (an endpoint without conditions
    /// counts as ready, as the API says).
    public static func nodes(fromEndpointSlices body: Data, basename: String) throws -> Set<Atom> {
        let list = try JSONDecoder().decode(EndpointSliceList.self, from: body)
        var nodes: Set<Atom> = []
        for slice in list.items {
            for endpoint in slice.endpoints ?? [] where endpoint.conditions?.ready ?? true {
                for address in endpoint.addresses {
                    if let node = Atom(input: "\(basename)@\(address)") { nodes.insert(node) }
                }
            }
        }
        return nodes
    }

    /// `basename@podIP` for every running pod that is not being deleted.
    public static func nodes(fromPods body: Data, basename: String) throws -> Set<Atom> {
        let list = try JSONDecoder().decode(PodList.self, from: body)
        var nodes: Set<Atom> = []
        for pod in list.items where pod.status?.phase == "Running" && pod.metadata?.deletionTimestamp == nil {
            if let ip = pod.status?.podIP, let node = Atom(input: "\(basename)@\(ip)") { nodes.insert(node) }
        }
        return nodes
    }
}
