/// Who makes a request.
public struct User: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// Headers set by an authenticating proxy (oauth2-proxy) from a trusted address.
        case proxy
        /// A local user who signed in with a password.
        case local
        /// `--insecure-dev`: nobody signed in; a development stand-in.
        case insecureDevelopment = "insecure-development"
        /// A personal API token (`Authorization: Bearer`), made by a user signed in another way.
        case token
    }

    public var name: String
    public var groups: [String]
    public var email: String?
    public var source: Source

    public init(name: String, groups: [String], email: String? = nil, source: Source) {
        self.name = name
        self.groups = groups
        self.email = email
        self.source = source
    }
}
