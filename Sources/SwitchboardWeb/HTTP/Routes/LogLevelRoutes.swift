import ConnectClient
import Foundation
import HTTPTypes
import Hummingbird
import Reconciler
import SwitchboardAPI
import SwitchboardCore

/// A cluster's log levels (KIP-495, KIP-976): read by anyone signed in (logger names and levels,
/// never a config value); set by platform admins and by owners for their connectors' classes
/// (``Permissions/mayChangeLogLevel(_:cluster:user:snapshot:)``), for a time after which the
/// ``LogLevelRestorer`` puts the previous level back. Every change and refusal is audited.
struct LogLevelRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    struct LevelForm: Decodable {
        var csrf: String?
        var logger: String?
        var level: String?
        var minutes: Int?
    }

    struct Refusal: Error {
        var status: HTTPResponse.Status
        var message: String
    }

    func register(on router: Router<Context>) {
        let v1 = router.group("api/v1")
        v1.get("clusters/{cluster}/loggers") { _, context in
            guard context.user != nil else { return try Responses.error(.unauthorized, "not signed in") }
            let cluster = context.parameters.get("cluster") ?? ""
            guard dependencies.catalog.cluster(named: cluster) != nil else { return try Responses.error(.notFound, "no cluster \(cluster)") }
            do {
                let reading = try await LogLevels(connections: dependencies.connections).read(cluster: cluster)
                let changes = try await dependencies.audit.storage.logLevelChanges(cluster: cluster, limit: 50)
                return try Responses.json(ClusterLoggers(cluster: cluster, release: reading.release, loggers: reading.loggers.mapValues(\.level), changes: changes))
            } catch let error as ConnectError {
                return try Responses.error(.badGateway, error.description)
            }
        }
        v1.put("clusters/{cluster}/loggers/{logger}") { request, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            if !context.viaToken, request.isCrossSite || !dependencies.tokens.verifyCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], forSession: context.session?.id) {
                return try Responses.error(.forbidden, "missing, wrong or expired X-CSRF-Token (GET /api/v1/me returns the one of this session)")
            }
            let body = try await request.body.collect(upTo: 16 << 10)
            guard let wanted = try? JSONDecoder().decode(LogLevelRequest.self, from: Data(buffer: body)) else {  // not the expected JSON: said below
                return try Responses.error(.badRequest, #"send {"level": "DEBUG", "minutes": 60}"#)
            }
            switch await change(context.parameters.get("cluster") ?? "", context.parameters.get("logger") ?? "", wanted, by: user) {
            case .success(let change): return try Responses.json(change)
            case .failure(let refusal): return try Responses.error(refusal.status, refusal.message)
            }
        }
        router.post("/clusters/{cluster}/loggers") { request, context in
            let pages = PageRoutes(dependencies: dependencies)
            let form = try await request.form(LevelForm.self)
            guard let user = context.user, let session = context.session else { return pages.signInFirst(request) }
            guard !request.isCrossSite, dependencies.tokens.verifyCSRF(form.csrf, forSession: session.id) else {
                return Responses.html(ErrorPage.render(pages.pageContext(context), title: "Refused", message: "The form's security token is missing, wrong or expired; reload the page and try again."), status: .forbidden)
            }
            let cluster = context.parameters.get("cluster") ?? ""
            switch await change(cluster, form.logger ?? "", LogLevelRequest(level: form.level ?? "", minutes: form.minutes), by: user) {
            case .success: return Responses.redirect(HTML.path("clusters", cluster) + "#log-levels")
            case .failure(let refusal):
                return Responses.html(ErrorPage.render(pages.pageContext(context), title: "Log level not changed", message: refusal.message), status: refusal.status)
            }
        }
    }

    /// Checks, authorises, sets and records one change; audits it, refused or not.
    func change(_ cluster: String, _ logger: String, _ wanted: LogLevelRequest, by user: User) async -> Result<LogLevelChange, Refusal> {
        let level = wanted.level.uppercased(), minutes = wanted.minutes ?? LogLevelRequest.defaultMinutes
        let audit = { (outcome: AuditEntry.Outcome, detail: String) in
            await dependencies.audit.note(AuditEntry(user: user.name, action: "set-log-level", cluster: cluster, connector: "-", outcome: outcome, detail: detail), logger: dependencies.logger)
        }
        guard dependencies.catalog.cluster(named: cluster) != nil else { return .failure(Refusal(status: .notFound, message: "no cluster \(cluster) in the catalog")) }
        guard ConnectClient.isLoggerName(logger) else {
            return .failure(Refusal(status: .badRequest, message: "'\(Scrubber.scrub(logger))' is not a logger name: a Java package or class name (letters, digits, _ and $, in parts joined by dots), or root"))
        }
        guard ConnectClient.logLevels.contains(level) else {
            return .failure(Refusal(status: .badRequest, message: "'\(Scrubber.scrub(wanted.level))' is not a level: \(ConnectClient.logLevels.joined(separator: ", "))"))
        }
        guard (1...LogLevelRequest.maxMinutes).contains(minutes) else {
            return .failure(Refusal(status: .badRequest, message: "minutes must be between 1 and \(LogLevelRequest.maxMinutes) (the previous level is put back after them; got \(minutes))"))
        }
        let decision = dependencies.permissions.mayChangeLogLevel(logger, cluster: cluster, user: user, snapshot: dependencies.store.current)
        guard decision.allowed else {
            await audit(.denied, decision.reason)
            return .failure(Refusal(status: .forbidden, message: "\(user.name) may not: \(decision.reason)"))
        }
        do {
            let storage = dependencies.audit.storage
            let levels = LogLevels(connections: dependencies.connections, retry: ConnectorOperations.forPeople)
            // One open change per logger: a later one keeps the level from before the first.
            let open = try await storage.openLogLevelChanges().first { $0.cluster == cluster && $0.logger == logger }
            var previous = open?.previous
            if previous == nil { previous = try await levels.current(logger, cluster: cluster) }
            let now = Date()
            // Recorded before it is set, so that a level that was set is always put back in time.
            let change = try await storage.insertLogLevelChange(LogLevelChange(cluster: cluster, logger: logger, level: level, previous: previous ?? "", user: user.name,
                                                                               at: now, revertAt: now.addingTimeInterval(Double(minutes) * 60)))
            do {
                try await levels.set(logger, to: level, cluster: cluster)
            } catch {
                if let id = change.id { try? await storage.markLogLevelReverted(id: id, at: now) }  // nothing was set: nothing to put back; the error below is the one to report
                throw error
            }
            if let id = open?.id { try await storage.markLogLevelReverted(id: id, at: now) }
            await audit(.succeeded, "logger \(logger) to \(level) for \(minutes) min (was \(change.previous))")
            return .success(change)
        } catch let error as ConnectError {
            let message = Scrubber.scrub(error.description)
            await audit(.failed, "logger \(logger) to \(level): \(message)")
            return .failure(Refusal(status: .badGateway, message: message))
        } catch {
            let message = Scrubber.scrub("\(error)")
            await audit(.failed, "logger \(logger) to \(level): \(message)")
            return .failure(Refusal(status: .serviceUnavailable, message: message))
        }
    }
}
