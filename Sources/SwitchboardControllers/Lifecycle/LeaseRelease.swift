import ServiceLifecycle
import SwitchboardStorage

/// Gives the controllers' lease up when the server stops, once the controllers have ended (it
/// stands before them in the service group, which stops its services in reverse order), so that
/// another replica takes over at once instead of after the dead connection is noticed.
public struct LeaseRelease: Service, CustomStringConvertible {
    let lease: any ControllerLease

    public init(lease: any ControllerLease) {
        self.lease = lease
    }

    public func run() async {
        // Cancelled instead (the stop ran out of time): the lease is given up all the same.
        try? await gracefulShutdown()
        await lease.release()
    }

    public var description: String { "LeaseRelease" }
}
