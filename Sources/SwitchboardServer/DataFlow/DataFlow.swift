import Foundation
import NIOConcurrencyHelpers
import SwitchboardCore

/// What the lineage and the charts are drawn from: the topics each connector uses, the
/// history in memory, and Prometheus when the server reads ranges from it.
public final class DataFlow: Sendable {
    public let topics: TopicBook
    public let history: FlowHistory
    /// Set with `serve --prometheus-url`: the charts read ranges from Prometheus.
    public let prometheus: PrometheusRanges?
    private let index = NIOLockedValueBox<(snapshot: Date, index: LineageIndex)?>(nil)

    public init(topics: TopicBook = TopicBook(), history: FlowHistory = FlowHistory(), prometheus: PrometheusRanges? = nil) {
        self.topics = topics
        self.history = history
        self.prometheus = prometheus
    }

    /// The lineage index of a snapshot: built when the snapshot is installed (``prepare``), so
    /// that no page view builds it; topics read since then show with the next snapshot.
    public func lineage(_ snapshot: Snapshot, catalog: Catalog) -> LineageIndex {
        if let cached = index.withLockedValue({ $0 }), cached.snapshot == snapshot.takenAt { return cached.index }
        return prepare(snapshot, catalog: catalog)
    }

    /// Builds the lineage index of a new snapshot with the topics known now.
    @discardableResult
    public func prepare(_ snapshot: Snapshot, catalog: Catalog) -> LineageIndex {
        let built = LineageIndex.build(snapshot: snapshot, catalog: catalog, book: topics, previous: index.withLockedValue { $0?.index })
        index.withLockedValue { current in
            if current.map({ $0.snapshot <= snapshot.takenAt }) ?? true { current = (snapshot.takenAt, built) }
        }
        return built
    }

    /// The hours a connector page charts: 3, or less when the history in memory reaches less far.
    public var chartHours: Double { prometheus != nil ? 3 : min(3, history.span / 3600) }

    /// A connector's series over the last `hours`: from Prometheus when configured (falling back
    /// to memory, with the reason, when it cannot answer), else from memory.
    public func series(cluster: String, connector: String, hours: Double = 3, now: Date = Date()) async -> FlowSeries {
        let since = now.addingTimeInterval(-hours * 3600)
        let memory = history.series("\(cluster)/\(connector)", since: since)
        guard let prometheus else { return memory }
        do {
            return try await prometheus.series(cluster: cluster, connector: connector, from: since, to: now)
        } catch {
            var fallback = memory
            fallback.problem = Scrubber.scrub("\(error)")
            return fallback
        }
    }
}
