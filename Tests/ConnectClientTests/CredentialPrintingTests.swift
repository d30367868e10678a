@testable import ConnectClient
import Foundation
import Testing

/// A value that holds a credential prints and reflects without it, however it is printed: a
/// log line that describes a service or a client (ServiceLifecycle does) must not show it.
@Suite struct CredentialPrintingTests {
    struct Holder { var endpoint: ConnectEndpoint }

    @Test func basicAuthNeverPrintsItsPassword() {
        let auth = ConnectEndpoint.BasicAuth(username: "switchboard", password: "planted-pw-7731")
        let holder = Holder(endpoint: ConnectEndpoint(urls: [URL(string: "http://w:8083")!], basicAuth: auth, tls: nil))
        var dumped = ""
        dump(holder, to: &dumped)
        for text in [String(describing: auth), String(reflecting: auth), "\(holder)", String(reflecting: holder), dumped, "\(Optional(auth) as Any)"] {
            #expect(!text.contains("planted-pw-7731"), "\(text)")
            #expect(text.contains("switchboard") || text.contains("BasicAuth") || text.contains("Holder"), "\(text)")
        }
    }
}
