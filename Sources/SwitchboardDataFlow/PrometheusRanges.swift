import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Outbound
import SwitchboardAPI
import SwitchboardCore

/// Reads a connector's series from Prometheus (`serve --prometheus-url`), which scrapes this
/// server's /metrics: lag from `switchboard_sink_total_lag_records`, throughput from
/// `switchboard_connector_records_per_second`, states from `switchboard_connector_state` and
/// `switchboard_connector_failed`, dead letters from `switchboard_sink_dead_letter_records`. History then survives restarts and is as long as Prometheus
/// keeps it. Each page waits at most `timeout` for all its ranges; past it, or on any error,
/// the page shows the history in memory and says what Prometheus did.
public struct PrometheusRanges: Sendable {
    public let url: URL
    public let timeout: Duration
    let httpClient: HTTPClient

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(url: URL, timeout: Duration = .seconds(3), httpClient: HTTPClient = HTTPPolicy.sharedClient) {
        self.url = url
        self.timeout = timeout
        self.httpClient = httpClient
    }

    /// A problem with a `--prometheus-url`, or nil when it can be used.
    public static func problem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host?.isEmpty == false else {
            return "'\(Scrubber.scrub(text))' is not an http(s) URL like http://prometheus:9090"
        }
        guard url.query == nil, url.fragment == nil else { return "the URL must not have a query or fragment" }
        return nil
    }

    public func series(cluster: String, connector: String, from: Date, to: Date) async throws -> FlowSeries {
        let selector = "{cluster=\"\(Self.quoted(cluster))\",connector=\"\(Self.quoted(connector))\"}"
        // Fine enough that a failure of a minute shows on a 3-hour chart; a state held at any
        // moment of a step counts for the step (max_over_time), so none falls between points.
        let step = max(15, Int(to.timeIntervalSince(from) / 720))
        let address = Scrubber.scrub(url.absoluteString)
        do {
            return try await withDeadline(timeout) {
                async let lag = range("max(switchboard_sink_total_lag_records\(selector))", from: from, to: to, step: step)
                async let rate = range("max(switchboard_connector_records_per_second\(selector))", from: from, to: to, step: step)
                async let states = range("max by (state) (max_over_time(switchboard_connector_state\(selector)[\(step)s]))", from: from, to: to, step: step)
                async let failed = range("max(max_over_time(switchboard_connector_failed\(selector)[\(step)s]))", from: from, to: to, step: step)
                async let deadLetters = range("max(switchboard_sink_dead_letter_records\(selector))", from: from, to: to, step: step)
                return try await Self.combine(lag: lag, rate: rate, states: states, failed: failed, deadLetters: deadLetters)
            }
        } catch is DeadlineExceeded {
            throw Failure(description: "Prometheus at \(address) did not answer within \(timeout)")
        }
    }

    /// One range query: the series' label `state` (if any) and its points.
    func range(_ query: String, from: Date, to: Date, step: Int) async throws -> [(state: String?, points: [(Date, Double)])] {
        var components = URLComponents(url: url.appendingPathComponent("api/v1/query_range"), resolvingAgainstBaseURL: false)!
        components.queryItems = [.init(name: "query", value: query), .init(name: "start", value: String(Int(from.timeIntervalSince1970))),
                                 .init(name: "end", value: String(Int(to.timeIntervalSince1970))), .init(name: "step", value: String(step))]
        // `+` is a space in a query string: encode it (PromQL has none here, but names may).
        let target = components.url!.absoluteString.replacingOccurrences(of: "+", with: "%2B")
        var request = HTTPClientRequest(url: target)
        request.method = .GET
        let address = Scrubber.scrub(url.absoluteString)
        let response: OutboundResponse
        do {
            response = try await HTTPPolicy.fetch(request, label: "GET /api/v1/query_range", timeout: timeout, maxBytes: 16 << 20, client: httpClient)
        } catch let failure as OutboundFailure {
            throw Failure(description: "Prometheus at \(address) cannot be used: \(failure.reason)")
        }
        let body = response.body
        guard response.status == 200 else {
            throw Failure(description: Scrubber.scrub("Prometheus at \(address) answered \(response.status): \(String(buffer: body).prefix(200))"))
        }
        struct Answer: Decodable {
            struct Data: Decodable { var result: [Series] }
            struct Series: Decodable {
                var metric: [String: String]
                var values: [[Value]]
            }
            enum Value: Decodable {
                case number(Double), text(String)
                init(from decoder: Decoder) throws {
                    let container = try decoder.singleValueContainer()
                    if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
                }
            }
            var status: String
            var data: Data?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(buffer: body)), answer.status == "success", let data = answer.data else {
            throw Failure(description: "Prometheus at \(address) answered something that is not a range query result")
        }
        return data.result.map { series in
            (series.metric["state"], series.values.compactMap { pair -> (Date, Double)? in
                guard pair.count == 2, case .number(let time) = pair[0], case .text(let text) = pair[1], let value = Double(text), value.isFinite else { return nil }
                return (Date(timeIntervalSince1970: time), value)
            })
        }
    }

    static func combine(lag: [(state: String?, points: [(Date, Double)])], rate: [(state: String?, points: [(Date, Double)])],
                        states: [(state: String?, points: [(Date, Double)])], failed: [(state: String?, points: [(Date, Double)])],
                        deadLetters: [(state: String?, points: [(Date, Double)])] = []) -> FlowSeries {
        var samples: [Date: FlowSeries.Sample] = [:]
        for (at, value) in lag.first?.points ?? [] { samples[at, default: .init(at: at)].lag = Int64(value) }
        for (at, value) in deadLetters.first?.points ?? [] { samples[at, default: .init(at: at)].deadLetters = Int64(value) }
        for (at, value) in rate.first?.points ?? [] { samples[at, default: .init(at: at)].recordsPerSecond = value }
        var stateAt: [Date: String] = [:]
        for series in states {
            for (at, value) in series.points where value >= 1 { stateAt[at] = series.state ?? "UNKNOWN" }
        }
        for (at, value) in failed.first?.points ?? [] where value >= 1 { stateAt[at] = "FAILED" }
        var changes: [FlowSeries.StateChange] = []
        for at in stateAt.keys.sorted() where changes.last?.health != stateAt[at] {
            changes.append(.init(at: at, health: stateAt[at]!))
        }
        return FlowSeries(samples: samples.values.sorted { $0.at < $1.at }, states: changes, source: "prometheus")
    }

    /// A PromQL string literal's content: backslash, quote and line breaks escaped.
    static func quoted(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

