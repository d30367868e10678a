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
        rings.withLockedValue { rings in
            var ring = rings[key] ?? Ring()
            let second = Int32(clamping: Int64(date.timeIntervalSince(epoch).rounded(.down)))
            // Intervals are aligned to the clock (one-minute samples start on the minute).
            let interval = { (seconds: Int32) in Int64((self.epoch.timeIntervalSince1970 + Double(seconds)) / self.resolution) }
            let newest = ring.seconds.isEmpty ? nil : ring.seconds[(ring.start + ring.seconds.count - 1) % ring.seconds.count]
            let sameInterval = newest.map { interval($0) == interval(second) } ?? false
            var rate = Float.nan
            if let counter {
                if let last = ring.counters.last, counter < last.value { ring.counters.removeAll() }
                ring.counters.append((counter, date))
                // The base is the newest reading at least a window old (or the oldest there is).
                let windowStart = date.addingTimeInterval(-rateWindow)
                while ring.counters.count > 2, ring.counters[1].at <= windowStart { ring.counters.removeFirst() }
                if let base = ring.counters.first, base.at < date {
                    rate = Float(Double(counter - base.value) / date.timeIntervalSince(base.at))
                }
            }
            let lagValue = lag ?? -1
            if sameInterval {
                let index = (ring.start + ring.seconds.count - 1) % ring.seconds.count
                (ring.seconds[index], ring.lags[index], ring.rates[index]) = (second, lagValue, rate)
            } else if ring.seconds.count < capacity {
                ring.seconds.append(second); ring.lags.append(lagValue); ring.rates.append(rate)
            } else {
                (ring.seconds[ring.start], ring.lags[ring.start], ring.rates[ring.start]) = (second, lagValue, rate)
                ring.start = (ring.start + 1) % capacity
            }
            rings[key] = ring
            return rate.isNaN ? nil : Double(rate)
        }
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
                samples.append(.init(at: at, lag: ring.lags[index] < 0 ? nil : ring.lags[index], recordsPerSecond: ring.rates[index].isNaN ? nil : Double(ring.rates[index])))
            }
            return FlowSeries(samples: samples, states: ring.states)
        }
    }
}
