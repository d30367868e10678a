import Foundation
import ServiceLifecycle

/// Refreshes the snapshot on an interval until shutdown; plugins and version every `detailsEvery` rounds.
public struct SnapshotPoller: Service {
    let store: SnapshotStore
    let interval: Duration
    let detailsEvery: Int

    public init(store: SnapshotStore, interval: Duration = .seconds(5), detailsEvery: Int = 12) {
        self.store = store
        self.interval = interval
        self.detailsEvery = max(detailsEvery, 1)
    }

    public func run() async throws {
        try await untilShutdown {
            var round = 0
            while !Task.isCancelled {
                await store.refresh(details: round % detailsEvery == 0)
                round += 1
                try await Task.sleep(for: interval)
            }
        }
    }
}

// ServiceLifecycle logs each service as "\(service)": a name, not every field (a field can
// lead to a cluster's credentials).
extension SnapshotPoller: CustomStringConvertible {
    public var description: String { "SnapshotPoller" }
}
