public import Distributed
import ErlangTerm

/// Records a distributed call's arguments as terms (``TermEncoder``).
public struct ColonyInvocationEncoder: DistributedTargetInvocationEncoder {
    public typealias SerializationRequirement = Codable

    var arguments: [Term] = []
    var genericSubstitutions: [String] = []

    public mutating func recordGenericSubstitution<T>(_ type: T.Type) throws {
        genericSubstitutions.append(_mangledTypeName(type) ?? String(reflecting: type))
    }

    public mutating func recordArgument<Value: Codable>(_ argument: RemoteCallArgument<Value>) throws {
        arguments.append(try TermEncoder().encode(argument.value))
    }

    public mutating func recordReturnType<R: Codable>(_ type: R.Type) throws {}

    public mutating func recordErrorType<E: Error>(_ type: E.Type) throws {}

    public mutating func doneRecording() throws {}
}

/// Reads a distributed call's arguments back (``TermDecoder``), in order.
public struct ColonyInvocationDecoder: DistributedTargetInvocationDecoder {
    public typealias SerializationRequirement = Codable

    let arguments: [Term]
    let genericSubstitutions: [String]
    /// The types a call from the wire may name as generic substitutions: only these resolve.
    let allowedTypes: [String: any Any.Type]
    var next = 0

    public mutating func decodeGenericSubstitutions() throws -> [Any.Type] {
        try genericSubstitutions.map { name in
            // A type name from the wire is never looked up in the whole program, only here.
            guard let type = allowedTypes[name] else {
                throw ColonyActorError.invocation("type \(name) is not allowed in calls (allowGenericType)")
            }
            return type
        }
    }

    public mutating func decodeNextArgument<Argument: Codable>() throws -> Argument {
        guard next < arguments.count else { throw ColonyActorError.invocation("too few arguments") }
        defer { next += 1 }
        do {
            return try TermDecoder().decode(Argument.self, from: arguments[next])
        } catch {
            throw ColonyActorError.invocation("argument \(next + 1): \(error)")
        }
    }

    public mutating func decodeErrorType() throws -> Any.Type? { nil }

    public mutating func decodeReturnType() throws -> Any.Type? { nil }
}

/// Collects what a local invocation produced: the reply term for the caller.
public final class ColonyResultHandler: DistributedTargetInvocationResultHandler, @unchecked Sendable {
    public typealias SerializationRequirement = Codable

    /// `{ok, Value}`, `ok` for a void method, or `{error, {Type, Description}}`.
    var reply: Term = "ok"

    public func onReturn<Success: Codable>(value: Success) async throws {
        reply = .tuple(["ok", try TermEncoder().encode(value)])
    }

    public func onReturnVoid() async throws {
        reply = "ok"
    }

    public func onThrow<Err: Error>(error: Err) async throws {
        // Through the existential, type(of:) gives the dynamic type, not `Err` (often `any Error`).
        let thrown: any Error = error
        reply = .tuple([
            "error", .tuple([.string(String(reflecting: type(of: thrown))), .string(String(describing: thrown))]),
        ])
    }
}
