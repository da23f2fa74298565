import ColonyTLS
import Foundation

/// Turns raw values into checked settings, one setting at a time.
struct SettingsBuilder {
    let sources: SettingSources
    let environment: [String: String]
    let defaultName: String
    var used: [Setting: SettingSource] = [:]

    init(sources: SettingSources, environment: [String: String], defaultName: String) {
        self.sources = sources
        self.environment = environment
        self.defaultName = defaultName
    }

    mutating func build() throws(SettingsError) -> ColonySettings {
        let distribution = try value(.distribution, default: "sname") { raw throws(Reason) -> String in
            guard raw == "name" || raw == "sname" else { throw Reason("must be name or sname") }
            return raw
        }
        let host = try optional(.host) { raw throws(Reason) -> String in
            guard !raw.contains("@"), !raw.contains(" ") else { throw Reason("a host has no @ or spaces") }
            return raw
        }
        let completeName = { (raw: String) throws(Reason) -> String in
            try Self.fullName(raw, distribution: distribution, host: host)
        }
        // The default name is completed with a host like any other.
        let name: String
        if let given = try optional(.nodeName, completeName) {
            name = given
        } else {
            name = try checked(.nodeName, defaultName, .defaultValue, completeName)
            used[.nodeName] = .defaultValue
        }
        let cookie = try optional(.cookie) { raw throws(Reason) -> String in
            guard raw.utf8.count <= 255, raw.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw Reason("a cookie is at most 255 ASCII characters without spaces")
            }
            return raw
        }
        let hidden = try value(.hidden, default: false, Self.boolean)
        let epmdPort = try value(.epmdPort, default: 4369) { raw throws(Reason) in try Self.port(raw, allowZero: false)
        }
        // `--no-epmd` is a flag: given, it means "do not use EPMD".
        let usesEPMD: Bool
        if let flag = sources.flags[Setting.epmdEnabled.flag] {
            let off = try checked(.epmdEnabled, flag, .flag(Setting.epmdEnabled.flag), Self.boolean)
            usesEPMD = !off
            used[.epmdEnabled] = .flag(Setting.epmdEnabled.flag)
        } else {
            usesEPMD = try value(.epmdEnabled, default: true, Self.boolean)
        }
        let distributionPort = try value(.distributionPort, default: 0) { raw throws(Reason) in
            try Self.port(raw, allowZero: true)
        }
        if !usesEPMD && distributionPort == 0 {
            throw SettingsError(
                setting: .distributionPort, value: "0", source: used[.distributionPort] ?? .defaultValue,
                reason: "without EPMD the node needs a fixed distribution port")
        }
        let listen = try value(.listenAddress, default: "0.0.0.0") { raw throws(Reason) -> String in
            guard !raw.isEmpty, !raw.contains(" ") else { throw Reason("not an address") }
            return raw
        }
        let tickTime = try value(.tickTime, default: 60) { raw throws(Reason) -> Int in
            guard let seconds = Int(raw), (1...3600).contains(seconds) else {
                throw Reason("must be a whole number of seconds from 1 to 3600")
            }
            return seconds
        }
        let metricsPort = try optional(.metricsPort) { raw throws(Reason) in try Self.port(raw, allowZero: true) }
        let otlpEndpoint = try optional(.otlpEndpoint) { raw throws(Reason) -> String in
            guard raw.hasPrefix("http://") || raw.hasPrefix("https://"), !raw.contains(" ") else {
                throw Reason("must be an http:// or https:// URL")
            }
            return raw
        }
        var cluster = ClusterSettings()
        cluster.gossip = try value(.gossip, default: false, Self.boolean)
        cluster.gossipPort = try value(.gossipPort, default: 45892) { raw throws(Reason) in
            try Self.port(raw, allowZero: false)
        }
        cluster.gossipAddress = try value(.gossipAddress, default: "233.252.1.32", Self.ipv4)
        cluster.gossipInterface = try value(.gossipInterface, default: "0.0.0.0", Self.ipv4)
        cluster.gossipSecret = try optional(.gossipSecret) { raw throws(Reason) -> String in
            guard !raw.isEmpty else { throw Reason("must not be empty") }
            return raw
        }
        cluster.epmdHosts =
            try optional(.epmdHosts) { raw throws(Reason) -> [String] in
                let names = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                for name in names {
                    let parts = name.split(separator: "@", omittingEmptySubsequences: false)
                    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                        throw Reason("\"\(name)\" is not a node name (name@host)")
                    }
                }
                return names
            } ?? []
        let dnsName: (String) throws(Reason) -> String = { raw throws(Reason) in
            guard !raw.isEmpty, raw.utf8.count <= 253, !raw.contains(" ") else { throw Reason("not a DNS name") }
            return raw
        }
        cluster.dnsPoll = try optional(.dnsPoll, dnsName)
        cluster.kubernetesDNS = try optional(.kubernetesDNS, dnsName)
        cluster.kubernetesDNSSRV = try optional(.kubernetesDNSSRV, dnsName)
        cluster.nodeBasename = try optional(.nodeBasename) { raw throws(Reason) -> String in
            guard !raw.isEmpty, !raw.contains("@"), !raw.contains(" ") else {
                throw Reason("must be a node name without @host")
            }
            return raw
        }
        cluster.kubernetesSelector = try optional(.kubernetesSelector) { raw throws(Reason) -> String in
            guard !raw.isEmpty, raw.count <= 1024 else { throw Reason("not a label selector") }
            return raw
        }
        cluster.kubernetesNamespace = try optional(.kubernetesNamespace, dnsName)
        cluster.kubernetesSource = try value(.kubernetesSource, default: "endpointslices") { raw throws(Reason) in
            guard raw == "endpointslices" || raw == "pods" else { throw Reason("must be endpointslices or pods") }
            return raw
        }
        if (cluster.dnsPoll ?? cluster.kubernetesDNS ?? cluster.kubernetesDNSSRV ?? cluster.kubernetesSelector) != nil,
            cluster.nodeBasename == nil
        {
            throw SettingsError(
                setting: .nodeBasename, value: "", source: .defaultValue,
                reason: "DNS and Kubernetes discovery need the node basename (--node-basename)")
        }
        cluster.dnsServer = try optional(.dnsServer) { raw throws(Reason) -> String in
            let parts = raw.split(separator: ":", omittingEmptySubsequences: false)
            guard let host = parts.first, (1...2).contains(parts.count) else { throw Reason("must be IP or IP:PORT") }
            _ = try Self.ipv4(String(host))
            if parts.count == 2 { _ = try Self.port(String(parts[1]), allowZero: false) }
            return raw
        }
        cluster.pollInterval = try value(.pollInterval, default: 5000) { raw throws(Reason) -> Int in
            guard let milliseconds = Int(raw), (50...3_600_000).contains(milliseconds) else {
                throw Reason("must be milliseconds from 50 to 3600000")
            }
            return milliseconds
        }
        let milliseconds = { (range: ClosedRange<Int>) in
            { (raw: String) throws(Reason) -> Int in
                guard let value = Int(raw), range.contains(value) else {
                    throw Reason("must be milliseconds from \(range.lowerBound) to \(range.upperBound)")
                }
                return value
            }
        }
        cluster.probeInterval = try value(.probeInterval, default: 1000, milliseconds(0...600_000))
        cluster.suspicionTimeout = try value(.suspicionTimeout, default: 2000, milliseconds(10...3_600_000))
        cluster.indirectProbes = try value(.indirectProbes, default: 3) { raw throws(Reason) -> Int in
            guard let count = Int(raw), (0...16).contains(count) else { throw Reason("must be from 0 to 16") }
            return count
        }
        cluster.splitBrain = try optional(.splitBrain) { raw throws(Reason) -> SplitBrainSetting in
            guard let setting = SplitBrainSetting(raw) else {
                throw Reason(
                    "must be keep-majority, static-quorum:N, keep-oldest[:down-if-alone], "
                        + "keep-referee:NODE[:MINIMUM] or down-all")
            }
            return setting
        }
        cluster.stableAfter = try value(.stableAfter, default: 5000, milliseconds(0...3_600_000))
        cluster.splitBrainAction = try value(.splitBrainAction, default: "shutdown") { raw throws(Reason) in
            guard raw == "shutdown" || raw == "wait" else { throw Reason("must be shutdown or wait") }
            return raw
        }
        cluster.pgJoin =
            try optional(.pgJoin) { raw throws(Reason) -> [String] in
                let groups = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard groups.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 255 }) else {
                    throw Reason("must be group names (atoms of at most 255 bytes), comma-separated")
                }
                return groups
            } ?? []
        cluster.globalName = try optional(.globalName) { raw throws(Reason) -> String in
            guard !raw.isEmpty, raw.utf8.count <= 255 else { throw Reason("must be an atom of 1 to 255 bytes") }
            return raw
        }
        cluster.preventOverlappingPartitions = try value(.preventOverlappingPartitions, default: true, Self.boolean)
        cluster.ddataDirectory = try optional(.ddataDirectory) { raw throws(Reason) -> String in
            guard !raw.isEmpty else { throw Reason("must be a directory path") }
            return raw
        }
        cluster.storeTables =
            try optional(.storeTables) { raw throws(Reason) -> [String] in
                let tables = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard tables.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 255 }) else {
                    throw Reason("must be table names of 1 to 255 bytes, comma-separated")
                }
                return tables
            } ?? []
        cluster.storeVoters =
            try optional(.storeVoters) { raw throws(Reason) -> [String] in
                let voters = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard voters.allSatisfy({ $0.contains("@") && $0.utf8.count <= 255 }) else {
                    throw Reason("must be node names (name@host), comma-separated")
                }
                return voters
            } ?? []
        cluster.storeDirectory = try optional(.storeDirectory) { raw throws(Reason) -> String in
            guard !raw.isEmpty else { throw Reason("must be a directory path") }
            return raw
        }
        cluster.storeCopy = try value(.storeCopy, default: "disc") { raw throws(Reason) -> String in
            guard raw == "disc" || raw == "ram" else { throw Reason("must be disc or ram") }
            return raw
        }
        if cluster.splitBrain != nil, cluster.probeInterval == 0 {
            throw SettingsError(
                setting: .probeInterval, value: "0", source: .defaultValue,
                reason: "the split-brain resolver needs the membership view (a probe interval above 0)")
        }
        let tls = try tlsSettings()
        let logFormat = try value(.logFormat, default: "text") { raw throws(Reason) -> String in
            guard raw == "text" || raw == "json" else { throw Reason("must be text or json") }
            return raw
        }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        let logLevel = try value(.logLevel, default: "info") { raw throws(Reason) -> String in
            guard levels.contains(raw) else { throw Reason("must be one of \(levels.joined(separator: ", "))") }
            return raw
        }
        return ColonySettings(
            nodeName: name, cookie: cookie, hidden: hidden, epmdPort: epmdPort, usesEPMD: usesEPMD,
            distributionPort: distributionPort, listenAddress: listen, tickTime: tickTime, metricsPort: metricsPort,
            otlpEndpoint: otlpEndpoint, cluster: cluster, tls: tls, logFormat: logFormat, logLevel: logLevel,
            sources: used)
    }

    /// TLS, when its three files are set; some of them without the others is an error.
    private mutating func tlsSettings() throws(SettingsError) -> TLSSettings? {
        let path = { (raw: String) throws(Reason) -> String in
            guard !raw.isEmpty else { throw Reason("must be a file path") }
            return raw
        }
        let certificate = try optional(.tlsCertificateFile, path)
        let key = try optional(.tlsKeyFile, path)
        let ca = try optional(.tlsCAFile, path)
        let verify = try optional(.tlsVerify) { raw throws(Reason) -> TLSPeerVerification in
            guard let mode = TLSPeerVerification(rawValue: raw) else { throw Reason("must be peer or none") }
            return mode
        }
        let checksHostName = try optional(.tlsServerNameCheck, Self.boolean)
        guard let certificate, let key, let ca else {
            let given: [(Setting, Bool)] = [
                (.tlsCertificateFile, certificate != nil), (.tlsKeyFile, key != nil), (.tlsCAFile, ca != nil),
                (.tlsVerify, verify != nil), (.tlsServerNameCheck, checksHostName != nil),
            ]
            if let (setting, _) = given.first(where: { $0.1 }) {
                let missing = given.prefix(3).filter { !$0.1 }.map { $0.0.flag }.joined(separator: ", ")
                throw SettingsError(
                    setting: setting, value: "", source: used[setting] ?? .defaultValue,
                    reason: "TLS needs a certificate, a key and a CA file: \(missing) missing")
            }
            return nil
        }
        var settings = TLSSettings(certificateFile: certificate, keyFile: key, caFile: ca)
        if let verify { settings.verification = verify }
        if checksHostName == true {
            guard settings.verification == .peer else {
                throw SettingsError(
                    setting: .tlsServerNameCheck, value: "true", source: used[.tlsServerNameCheck] ?? .defaultValue,
                    reason: "checking peers' host names needs --tls-verify peer")
            }
            settings.hostCheck = .all
        }
        return settings
    }

    // MARK: - Reading one setting

    struct Reason: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    private mutating func value<T>(_ setting: Setting, default fallback: T, _ parse: (String) throws(Reason) -> T)
        throws(SettingsError) -> T
    {
        guard let (raw, source) = try sources.raw(setting) else {
            used[setting] = .defaultValue
            return fallback
        }
        used[setting] = source
        return try checked(setting, raw, source, parse)
    }

    private mutating func optional<T>(_ setting: Setting, _ parse: (String) throws(Reason) -> T) throws(SettingsError)
        -> T?
    {
        guard let (raw, source) = try sources.raw(setting) else { return nil }
        used[setting] = source
        return try checked(setting, raw, source, parse)
    }

    private func checked<T>(
        _ setting: Setting, _ raw: String, _ source: SettingSource, _ parse: (String) throws(Reason) -> T
    ) throws(SettingsError) -> T {
        do {
            return try parse(raw)
        } catch {
            throw SettingsError(setting: setting, value: raw, source: source, reason: error.text)
        }
    }

    // MARK: - Parsers

    static func boolean(_ raw: String) throws(Reason) -> Bool {
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw Reason("must be true or false")
        }
    }

    static func ipv4(_ raw: String) throws(Reason) -> String {
        let parts = raw.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else {
            throw Reason("not an IPv4 address")
        }
        return raw
    }

    static func port(_ raw: String, allowZero: Bool) throws(Reason) -> Int {
        guard let port = Int(raw), (allowZero ? 0 : 1)...65535 ~= port else {
            throw Reason("not a port number (\(allowZero ? 0 : 1) to 65535)")
        }
        return port
    }

    /// `name@host` from a name with or without a host: `name` distribution takes `host` (or the
    /// machine's full host name), `sname` the first label of the machine's host name.
    static func fullName(_ raw: String, distribution: String, host: String?) throws(Reason) -> String {
        let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty,
            parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        else { throw Reason("a node name is alive@host, the alive part letters, digits, _ and -") }
        if parts.count == 2 {
            guard !parts[1].isEmpty else { throw Reason("empty host part") }
            return raw
        }
        let machine = ProcessInfo.processInfo.hostName
        let chosen: String
        if let host {
            chosen = host
        } else if distribution == "name" {
            chosen = machine
        } else {
            chosen = machine.split(separator: ".").first.map(String.init) ?? "localhost"
        }
        return "\(raw)@\(chosen)"
    }
}
