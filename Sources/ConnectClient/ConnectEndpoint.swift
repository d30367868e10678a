import Foundation

/// Where and how to reach one Kafka Connect cluster: one or more worker URLs (tried in order
/// when a worker does not answer), optional basic auth, optional TLS settings.
public struct ConnectEndpoint: Sendable, Equatable {
    /// Basic-auth credentials. The password is only ever put into the Authorization header.
    /// Prints and reflects without its password, so no log line that describes a value holding
    /// it (a service, a client) can show it.
    public struct BasicAuth: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var username: String
        public var password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        public var description: String { "BasicAuth(username: \(username), password: (secret))" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "(secret)"]) }
    }

    /// TLS settings for `https` worker URLs.
    public struct TLS: Sendable, Equatable {
        /// A PEM file with the CA certificates to trust instead of the system store.
        public var caFile: String?
        /// Skip certificate verification (development only).
        public var insecureSkipVerify: Bool
        public init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
            self.caFile = caFile
            self.insecureSkipVerify = insecureSkipVerify
        }
    }

    public var urls: [URL]
    public var basicAuth: BasicAuth?
    public var tls: TLS?

    public init(urls: [URL], basicAuth: BasicAuth? = nil, tls: TLS? = nil) {
        precondition(!urls.isEmpty, "a Connect endpoint needs at least one URL")
        self.urls = urls
        self.basicAuth = basicAuth
        self.tls = tls
    }

    public init(url: URL) {
        self.init(urls: [url])
    }
}
