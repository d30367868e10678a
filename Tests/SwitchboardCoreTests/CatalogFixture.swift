import Foundation
import TestSupport
@testable import SwitchboardCore

/// A catalog written to a temporary folder from file contents, for tests.
struct CatalogFixture {
    let root: URL

    static let platform = """
        clusters:
          - name: ingest
            url: http://127.0.0.1:18083
            allowedClasses: [org.example.Source, org.example.Sink]
          - name: analytics
            urls: [http://127.0.0.1:18093, http://127.0.0.1:18094]
        admins:
          groups: [platform]
        policy:
          maxTasks: 4
          secretProviders: [file, env]
          forbiddenKeys:
            - key: "producer.override.*"
              reason: overrides bypass quotas
          requiredKeys:
            - key: topics
              appliesTo: sink
          defaults:
            - key: errors.deadletterqueue.topic.name
              value: "dlq.{team}.{name}"
              appliesTo: sink
            - key: errors.tolerance
              value: all
              appliesTo: sink
        """

    static let team = """
        members: [alice]
        groups: [payments-eng]
        alerts:
          receivers:
            - type: webhook
              url: http://127.0.0.1:9000/hook
        """

    /// `files` maps paths (relative to the catalog root) to contents; switchboard.yaml and
    /// teams/payments/team.yaml are added unless given.
    init(_ files: [String: String], platform: String? = CatalogFixture.platform, teams: [String] = ["payments"]) throws {
        var all = files
        if let platform, all["switchboard.yaml"] == nil { all["switchboard.yaml"] = platform }
        for team in teams where all["teams/\(team)/team.yaml"] == nil {
            all["teams/\(team)/team.yaml"] = Self.team
        }
        root = try CatalogFolder(all).root
    }

    func load() -> CatalogLoader.Result {
        CatalogLoader.load(from: root)
    }

    /// Structural and policy violations together.
    func violations() -> [Violation] {
        let result = load()
        return result.violations + PolicyChecker(catalog: result.catalog).check()
    }

    static func connector(_ name: String = "orders", cluster: String = "ingest", className: String = "org.example.Sink", extra: String = "", config: String = "    topics: orders") -> String {
        """
        name: \(name)
        cluster: \(cluster)
        class: \(className)
        \(extra)
        config:
        \(config)
        """
    }
}
