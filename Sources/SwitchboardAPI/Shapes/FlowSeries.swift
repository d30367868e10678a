import Foundation

/// What a connector did over time, as the charts draw it: state changes, sink lag and
/// throughput (records per second).
public struct FlowSeries: Sendable, Codable, Equatable {
    public struct Sample: Sendable, Codable, Equatable {
        public var at: Date
        /// Records the sink's group is behind (sinks only).
        public var lag: Int64?
        /// Records per second: a sink's committed offsets advancing, a source's topics' end
        /// offsets advancing (every producer of those topics).
        public var recordsPerSecond: Double?
        /// Records in the sink's dead-letter topic (sinks that name one).
        public var deadLetters: Int64?

        public init(at: Date, lag: Int64? = nil, recordsPerSecond: Double? = nil, deadLetters: Int64? = nil) {
            (self.at, self.lag, self.recordsPerSecond, self.deadLetters) = (at, lag, recordsPerSecond, deadLetters)
        }
    }

    public struct StateChange: Sendable, Codable, Equatable {
        public var at: Date
        public var health: String

        public init(at: Date, health: String) {
            (self.at, self.health) = (at, health)
        }
    }

    public var samples: [Sample]
    public var states: [StateChange]
    /// Where the series came from: `memory` (this server since it started) or `prometheus`.
    public var source: String
    /// Why Prometheus was not used, when it was asked and failed (scrubbed).
    public var problem: String?

    public init(samples: [Sample] = [], states: [StateChange] = [], source: String = "memory", problem: String? = nil) {
        (self.samples, self.states, self.source, self.problem) = (samples, states, source, problem)
    }

    /// The latest throughput, when known.
    public var recordsPerSecond: Double? { samples.last?.recordsPerSecond }

    /// Whether lag grew over the last `window`: the latest is above zero and above the value at
    /// the window's start.
    public func lagGrows(window: TimeInterval = 900, now: Date = Date()) -> Bool {
        let recent = samples.filter { $0.lag != nil && $0.at >= now.addingTimeInterval(-window) }
        guard let first = recent.first?.lag, let last = recent.last?.lag, recent.count >= 2 else { return false }
        return last > 0 && last > first
    }
}
