import Foundation

/// What the pollers read, shared between replicas: only the replica that holds the controllers'
/// lease reads Connect's topics and the brokers; it publishes each round here, and the others
/// take it from here instead of reading themselves, so that reads do not grow with replicas and
/// every replica's lineage, lag and charts come from the same readings.
public protocol FlowShare: Sendable {
    /// Whether this replica reads (the lease holder, or the only replica).
    var polls: Bool { get }
    /// Publishes a round under `name` (the replica that polls).
    func publish<Value: Encodable & Sendable>(_ name: String, _ value: Value) async
    /// The round published last under `name`, or nil when there is none yet (a replica that does
    /// not poll). An unreadable one is logged and is nil: the next round replaces it.
    func latest<Value: Decodable & Sendable>(_ name: String, as type: Value.Type) async -> Value?
}

/// One replica: it reads everything itself and shares nothing.
public struct LocalFlow: FlowShare {
    public init() {}
    public var polls: Bool { true }
    public func publish<Value: Encodable & Sendable>(_ name: String, _ value: Value) async {}
    public func latest<Value: Decodable & Sendable>(_ name: String, as type: Value.Type) async -> Value? { nil }
}

/// A round of the lag poller, as shared.
public struct SharedLag: Codable, Sendable, Equatable {
    public var at: Date
    /// The clusters read (their readings replace the previous ones).
    public var clusters: [String]
    public var readings: [String: LagPoller.Reading]
    public var brokerTopics: [String: [String]]
}

/// What the topic poller has recorded, as shared.
public struct SharedTopics: Codable, Sendable, Equatable {
    public var at: Date
    public var observed: [String: TopicBook.Entry]
}
