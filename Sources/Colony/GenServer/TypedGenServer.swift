public import ErlangTerm

/// A ``GenServer`` whose calls and casts are Swift values: requests and replies are `Codable`
/// and travel as terms through ``TermEncoder`` and ``TermDecoder`` (the Elixir-friendly mapping in
/// `docs/codable-mapping.md`), so other Swift nodes call it with ``TypedServerRef`` and Erlang or
/// Elixir nodes with the matching terms.
///
/// Implement ``handle(call:from:process:)`` (and ``handle(cast:process:)`` when there are casts);
/// the raw ``GenServer/handleCall(_:from:process:)`` and ``GenServer/handleCast(_:process:)``
/// decode and encode around them. A call whose term does not decode as ``Call`` is answered with
/// `{error, {bad_request, Description}}`; such a cast is ignored. Everything else — info,
/// continue, terminate — is the plain ``GenServer`` callbacks.
public protocol TypedGenServer: GenServer {
    /// The calls this server answers.
    associatedtype Call: Codable & Sendable
    /// Its replies.
    associatedtype Reply: Codable & Sendable
    /// The casts it takes (``NoCasts`` when there are none).
    associatedtype Cast: Codable & Sendable = NoCasts

    /// Answers a call.
    mutating func handle(call: Call, from: CallerRef, process: ProcessContext) async throws -> Reply

    /// Handles a cast. The default does nothing.
    mutating func handle(cast: Cast, process: ProcessContext) async throws
}

/// The ``TypedGenServer/Cast`` of a server without casts: no term decodes as it.
public enum NoCasts: Codable, Sendable {
    public init(from decoder: any Decoder) throws {
        throw DecodingError.typeMismatch(
            NoCasts.self, .init(codingPath: decoder.codingPath, debugDescription: "this server takes no casts"))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {}
    }
}

extension TypedGenServer {
    public mutating func handle(cast: Cast, process: ProcessContext) async throws {}

    public mutating func handleCall(_ request: Term, from: CallerRef, process: ProcessContext) async throws
        -> CallResult
    {
        let call: Call
        do {
            call = try TermDecoder().decode(Call.self, from: request)
        } catch {
            return .reply(.tuple(["error", .tuple(["bad_request", .string(String(describing: error))])]))
        }
        return .reply(try TermEncoder().encode(try await handle(call: call, from: from, process: process)))
    }

    public mutating func handleCast(_ request: Term, process: ProcessContext) async throws -> GenServerAction {
        guard let cast = try? TermDecoder().decode(Cast.self, from: request) else { return .noReply }
        try await handle(cast: cast, process: process)
        return .noReply
    }
}

/// A typed handle on a ``TypedGenServer``: calls take its ``TypedGenServer/Call`` and return its
/// ``TypedGenServer/Reply``.
public struct TypedServerRef<Server: TypedGenServer>: Sendable {
    /// The server.
    public let ref: ServerRef

    /// A handle on the server at `ref`.
    public init(_ ref: ServerRef) {
        self.ref = ref
    }

    /// Calls the server from a process. See ``ProcessContext/call(_:_:timeout:)``.
    ///
    /// - Throws: ``GenServerCallError``, or a ``TermCodingError`` when the request does not encode
    ///   or the reply does not decode (a `{error, {bad_request, _}}` reply among them).
    public func call(_ request: Server.Call, from process: ProcessContext, timeout: Duration? = .seconds(5))
        async throws -> Server.Reply
    {
        let reply = try await process.call(ref, try TermEncoder().encode(request), timeout: timeout)
        return try TermDecoder().decode(Server.Reply.self, from: reply)
    }

    /// Calls the server from any task. See ``Node/call(_:_:timeout:)``.
    public func call(_ request: Server.Call, on node: Node, timeout: Duration? = .seconds(5)) async throws
        -> Server.Reply
    {
        let reply = try await node.call(ref, try TermEncoder().encode(request), timeout: timeout)
        return try TermDecoder().decode(Server.Reply.self, from: reply)
    }

    /// Casts to the server from a process.
    public func cast(_ request: Server.Cast, from process: ProcessContext) async throws {
        await process.cast(ref, try TermEncoder().encode(request))
    }

    /// Casts to the server from any task.
    public func cast(_ request: Server.Cast, on node: Node) async throws {
        await node.cast(ref, try TermEncoder().encode(request))
    }
}
