import ColonyConfiguration
import ColonyTLS
import ColonyTestSupport
import Foundation
import Testing

/// One model for flags, environment and a config file: flags over environment over file over
/// defaults, the environment names operators know, and a clear error for every invalid value.
@Suite("Settings: precedence and errors")
struct ColonySettingsTests {
    /// Writes `json` to a temporary file and returns its path.
    func file(_ json: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("colony-settings-\(UUID()).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("flags beat the environment, which beats the file, which beats the defaults")
    func precedence() async throws {
        let path = try file(
            #"{"node": {"name": "file@10.0.0.1", "cookie": "from_file"}, "epmd": {"port": 5001}, "distribution": {"tick_time": 20}}"#
        )
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["RELEASE_COOKIE": "from_env", "ERL_EPMD_PORT": "5002"]

        let fileOnly = try await ColonySettings.load(flags: [:], environment: [:], configFile: path)
        #expect(fileOnly.nodeName == "file@10.0.0.1")
        #expect(fileOnly.cookie == "from_file" && fileOnly.epmdPort == 5001 && fileOnly.tickTime == 20)
        #expect(fileOnly.listenAddress == "0.0.0.0", "a default")
        #expect(fileOnly.sources[.epmdPort] == .file(path) && fileOnly.sources[.listenAddress] == .defaultValue)

        let withEnvironment = try await ColonySettings.load(flags: [:], environment: environment, configFile: path)
        #expect(withEnvironment.cookie == "from_env" && withEnvironment.epmdPort == 5002)
        #expect(withEnvironment.nodeName == "file@10.0.0.1")
        #expect(withEnvironment.sources[.cookie] == .environment("RELEASE_COOKIE"))

        let withFlags = try await ColonySettings.load(
            flags: ["--cookie": "from_flag", "--epmd-port": "5003"], environment: environment, configFile: path)
        #expect(withFlags.cookie == "from_flag" && withFlags.epmdPort == 5003)
        #expect(withFlags.sources[.epmdPort] == .flag("--epmd-port"))

        let defaults = try await ColonySettings.load(flags: [:], environment: [:])
        #expect(defaults.epmdPort == 4369 && defaults.tickTime == 60 && defaults.usesEPMD && defaults.cookie == nil)
        #expect(defaults.nodeName.hasPrefix("colony@"))
    }

    @Test("a release's environment: RELEASE_NODE and POD_IP make name@pod-ip; COLONY_CONFIG names the file")
    func releaseEnvironment() async throws {
        let path = try file(#"{"distribution": {"listen": "10.1.2.3"}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try await ColonySettings.load(
            flags: [:],
            environment: [
                "RELEASE_NODE": "colony", "RELEASE_DISTRIBUTION": "name", "POD_IP": "10.1.2.3",
                "RELEASE_COOKIE": "k8s", "COLONY_CONFIG": path, "COLONY_DIST_PORT": "9100", "COLONY_EPMD": "false",
            ])
        #expect(settings.nodeName == "colony@10.1.2.3")
        #expect(settings.listenAddress == "10.1.2.3")
        #expect(!settings.usesEPMD && settings.distributionPort == 9100)
        let configuration = settings.nodeConfiguration
        #expect(configuration.name == "colony@10.1.2.3" && configuration.cookie == "k8s")
        #expect(!configuration.usesEPMD && configuration.distributionPort == 9100)
    }

    @Test("membership and split-brain settings: defaults, and every strategy spelled")
    func splitBrain() async throws {
        let defaults = try await ColonySettings.load(flags: [:], environment: [:]).cluster
        #expect(defaults.probeInterval == 1000 && defaults.suspicionTimeout == 2000 && defaults.indirectProbes == 3)
        #expect(defaults.splitBrain == nil && defaults.stableAfter == 5000 && defaults.splitBrainAction == "shutdown")
        let spelled: [(String, SplitBrainSetting)] = [
            ("keep-majority", .keepMajority), ("static-quorum:3", .staticQuorum(3)),
            ("keep-oldest", .keepOldest(downIfAlone: false)),
            ("keep-oldest:down-if-alone", .keepOldest(downIfAlone: true)),
            ("keep-referee:r@10.0.0.1", .keepReferee("r@10.0.0.1", minimum: 1)),
            ("keep-referee:r@h:2", .keepReferee("r@h", minimum: 2)), ("down-all", .downAll),
        ]
        for (text, setting) in spelled {
            let cluster = try await ColonySettings.load(
                flags: [:], environment: ["COLONY_SPLIT_BRAIN": text, "COLONY_SPLIT_BRAIN_ACTION": "wait"]
            ).cluster
            #expect(cluster.splitBrain == setting, "\(text)")
            #expect(cluster.splitBrainAction == "wait")
        }
    }

    @Test("every invalid value is refused with the setting, the value, where it came from and why")
    func errors() async throws {
        let cases: [([String: String], [String: String], String, String)] = [
            ([:], ["ERL_EPMD_PORT": "abc"], "epmd.port \"abc\" (from environment variable ERL_EPMD_PORT)", "port"),
            (["--epmd-port": "70000"], [:], "epmd.port \"70000\" (from flag --epmd-port)", "port"),
            ([:], ["RELEASE_DISTRIBUTION": "long"], "node.distribution \"long\"", "name or sname"),
            ([:], ["COLONY_TICK_TIME": "0"], "distribution.tick_time \"0\"", "seconds"),
            ([:], ["COLONY_HIDDEN": "maybe"], "node.hidden \"maybe\"", "true or false"),
            (["--name": "bad name@host"], [:], "node.name \"bad name@host\"", "alive@host"),
            ([:], ["RELEASE_COOKIE": "has space"], "node.cookie", "ASCII"),
            ([:], ["COLONY_EPMD": "false"], "distribution.port \"0\"", "fixed distribution port"),
            (["--split-brain": "keep-everyone"], [:], "cluster.split_brain \"keep-everyone\"", "keep-majority"),
            (["--split-brain": "static-quorum:0"], [:], "cluster.split_brain", "static-quorum:N"),
            (["--split-brain": "keep-referee:nohost"], [:], "cluster.split_brain", "keep-referee:NODE"),
            (["--split-brain-action": "pray"], [:], "cluster.split_brain_action \"pray\"", "shutdown or wait"),
            (["--probe-interval": "-1"], [:], "cluster.probe_interval", "milliseconds"),
            (["--split-brain": "down-all", "--probe-interval": "0"], [:], "cluster.probe_interval", "membership view"),
            (["--tls-certfile": "a.pem"], [:], "tls.certfile", "--tls-keyfile, --tls-cacertfile missing"),
            (
                ["--tls-certfile": "a.pem", "--tls-keyfile": "a.key", "--tls-cacertfile": "ca.pem"],
                ["COLONY_TLS_VERIFY": "maybe"], "tls.verify \"maybe\"", "peer or none"
            ),
            (
                [
                    "--tls-certfile": "a.pem", "--tls-keyfile": "a.key", "--tls-cacertfile": "ca.pem",
                    "--tls-verify": "none", "--tls-server-name-check": "true",
                ], [:], "tls.server_name_check", "--tls-verify peer"
            ),
        ]
        for (flags, environment, named, why) in cases {
            do {
                _ = try await ColonySettings.load(flags: flags, environment: environment)
                Issue.record("accepted \(flags) \(environment)")
            } catch {
                #expect("\(error)".contains(named), "\(error)")
                #expect("\(error)".contains(why), "\(error)")
            }
        }
        let broken = try file("{not json")
        defer { try? FileManager.default.removeItem(atPath: broken) }
        do {
            _ = try await ColonySettings.load(flags: [:], environment: [:], configFile: broken)
            Issue.record("a broken file was accepted")
        } catch {
            #expect(error.description.contains("cannot read config file \(broken)"), "\(error)")
        }
        do {
            _ = try await ColonySettings.load(flags: [:], environment: [:], configFile: "/nonexistent/colony.json")
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.description.contains("/nonexistent/colony.json"), "\(error)")
        }
    }

    @Test("TLS settings: three files turn it on, verify and the host-name check from flags or environment")
    func tls() async throws {
        let plain = try await ColonySettings.load(flags: [:], environment: [:])
        #expect(plain.tls == nil)
        let settings = try await ColonySettings.load(
            flags: [
                "--tls-certfile": "/c/node.pem", "--tls-keyfile": "/c/node.key", "--tls-server-name-check": "true",
            ],
            environment: ["COLONY_TLS_CACERTFILE": "/c/ca.pem", "COLONY_TLS_VERIFY": "peer"])
        let tls = try #require(settings.tls)
        #expect(tls.certificateFile == "/c/node.pem" && tls.keyFile == "/c/node.key" && tls.caFile == "/c/ca.pem")
        #expect(tls.verification == .peer)
        #expect(tls.hostCheck == .all)
        let defaults = try await ColonySettings.load(
            flags: ["--tls-certfile": "a.pem", "--tls-keyfile": "a.key", "--tls-cacertfile": "ca.pem"], environment: [:]
        )
        #expect(defaults.tls?.hostCheck == .dialled && defaults.tls?.verification == .peer)
        #expect(settings.sources[.tlsCAFile] == .environment("COLONY_TLS_CACERTFILE"))
    }

    @Test("colony node with an unreadable certificate file stops with the file named and status 2")
    func unreadableCertificate() async throws {
        let outcome = try await ExternalProcess.run(
            try ColonyBinary.url,
            [
                "node", "--name", "x@127.0.0.1", "--tls-certfile", "/nonexistent/node.pem", "--tls-keyfile",
                "/nonexistent/node.key", "--tls-cacertfile", "/nonexistent/ca.pem",
            ], timeout: .seconds(30))
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("/nonexistent/node.pem"), "\(outcome.standardError)")
    }

    @Test("colony node refuses an invalid setting with the message and status 2")
    func commandLine() async throws {
        let outcome = try await ExternalProcess.run(
            try ColonyBinary.url, ["node", "--name", "x@127.0.0.1", "--epmd-port", "nope"], timeout: .seconds(30))
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(
            outcome.standardError.contains("invalid epmd.port \"nope\" (from flag --epmd-port)"),
            "\(outcome.standardError)")
    }
}
