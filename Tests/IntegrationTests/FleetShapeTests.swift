import AsyncHTTPClient
import ConnectClient
import ConnectFleet
import Foundation
import LocalStack
import NIOCore
import ServerTesting
import StackTesting
import TestSupport
import Testing

/// The simulated fleet (bench/scale.sh) must not drift from Connect: for each call Switchboard
/// makes, its answer has the fields and JSON types of a real 3.9 worker's answer to the same call.
@Suite("The simulated fleet answers as a real worker does", .tags(.realStack))
struct FleetShapeTests {
    @Test func everyCallSwitchboardMakesHasTheRealWorkersFieldsAndTypes() async throws {
        let stack = try await TestStack.shared.up()
        let real = stack.configuration.workerURLs(of: "alpha")[0].absoluteString
        let client = TestStack.shared.client("alpha")
        let source = TestStack.uniqueName("shape-source"), sink = TestStack.uniqueName("shape-sink"), topic = TestStack.uniqueName("shape")
        try await client.create(source, config: ["connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "tasks.max": "1",
                                                 "file": "/etc/hostname", "topic": topic])
        try await client.create(sink, config: ["connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "tasks.max": "1",
                                               "file": "/tmp/\(sink).out", "topics": topic])
        defer { Task { try? await client.delete(source); try? await client.delete(sink) } }
        try await eventually(timeout: .seconds(120), "both connectors and their tasks RUNNING") { () -> Bool? in
            let all = try await client.connectors()
            return [source, sink].allSatisfy { all[$0]?.status?.tasks.first?.state == .running } ? true : nil
        }
        // The source has written its file's line, so it has offsets and topics to show.
        try await eventually(timeout: .seconds(120), "the source's offsets and topics") { () -> Bool? in
            let offsets = try await Self.get(real + "/connectors/\(source)/offsets") as? [String: Any]
            let topics = try await Self.get(real + "/connectors/\(source)/topics") as? [String: [String: [String]]]
            return (offsets?["offsets"] as? [Any])?.isEmpty == false && topics?[source]?["topics"]?.isEmpty == false ? true : nil
        }

        let spec = FleetSpec(clusters: 1, connectors: 8, teams: 2, failed: 0, degraded: 0, paused: 0, churn: 0, basePort: PortProbe.ephemeral())
        let fleet = Task { try await FleetServer.run(spec, logger: .init(label: "fleet-shape")) }
        defer { fleet.cancel() }
        let simulated = "http://127.0.0.1:\(spec.port(ofCluster: 0))"
        try await eventually(timeout: .seconds(20), "the simulated cluster") { PortProbe.accepts(spec.port(ofCluster: 0)) ? true : nil }
        let fileSource = spec.connectors(ofCluster: 0).first { $0.kind == .fileSource }!.name
        let jdbcSink = spec.connectors(ofCluster: 0).first { $0.kind == .jdbcSink }!.name

        let realBulk = try #require(try await Self.get(real + "/connectors?expand=info&expand=status") as? [String: Any])
        let simulatedBulk = try #require(try await Self.get(simulated + "/connectors?expand=info&expand=status") as? [String: Any])
        let pairs: [(String, Any?, Any?)] = [
            ("GET /", try await Self.get(real + "/"), try await Self.get(simulated + "/")),
            ("GET /health", try await Self.get(real + "/health"), try await Self.get(simulated + "/health")),
            ("GET /connector-plugins", try await Self.get(real + "/connector-plugins"), try await Self.get(simulated + "/connector-plugins")),
            ("bulk entry of a source", realBulk[source], simulatedBulk[fileSource]),
            ("bulk entry of a sink", realBulk[sink], simulatedBulk[jdbcSink]),
            ("GET /connectors/{name}/status", try await Self.get(real + "/connectors/\(sink)/status"), try await Self.get(simulated + "/connectors/\(jdbcSink)/status")),
            // A config's keys are the connector's own: as in the bulk read, an object of strings.
            ("GET /connectors/{name}/config", ["config": try await Self.get(real + "/connectors/\(sink)/config")], ["config": try await Self.get(simulated + "/connectors/\(jdbcSink)/config")]),
            ("GET /connectors/{name}/offsets of a source", try await Self.get(real + "/connectors/\(source)/offsets"), try await Self.get(simulated + "/connectors/\(fileSource)/offsets")),
            ("GET /connectors/{name}/topics", (try await Self.get(real + "/connectors/\(source)/topics") as? [String: Any])?[source],
             (try await Self.get(simulated + "/connectors/\(fileSource)/topics") as? [String: Any])?[fileSource]),
        ]
        for (call, realAnswer, simulatedAnswer) in pairs {
            let realShape = try #require(realAnswer.map(Shape.of), "\(call): the real worker's answer")
            let simulatedShape = try #require(simulatedAnswer.map(Shape.of), "\(call): the simulator's answer")
            #expect(realShape.matches(simulatedShape), "\(call): real \(realShape) vs simulated \(simulatedShape)")
        }
        // The names of the bulk read are the connectors' names, as Switchboard's client decodes them.
        let decoded = try await ConnectClient(endpoint: ConnectEndpoint(url: URL(string: simulated)!)).connectors()
        #expect(decoded.count == spec.connectors(ofCluster: 0).count)
        #expect(decoded[fileSource]?.status?.tasks.first?.state == .running)

        // Sink offsets per topic-partition: compared once the sink has committed some.
        if let realSinkOffsets = try await Self.get(real + "/connectors/\(sink)/offsets") as? [String: Any], (realSinkOffsets["offsets"] as? [Any])?.isEmpty == false {
            let simulatedSinkOffsets = try #require(try await Self.get(simulated + "/connectors/\(jdbcSink)/offsets"))
            let (a, b) = (Shape.of(realSinkOffsets, opaque: []), Shape.of(simulatedSinkOffsets, opaque: []))
            #expect(a.matches(b), "sink offsets: real \(a) vs simulated \(b)")
        }
    }

