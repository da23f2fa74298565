import ArgumentParser
import Colony
import ErlangTerm

/// The `colony` command: the demo (the default), run a node, ping one, list EPMD names, or show
/// the term codec.
@main
struct ColonyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "colony",
        abstract: "Erlang-compatible distributed nodes in Swift.",
        subcommands: [
            DemoCommand.self, NodeCommand.self, DashboardCommand.self, HealthCommand.self, PingCommand.self,
            NamesCommand.self, TLSInitCommand.self,
            SampleCommand.self,
            DemoMemberCommand.self,
        ],
        defaultSubcommand: DemoCommand.self)
}

/// `colony sample`: encode a sample term in the External Term Format and decode it.
struct SampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Round-trip a sample term through the External Term Format.")

    func run() async throws {
        let sample: Term = .tuple(["msg", 12345, .string("hello"), .map(["key": .list([1, 2, 3])])])
        let bytes = try ETF.encode(sample)
        print("term:    \(sample)")
        print("encoded: \(bytes)")
        print("decoded: \(try ETF.decode(bytes))")
    }
}
