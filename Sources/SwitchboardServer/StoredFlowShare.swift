import Foundation
import Logging
import SwitchboardDataFlow
import SwitchboardStorage

/// The pollers' rounds shared through the server's storage (`controller_state`, keys
/// `dataflow/<name>`): the lease holder writes each round, the other replicas read it.
struct StoredFlowShare: FlowShare {
    static let prefix = "dataflow/"
    let storage: any ServerStorage
    let logger: Logger

    var polls: Bool { storage.lease.isHeld }

    func publish<Value: Encodable & Sendable>(_ name: String, _ value: Value) async {
        do {
            let json = String(decoding: try JSONEncoder.controllerState.encode(value), as: UTF8.self)
            try await storage.saveControllerState([Self.prefix + name: json], deleting: [])
        } catch {
            logger.warning("Cannot share the pollers' round with the other replicas", metadata: ["round": "\(name)", "error": "\(error)"])
        }
    }

    func latest<Value: Decodable & Sendable>(_ name: String, as type: Value.Type) async -> Value? {
        let key = Self.prefix + name
        do {
            guard let json = try await storage.controllerState(prefix: key)[key] else { return nil }
            return try JSONDecoder.controllerState.decode(type, from: Data(json.utf8))
        } catch {
            logger.warning("Cannot read the pollers' round the lease holder shared", metadata: ["round": "\(name)", "error": "\(error)"])
            return nil
        }
    }
}