    /// The JSON answer of a GET that answers 200. A worker of a cluster other suites are busy on
    /// can answer 409 (a rebalance) or 500 (a request that timed out inside it) for a while: asked
    /// again for up to two minutes, then the last answer is the failure.
    static func get(_ url: String) async throws -> Any {
        try await eventually(timeout: .seconds(120), "200 from GET \(url)") { () -> Any? in
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 64 << 20)
            guard response.status.code == 200 else { throw TestFailure("GET \(url): \(response.status) \(String(buffer: body).prefix(300))") }
            return try JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed])
        }
    }

    /// A JSON value's fields and types. Objects under `opaque` keys (a config, an offset's
    /// partition and position: their keys belong to the connector) count as objects of any content.
    indirect enum Shape: Equatable, CustomStringConvertible {
        case string, scalar, null, opaqueObject
        /// An array, with the shape of its first element (nil when empty).
        case array(Shape?)
        case object([String: Shape])

        static func of(_ value: Any) -> Shape { of(value, opaque: ["config", "partition", "offset"]) }

        static func of(_ value: Any, opaque: Set<String>) -> Shape {
            switch value {
            case is String: return .string
            case is NSNull: return .null
            case let array as [Any]: return .array(array.first.map { of($0, opaque: opaque) })
            case let object as [String: Any]:
                return .object(Dictionary(uniqueKeysWithValues: object.map { key, value in
                    guard opaque.contains(key), let inner = value as? [String: Any] else { return (key, of(value, opaque: opaque)) }
                    // A config is strings only; an offset's partition and position are the connector's own.
                    return (key, key == "config" && !inner.values.allSatisfy { $0 is String } ? of(value, opaque: []) : .opaqueObject)
                }))
            default: return .scalar
            }
        }

        /// Equal fields and types; an empty array matches any array.
        func matches(_ other: Shape) -> Bool {
            switch (self, other) {
            case (.array(nil), .array), (.array, .array(nil)): return true
            case (.array(let a?), .array(let b?)): return a.matches(b)
            case (.object(let a), .object(let b)):
                return Set(a.keys) == Set(b.keys) && a.allSatisfy { key, shape in shape.matches(b[key]!) }
            default: return self == other
            }
        }

        var description: String {
            switch self {
            case .string: "string"
            case .scalar: "number"
            case .null: "null"
            case .opaqueObject: "{...}"
            case .array(let element): "[\(element?.description ?? "")]"
            case .object(let fields): "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
            }
        }
    }
}
