import Foundation
public import Logging

/// A swift-log handler that writes one JSON object per line to standard error, for log
/// collectors: `{"time": …, "level": …, "label": …, "message": …, "node": …, "metadata": {…}}`.
/// Nested metadata is flattened to strings; keys are sorted, so lines are stable.
public struct JSONLogHandler: LogHandler {
    /// Metadata on every line of this logger.
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    public var logLevel: Logger.Level
    /// Metadata added from the task's context, if any.
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let node: String?
    private let write: @Sendable (String) -> Void

    /// A handler for loggers labelled `label`; every line carries `node` when given.
    public init(
        label: String, node: String?, level: Logger.Level = .info,
        write: (@Sendable (String) -> Void)? = nil
    ) {
        self.label = label
        self.node = node
        self.logLevel = level
        self.write = write ?? { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// One metadata value of this logger.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes `event` as one JSON line, if its level is at least ``logLevel`` (swift-log checks).
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var object: [String: Any] = [
            "time": Date().timeIntervalSince1970,
            "level": event.level.rawValue,
            "label": label,
            "message": "\(event.message)",
            "source": event.source,
        ]
        if let node { object["node"] = node }
        if !merged.isEmpty { object["metadata"] = merged.mapValues(Self.flatten) }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(flatten).joined(separator: ", ") + "]"
        case .dictionary(let values):
            "{" + values.sorted { $0.key < $1.key }.map { "\($0.key): \(flatten($0.value))" }.joined(separator: ", ")
                + "}"
        }
    }
}

/// How `colony` writes its logs.
public enum LogFormat: String, Sendable, CaseIterable {
    /// Human-readable lines (swift-log's stream handler).
    case text
    /// One JSON object per line (``JSONLogHandler``).
    case json

    /// Bootstraps swift-log for the whole OS process (once) with this format and `level`.
    public func bootstrap(level: Logger.Level, node: String?) {
        switch self {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, node: node, level: level) }
        }
    }
}
