import Foundation
@testable import SwitchboardCore
import Testing

/// Every entry under the catalog is accounted for: what Switchboard does not understand where
/// it stands is a violation naming it, its team counts as not read cleanly, and no delete is
/// planned for that team's connectors.
@Suite struct CatalogEntryTests {
    /// One way of breaking a team folder that holds `orders.yaml` (payments_orders runs live).
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var rule: Violation.Rule
        /// Text the violation's location or message contains.
        var names: String
        /// Whether payments' folder counts as not read cleanly.
        var taintsTeam = true
        var setup: @Sendable (URL) throws -> Void
        var description: String { name }
    }

    static let connectors = "teams/payments/connectors"
    static let outsideSecret = "outside-content-hunter2"

    static func write(_ root: URL, _ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    static func link(_ root: URL, _ path: String, to target: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }

    static func move(_ root: URL, _ from: String, _ to: String) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent(to).deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: root.appendingPathComponent(from), to: root.appendingPathComponent(to))
    }

    static let cases: [Case] = [
        Case(name: "upper-case extension", rule: .unknownEntry, names: "orders-cdc.YAML") { try move($0, "\(connectors)/orders.yaml", "\(connectors)/orders-cdc.YAML") },
        Case(name: "mixed-case .Yml", rule: .unknownEntry, names: "orders.Yml") { try move($0, "\(connectors)/orders.yaml", "\(connectors)/orders.Yml") },
        Case(name: "backup extension", rule: .unknownEntry, names: "orders.yaml.bak") { try move($0, "\(connectors)/orders.yaml", "\(connectors)/orders.yaml.bak") },
        Case(name: "no extension", rule: .unknownEntry, names: "\(connectors)/orders") { try move($0, "\(connectors)/orders.yaml", "\(connectors)/orders") },
        Case(name: "json instead of yaml", rule: .unknownEntry, names: "orders.json") { try move($0, "\(connectors)/orders.yaml", "\(connectors)/orders.json") },
        Case(name: "hidden connector file", rule: .unknownEntry, names: ".orders.yaml") { try move($0, "\(connectors)/orders.yaml", "\(connectors)/.orders.yaml") },
        Case(name: "broken symlink", rule: .unreadableEntry, names: "leads nowhere") { root in
            try FileManager.default.removeItem(at: root.appendingPathComponent("\(connectors)/orders.yaml"))
            try link(root, "\(connectors)/orders.yaml", to: "gone.yaml")
        },
        Case(name: "symlink loop", rule: .unreadableEntry, names: "leads nowhere") { root in
            try FileManager.default.removeItem(at: root.appendingPathComponent("\(connectors)/orders.yaml"))
            try link(root, "\(connectors)/orders.yaml", to: "loop.yaml")
            try link(root, "\(connectors)/loop.yaml", to: "orders.yaml")
        },
        Case(name: "symlink leading outside the catalog", rule: .unreadableEntry, names: "outside the catalog") { root in
            let outside = root.deletingLastPathComponent().appendingPathComponent("outside-\(UUID().uuidString).yaml")
            try "name: orders\n\(outsideSecret): yes\n".write(to: outside, atomically: true, encoding: .utf8)
            try FileManager.default.removeItem(at: root.appendingPathComponent("\(connectors)/orders.yaml"))
            try link(root, "\(connectors)/orders.yaml", to: outside.path)
        },
        Case(name: "connectors folder is a link outside", rule: .unreadableEntry, names: "outside the catalog") { root in
            let outside = root.deletingLastPathComponent().appendingPathComponent("outside-\(UUID().uuidString)")
            try move(root, connectors, "../\(outside.lastPathComponent)")
            try link(root, connectors, to: outside.path)
        },
        Case(name: "a folder named like a connector file", rule: .unknownEntry, names: "named like a connector file") { root in
            try FileManager.default.removeItem(at: root.appendingPathComponent("\(connectors)/orders.yaml"))
            try FileManager.default.createDirectory(at: root.appendingPathComponent("\(connectors)/orders.yaml"), withIntermediateDirectories: true)
        },
        Case(name: "a sub-folder of connectors", rule: .unknownEntry, names: "\(connectors)/old") { try move($0, "\(connectors)/orders.yaml", "\(connectors)/old/orders.yaml") },
        Case(name: "misspelt connectors folder", rule: .unknownEntry, names: "teams/payments/conectors") { try move($0, connectors, "teams/payments/conectors") },
        Case(name: "connectors is a file", rule: .unknownEntry, names: "must be a folder") { root in
            try FileManager.default.removeItem(at: root.appendingPathComponent(connectors))
            try write(root, connectors, "orders")
        },
        Case(name: "a fifo where a connector file should be", rule: .unreadableEntry, names: "fifo") { root in
            try FileManager.default.removeItem(at: root.appendingPathComponent("\(connectors)/orders.yaml"))
            #expect(mkfifo(root.appendingPathComponent("\(connectors)/orders.yaml").path, 0o644) == 0)
        },
        Case(name: "a file too large to be a catalog file", rule: .unreadableEntry, names: "larger than") { root in
            try Data(repeating: UInt8(ascii: "#"), count: (1 << 20) + 10).write(to: root.appendingPathComponent("\(connectors)/orders.yaml"))
        },
        Case(name: "not UTF-8", rule: .yamlSyntax, names: "orders.yaml") { root in
            try Data([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: root.appendingPathComponent("\(connectors)/orders.yaml"))
        },
        Case(name: "team.yml instead of team.yaml", rule: .unknownEntry, names: "team.yml") { try move($0, "teams/payments/team.yaml", "teams/payments/team.yml") },
        Case(name: "team.yaml is a folder", rule: .unreadableEntry, names: "is a folder") { root in
            try FileManager.default.removeItem(at: root.appendingPathComponent("teams/payments/team.yaml"))
            try FileManager.default.createDirectory(at: root.appendingPathComponent("teams/payments/team.yaml"), withIntermediateDirectories: true)
        },
        Case(name: "an unknown file in a team folder", rule: .unknownEntry, names: "teams/payments/orders.yaml") { try move($0, "\(connectors)/orders.yaml", "teams/payments/orders.yaml") },
        Case(name: "a file in teams/", rule: .unknownEntry, names: "teams/payments.yaml", taintsTeam: false) { try write($0, "teams/payments.yaml", "name: orders\n") },
        Case(name: "a hidden folder in teams/", rule: .unknownEntry, names: "teams/.archive", taintsTeam: false) { try write($0, "teams/.archive/connectors/x.yaml", "name: x\n") },
        Case(name: "teams folder with a capital", rule: .unknownEntry, names: "Teams", taintsTeam: false) { root in
            try write(root, "Teams/other/team.yaml", "members: [x]\n")
        },
        Case(name: "switchboard.yml beside switchboard.yaml", rule: .unknownEntry, names: "switchboard.yml", taintsTeam: false) { try write($0, "switchboard.yml", "clusters: []\n") },
        Case(name: "plugin.yaml misspelt", rule: .unknownEntry, names: "plugin.yaml", taintsTeam: false) { try write($0, "plugin.yaml", "artifacts: []\n") },
    ]

    func fixture() throws -> CatalogFixture {
        try CatalogFixture(["\(Self.connectors)/orders.yaml": CatalogFixture.connector(), "\(Self.connectors)/refunds.yaml": CatalogFixture.connector("refunds")])
    }

    @Test(arguments: cases)
    func anEntryNotUnderstoodIsAViolationAndBlocksDeletes(_ item: Case) throws {
        let fixture = try fixture()
        try item.setup(fixture.root)
        let result = fixture.load()
        let violation = result.violations.first { $0.rule == item.rule && ($0.location.file.contains(item.names) || $0.message.contains(item.names)) }
        #expect(violation != nil, "\(item.name): \(result.violations)")
        #expect(violation?.fix.isEmpty == false)
        for found in result.violations {
            #expect(!found.description.contains(Self.outsideSecret), "content outside the catalog is never shown")
        }
        #expect(result.catalog.cleanTeams.contains("payments") == !item.taintsTeam, "\(item.name): clean teams \(result.catalog.cleanTeams)")
        // Even if a caller ignored the violations, the planner would not delete the team's connectors.
        if item.taintsTeam {
            let plan = Planner(catalog: result.catalog).plan(live: ["ingest": [
                LiveConnector(name: "payments_orders", config: ["connector.class": "org.example.Sink", "topics": "orders"], state: "RUNNING"),
                LiveConnector(name: "payments_refunds", config: ["connector.class": "org.example.Sink", "topics": "orders"], state: "RUNNING"),
            ]])
            #expect(plan.deletes.isEmpty, "\(item.name)")
        }
    }

    @Test func notesPlaceholdersHiddenRootEntriesAndInsideLinksAreFine() throws {
        let fixture = try fixture()
        try Self.write(fixture.root, "README.md", "# catalog\n")
        try Self.write(fixture.root, ".github/workflows/ci.yml", "on: push\n")
        try Self.write(fixture.root, "docs/connectors.md", "notes\n")
        try Self.write(fixture.root, "teams/README.md", "notes\n")
        try Self.write(fixture.root, "teams/payments/NOTES.md", "notes\n")
        try Self.write(fixture.root, "\(Self.connectors)/README.md", "notes\n")
        try Self.write(fixture.root, "\(Self.connectors)/.gitkeep", "")
        try Self.write(fixture.root, "shared/audit.yml", CatalogFixture.connector("audit"))
        try Self.link(fixture.root, "\(Self.connectors)/audit.yml", to: "../../../shared/audit.yml")
        let result = fixture.load()
        #expect(result.violations.isEmpty, "\(result.violations)")
        #expect(result.catalog.connectors.map(\.fullName).sorted() == ["payments_audit", "payments_orders", "payments_refunds"])
        #expect(result.catalog.cleanTeams == ["payments"])
    }

    @Test func aMissingCatalogFolderIsOneClearError() {
        let result = CatalogLoader.load(from: URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)"))
        #expect(result.violations.count == 1)
        #expect(result.violations.first?.message.contains("does not exist") == true)
    }
}
