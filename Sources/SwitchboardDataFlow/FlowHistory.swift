import Foundation
import NIOConcurrencyHelpers
import SwitchboardAPI
import SwitchboardSnapshot

/// A bounded history in memory, per connector: at most `capacity` samples, one per
/// `resolution` (the newest reading in each interval wins; by default 240 one-minute samples,
/// four hours), and the last 64 state changes. A sample takes 16 bytes, so about 4 KB per
/// connector with the default (8 MB for 2,000). Lost on restart: `serve --prometheus-url`
/// reads the charts from Prometheus instead.
public final class FlowHistory: Sendable {
    public let capacity: Int
    public let resolution: TimeInterval
    static let stateCapacity = 64

    /// One connector's ring of samples, packed.
    struct Ring {
        var seconds: [Int32] = []
        var lags: [Int64] = []
        var rates: [Float] = []
        var start = 0
        var states: [FlowSeries.StateChange] = []
        /// Recent counter readings, oldest first: the throughput is taken over them.
        var counters: [(value: Int64, at: Date)] = []
        /// Records in the dead-letter topic per sample, -1 where unknown; nil for a connector
        /// that has none (most of them), so that they cost nothing.
        var deadLetters: [Int64]?
        /// Recent dead-letter counts, oldest first: their growth is taken over them.
        var deadLetterReadings: [(value: Int64, at: Date)] = []
    }

    /// What one reading added: the throughput, and the dead letters' growth per minute, when known.
    public struct Recorded: Sendable, Equatable {
        public var rate: Double?
        public var deadLettersPerMinute: Double?
    }

    private let rings = NIOLockedValueBox<[String: Ring]>([:])
    /// Times are stored as seconds after this.
    private let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    /// How far back the history reaches once full.
    public var span: TimeInterval { Double(capacity) * resolution }
    /// The throughput is the counter's growth over at least this long (when the history reaches
    /// back so far): a sink commits its offsets every `offset.flush.interval.ms` (60 s by
    /// default), so a shorter window would show bursts and zeros rather than a rate.
    public var rateWindow: TimeInterval { max(2 * resolution, 180) }
    /// Readings further apart than this had none between them (a chart does not join them).
    public var gap: TimeInterval { max(2.5 * resolution, 30) }

    public init(capacity: Int = 240, resolution: TimeInterval = 60) {
        self.capacity = max(2, capacity)
        self.resolution = max(1, resolution)
    }

    /// Notes each connector's health, keeping changes only; forgets connectors that are gone.
    public func observe(_ snapshot: Snapshot, at date: Date = Date()) {
        rings.withLockedValue { rings in
            for (key, view) in snapshot.connectors {
                var ring = rings[key] ?? Ring()
                if ring.states.last?.health != view.health {
                    ring.states.append(.init(at: date, health: view.health))
                    if ring.states.count > Self.stateCapacity { ring.states.removeFirst(ring.states.count - Self.stateCapacity) }
                }
                rings[key] = ring
            }
            for key in rings.keys where snapshot.connectors[key] == nil { rings.removeValue(forKey: key) }
        }
    }

    /// Records a reading: a sink's lag, and a counter whose growth over ``rateWindow`` is the
    /// throughput (a sink's committed offsets, a source's end offsets). A counter that went back
    /// (offsets reset, a topic recreated) starts afresh. Returns the throughput, when known.
    @discardableResult
    public func record(_ key: String, lag: Int64?, counter: Int64?, at date: Date = Date()) -> Double? {
        record(key, lag: lag, counter: counter, deadLetters: nil, at: date).rate
    }

    /// Records a reading with a sink's dead-letter count, whose growth over ``rateWindow`` is
    /// returned per minute beside the throughput.
    public func record(_ key: String, lag: Int64?, counter: Int64?, deadLetters: Int64?, at date: Date) -> Recorded {
        rings.withLockedValue { rings in
            var ring = rings[key] ?? Ring()
            let second = Int32(clamping: Int64(date.timeIntervalSince(epoch).rounded(.down)))
            // Intervals are aligned to the clock (one-minute samples start on the minute).
            let interval = { (seconds: Int32) in Int64((self.epoch.timeIntervalSince1970 + Double(seconds)) / self.resolution) }
            let newest = ring.seconds.isEmpty ? nil : ring.seconds[(ring.start + ring.seconds.count - 1) % ring.seconds.count]
            let sameInterval = newest.map { interval($0) == interval(second) } ?? false
            let rate = counter.flatMap { growth(of: &ring.counters, $0, at: date) }
            let deadLetterRate = deadLetters.flatMap { growth(of: &ring.deadLetterReadings, $0, at: date) }.map { $0 * 60 }
            if deadLetters != nil, ring.deadLetters == nil { ring.deadLetters = Array(repeating: -1, count: ring.seconds.count) }
            let values = (second, lag ?? -1, Float(rate ?? .nan), deadLetters ?? -1)
            let index: Int
            if sameInterval {
                index = (ring.start + ring.seconds.count - 1) % ring.seconds.count
            } else if ring.seconds.count < capacity {
                index = ring.seconds.count
                ring.seconds.append(0); ring.lags.append(0); ring.rates.append(0)
                ring.deadLetters?.append(0)
            } else {
                index = ring.start
                ring.start = (ring.start + 1) % capacity
            }
            (ring.seconds[index], ring.lags[index], ring.rates[index]) = (values.0, values.1, values.2)
            ring.deadLetters?[index] = values.3
            rings[key] = ring
            return Recorded(rate: rate, deadLettersPerMinute: deadLetterRate)
        }
    }

    /// A reading added to `readings` (recent ones, oldest first), and its growth per second over
    /// ``rateWindow`` (from the newest reading at least a window old, or the oldest there is). A
    /// value that went back starts afresh.
    private func growth(of readings: inout [(value: Int64, at: Date)], _ value: Int64, at date: Date) -> Double? {
        if let last = readings.last, value < last.value { readings.removeAll() }
        readings.append((value, date))
        let windowStart = date.addingTimeInterval(-rateWindow)
        while readings.count > 2, readings[1].at <= windowStart { readings.removeFirst() }
        guard let base = readings.first, base.at < date else { return nil }
        return Double(value - base.value) / date.timeIntervalSince(base.at)
    }

    /// A connector's series, oldest first, since `since`.
    public func series(_ key: String, since: Date = .distantPast) -> FlowSeries {
        rings.withLockedValue { rings in
            guard let ring = rings[key] else { return FlowSeries() }
            var samples: [FlowSeries.Sample] = []
            samples.reserveCapacity(ring.seconds.count)
            for offset in 0..<ring.seconds.count {
                let index = (ring.start + offset) % ring.seconds.count
                let at = epoch.addingTimeInterval(TimeInterval(ring.seconds[index]))
                guard at >= since else { continue }
                let deadLetters = ring.deadLetters.flatMap { $0[index] < 0 ? nil : $0[index] }
                samples.append(.init(at: at, lag: ring.lags[index] < 0 ? nil : ring.lags[index], recordsPerSecond: ring.rates[index].isNaN ? nil : Double(ring.rates[index]),
                                     deadLetters: deadLetters))
            }
            return FlowSeries(samples: samples, states: ring.states)
        }
    }
}
