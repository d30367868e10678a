import Foundation
import Logging
import SwitchboardCore

/// A log handler that passes every message and metadata value through the ``Scrubber`` before
/// the wrapped handler writes it, at every level: a logged error from Connect or a URL with
/// credentials cannot reach a log file with its secret.
public struct ScrubbingLogHandler: LogHandler {
    var wrapped: any LogHandler

    public init(wrapping handler: any LogHandler) {
        wrapped = handler
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues(Self.scrub) }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map(Self.scrub) }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(Scrubber.scrub(event.message.description))"
        event.metadata = event.metadata?.mapValues(Self.scrub)
        event.error = event.error.map { ScrubbedError(description: Scrubber.scrub(String(describing: $0))) }
        wrapped.log(event: event)
    }

    /// An error as its scrubbed description.
    struct ScrubbedError: Error, CustomStringConvertible {
        var description: String
    }

    static func scrub(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): return .string(Scrubber.scrub(text))
        case .stringConvertible(let convertible): return .string(Scrubber.scrub(convertible.description))
        case .array(let values): return .array(values.map(scrub))
        case .dictionary(let values): return .dictionary(values.mapValues(scrub))
        }
    }

    /// Makes every logger of the process write to stderr through the scrubber, at the level of
    /// `$SWITCHBOARD_LOG_LEVEL` (trace, debug, info, notice, warning, error, critical; default info).
    public static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let level = environment["SWITCHBOARD_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = ScrubbingLogHandler(wrapping: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
    }
}
