import Foundation
import KafkaLag
import NIOConcurrencyHelpers
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// What the lineage and the charts are drawn from: the topics each connector uses, the
/// history in memory, the latest lag and throughput readings, and Prometheus when the server
/// reads ranges from it. It follows the snapshots (``SnapshotObserver``): each new snapshot's
/// lineage is built before pages can see the snapshot.
public final class DataFlow: SnapshotObserver, Sendable {
    public let topics: TopicBook
    public let history: FlowHistory
    /// Set with `serve --prometheus-url`: the charts read ranges from Prometheus.
    public let prometheus: PrometheusRanges?
    private let index = NIOLockedValueBox<(snapshot: Date, index: LineageIndex)?>(nil)
    private let readings = NIOLockedValueBox(Readings())
    private let readingObservers = NIOLockedValueBox<[@Sendable (Readings) -> Void]>([])

    /// The latest lag of each sink and throughput of each connector, by connector key.
    public struct Readings: Sendable {
        public var lag: [String: SinkLag] = [:]
        public var rates: [String: Double] = [:]
        /// Records in each sink's dead-letter topic (sinks that name one), and their growth per minute.
        public var deadLetters: [String: Int64] = [:]
        public var deadLetterRates: [String: Double] = [:]
    }

    public init(topics: TopicBook = TopicBook(), history: FlowHistory = FlowHistory(), prometheus: PrometheusRanges? = nil) {
        self.topics = topics
        self.history = history
        self.prometheus = prometheus
    }

    // MARK: SnapshotObserver

    /// Forgets the topics of connectors that are gone, and builds the new snapshot's lineage.
    public func prepare(_ snapshot: Snapshot, catalog: Catalog) {
        topics.retain(Set(snapshot.connectors.keys))
        prepareLineage(snapshot, catalog: catalog)
    }

    public func published(_ snapshot: Snapshot) {
        history.observe(snapshot)
    }

    /// The same connectors and reads: the lineage built for `previous` serves the amended
    /// snapshot as it is, and the history has nothing new to record.
    public func amended(_ snapshot: Snapshot, previous: Snapshot) {
        index.withLockedValue { current in
            if current?.snapshot == previous.takenAt { current?.snapshot = snapshot.takenAt }
        }
    }

    // MARK: readings

    /// The latest readings of the lag poller.
    public var latest: Readings { readings.withLockedValue { $0 } }

    /// Calls `observer` with the readings after every round of the lag poller.
    public func observeReadings(_ observer: @escaping @Sendable (Readings) -> Void) {
        readingObservers.withLockedValue { $0.append(observer) }
    }

    /// Records a round of the lag poller: lag and throughput replace those of `clusters`, and
    /// each reading goes into the history.
    public func record(_ round: [String: LagPoller.Reading], clusters: Set<String>, at date: Date = Date()) {
        var rates: [String: Double] = [:], deadLetterRates: [String: Double] = [:]
        for (key, reading) in round {
            let recorded = history.record(key, lag: reading.lag?.total, counter: reading.counter, deadLetters: reading.deadLetters, at: date)
            (rates[key], deadLetterRates[key]) = (recorded.rate, recorded.deadLettersPerMinute)
        }
        let lag = round.compactMapValues(\.lag), deadLetters = round.compactMapValues(\.deadLetters)
        let all = readings.withLockedValue { state -> Readings in
            let kept = { (key: String) in !clusters.contains(ConnectorView.parts(ofKey: key).cluster) }
            state.lag = state.lag.filter { kept($0.key) }.merging(lag) { $1 }
            state.rates = state.rates.filter { kept($0.key) }.merging(rates) { $1 }
            state.deadLetters = state.deadLetters.filter { kept($0.key) }.merging(deadLetters) { $1 }
            state.deadLetterRates = state.deadLetterRates.filter { kept($0.key) }.merging(deadLetterRates) { $1 }
            return state
        }
        for observer in readingObservers.withLockedValue({ $0 }) { observer(all) }
    }

    // MARK: lineage

    /// The lineage index of a snapshot: built when the snapshot is installed (``prepare``), so
    /// that no page view builds it; topics read since then show with the next snapshot.
    public func lineage(_ snapshot: Snapshot, catalog: Catalog) -> LineageIndex {
        if let cached = index.withLockedValue({ $0 }), cached.snapshot == snapshot.takenAt { return cached.index }
        return prepareLineage(snapshot, catalog: catalog)
    }

    /// Builds the lineage index of a new snapshot with the topics known now.
    @discardableResult
    public func prepareLineage(_ snapshot: Snapshot, catalog: Catalog) -> LineageIndex {
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
