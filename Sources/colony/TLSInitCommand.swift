import ArgumentParser
import ColonyTLS
import Foundation

/// `colony tls-init DIR --host H ...`: a CA and a node certificate for a TLS cluster, and the
/// `ssl_dist.conf` that lets Erlang and Elixir nodes join it.
struct TLSInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls-init",
        abstract: "Write a CA, a node certificate and an Erlang ssl_dist.conf for distribution over TLS.")

    @Argument(help: "The directory to write ca.pem, ca.key, node.pem, node.key and ssl_dist.conf to.")
    var directory: String
    @Option(help: "A host the certificate names: the part after @ of the node names (repeatable).")
    var host: [String] = []
    @Option(help: "Days the certificates are valid.") var days = 365

    func run() throws {
        let hosts = host.isEmpty ? ["127.0.0.1", "localhost"] : host
        let url = URL(fileURLWithPath: directory)
        let settings = try TLSClusterFiles.create(in: url, hosts: hosts, days: days)
        print("wrote \(url.path)/{ca.pem,ca.key,node.pem,node.key,ssl_dist.conf} for \(hosts.joined(separator: ", "))")
        print(
            "colony node --tls-certfile \(settings.certificateFile) --tls-keyfile \(settings.keyFile) --tls-cacertfile \(settings.caFile) ..."
        )
        print("erl -proto_dist inet_tls -ssl_dist_optfile \(url.path)/ssl_dist.conf ...")
    }
}
