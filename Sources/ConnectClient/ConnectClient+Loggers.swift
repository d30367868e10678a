import Foundation
import NIOHTTP1

/// A logger's level as a worker reports it (`GET /admin/loggers`, KIP-495).
public struct LoggerLevel: Sendable, Equatable, Codable {
    public var level: String
    /// When it was last set through the REST API (milliseconds since 1970), if it was.
    public var lastModified: Int64?

    public init(level: String, lastModified: Int64? = nil) {
        self.level = level
        self.lastModified = lastModified
    }

    enum CodingKeys: String, CodingKey {
        case level
        case lastModified = "last_modified"
    }
}

extension ConnectClient {
    /// The levels Connect's log4j knows: what a `PUT /admin/loggers/{name}` accepts.
    public static let logLevels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"]

    /// Whether `name` is a logger name Connect takes: `root`, or a Java package or class name
    /// (letters, digits, `_` and `$`, in parts joined by dots), at most 255 characters.
    public static func isLoggerName(_ name: String) -> Bool {
        guard name.utf8.count <= 255 else { return false }
        if name == "root" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { part in
            guard let first = part.unicodeScalars.first, first.isASCII, CharacterSet.letters.contains(first) || first == "_" else { return false }
            return part.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "$") }
        }
    }

    /// `GET /admin/loggers`: the loggers of the answering worker that have a level set.
    public func loggers(worker: URL? = nil) async throws -> [String: LoggerLevel] {
        try await get([String: LoggerLevel].self, "/admin/loggers", only: worker)
    }

    /// `GET /admin/loggers/{name}`: one logger's level (inherited, when none was set for it).
    public func logger(_ name: String, worker: URL? = nil) async throws -> LoggerLevel {
        try await get(LoggerLevel.self, "/admin/loggers/\(escape(name))", only: worker)
    }

    /// Where a level is set: every worker of the cluster at once (Connect 3.7+, KIP-976), or one worker.
    public enum LoggerScope: Sendable, Equatable {
        case cluster
        case worker(URL)
    }

    /// `PUT /admin/loggers/{name}` with `{"level": ...}` (`?scope=cluster` for the cluster).
    public func setLogger(_ name: String, level: String, scope: LoggerScope) async throws {
        struct Body: Encodable { var level: String }
        let body = try JSONEncoder().encode(Body(level: level))
        switch scope {
        case .cluster:
            _ = try await send(.PUT, "/admin/loggers/\(escape(name))", query: [("scope", "cluster")], json: body)
        case .worker(let url):
            _ = try await send(.PUT, "/admin/loggers/\(escape(name))", json: body, only: url)
        }
    }
}
