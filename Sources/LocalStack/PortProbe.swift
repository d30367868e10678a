import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells whether a TCP port on 127.0.0.1 is free or answering.
public enum PortProbe {
    /// Whether the port can be bound (nothing listens on it). Binds with SO_REUSEADDR, as servers
    /// (Jetty, Tansu, PostgreSQL) do: connections in TIME_WAIT after a process died do not make a
    /// port taken for them.
    public static func isFree(_ port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            return bind(fd, address, length) == 0
        } ?? false
    }

    /// Whether something accepts connections on it.
    public static func accepts(_ port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in connect(fd, address, length) == 0 } ?? false
    }

    /// A port that is free now (the kernel picks one), for tests.
    public static func ephemeral() -> Int {
        withLoopbackSocket(port: 0) { fd, address, length -> Int in
            guard bind(fd, address, length) == 0 else { return 0 }
            var bound = sockaddr_in()
            var boundLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &boundLength) }
            }
            return Int(UInt16(bigEndian: bound.sin_port))
        } ?? 0
    }

    /// Opens a TCP socket, hands it with a 127.0.0.1:`port` address to `body`, and closes it.
    private static func withLoopbackSocket<T>(port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> T) -> T? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
