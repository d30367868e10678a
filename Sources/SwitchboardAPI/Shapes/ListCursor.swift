import Foundation

/// A place in a connector list that stays put while the list changes: the sort values of the
/// last row a page gave, not a row number. Rows added or removed before it do not shift the
/// next page; in urgency order a connector whose health changes moves, in key order nothing does.
public struct ListCursor: Sendable, Equatable {
    public enum Order: String, Sendable, CaseIterable {
        /// Failed, then degraded, then the rest; each by cluster and name (the overview's order).
        case urgency
        /// By `<cluster>/<name>`.
        case name
    }

    public var order: Order
    public var urgency: Int
    public var key: String

    public init(order: Order, after view: ConnectorView) {
        (self.order, self.urgency, self.key) = (order, view.urgency, view.key)
    }

    /// Whether `view` comes after this place in its order.
    public func precedes(_ view: ConnectorView) -> Bool {
        switch order {
        case .name: return view.key > key
        case .urgency:
            let (cluster, name) = ConnectorView.parts(ofKey: key)
            return (urgency, cluster, name) < (view.urgency, view.cluster, view.name)
        }
    }

    /// What the API hands out: opaque to callers (base64url of a version, the order, urgency and key).
    public var token: String {
        Data("1\u{1F}\(order.rawValue)\u{1F}\(urgency)\u{1F}\(key)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A cursor from its token; nil for anything this server did not hand out.
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.count <= 4096, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\u{1F}", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "1", let order = Order(rawValue: parts[1]), let urgency = Int(parts[2]), (0...2).contains(urgency),
              parts[3].contains("/") else { return nil }
        (self.order, self.urgency, self.key) = (order, urgency, parts[3])
    }
}
