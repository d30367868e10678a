import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardAPI
import SwitchboardCore

/// The GitOps controller's face: its page and `/api/v1/gitops` for everyone signed in, "apply
/// now" for platform admins, and the push webhook (`POST /hooks/git`), which signs in nobody and
/// is believed only with a valid `X-Hub-Signature-256`.
struct GitOpsRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    /// The largest webhook body read (GitHub caps push payloads at 25 MB; a catalog push is small).
    static let webhookBodyLimit = 5 << 20

    struct ApplyForm: Decodable {
        var csrf: String?
    }

    struct ApproveForm: Decodable {
        var csrf: String?
        var connector: String?
        var team: String?
    }

    func register(on router: Router<Context>) {
        registerPages(on: router)
        registerAPI(on: router.group("api/v1"))
        registerWebhook(on: router)
    }

    /// The GitOps page and its "apply now" form.
    func registerPages(on router: Router<Context>) {
        let pages = PageRoutes(dependencies: dependencies)
        router.get("/gitops") { request, context in
            try await pages.signedIn(request, context) { page in
                guard let controller = dependencies.gitops, let user = context.user else {
                    return pages.notFound(page, "This server follows no repository (start it with --git-repository).")
                }
                return Responses.html(GitOpsPage.render(page, status: visible(controller.status, to: user), admin: dependencies.permissions.isAdmin(user),
                                                        owned: dependencies.permissions.teams(of: user)))
            }
        }
        router.post("/gitops/clusters/{cluster}/apply") { request, context in
            let form = try await request.form(ApplyForm.self)
            guard let user = context.user, let session = context.session else { return pages.signInFirst(request) }
            guard !request.isCrossSite, dependencies.tokens.verifyCSRF(form.csrf, forSession: session.id) else {
                return Responses.html(ErrorPage.render(pages.pageContext(context), title: "Refused", message: "The form's security token is missing, wrong or expired; reload the page and try again."), status: .forbidden)
            }
            switch await requestApply(context.parameters.get("cluster") ?? "", by: user) {
            case .success: return Responses.redirect("/gitops")
            case .failure(let refusal): return Responses.html(ErrorPage.render(pages.pageContext(context), title: refusal.title, message: refusal.message), status: refusal.status)
            }
        }
        router.post("/gitops/clusters/{cluster}/approve") { request, context in
            let form = try await request.form(ApproveForm.self)
            guard let user = context.user, let session = context.session else { return pages.signInFirst(request) }
            guard !request.isCrossSite, dependencies.tokens.verifyCSRF(form.csrf, forSession: session.id) else {
                return Responses.html(ErrorPage.render(pages.pageContext(context), title: "Refused", message: "The form's security token is missing, wrong or expired; reload the page and try again."), status: .forbidden)
            }
            let wanted = ImpactApprovalRequest(connector: form.connector ?? "", team: form.team ?? "")
            switch await approve(context.parameters.get("cluster") ?? "", wanted, by: user) {
            case .success: return Responses.redirect("/gitops")
            case .failure(let refusal): return Responses.html(ErrorPage.render(pages.pageContext(context), title: refusal.title, message: refusal.message), status: refusal.status)
            }
        }
    }

    func registerAPI(on v1: RouterGroup<Context>) {
        v1.get("gitops") { _, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            guard let controller = dependencies.gitops else { return try Responses.error(.notFound, "this server follows no repository (start it with --git-repository)") }
            return try Responses.json(visible(controller.status, to: user))
        }
        v1.post("gitops/clusters/{cluster}/apply") { request, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            if !context.viaToken, request.isCrossSite || !dependencies.tokens.verifyCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], forSession: context.session?.id) {
                return try Responses.error(.forbidden, "missing, wrong or expired X-CSRF-Token (GET /api/v1/me returns the one of this session)")
            }
            switch await requestApply(context.parameters.get("cluster") ?? "", by: user) {
            case .success: return try Responses.json(Queued(status: "queued", detail: "the next sync applies the plan; GET /api/v1/gitops shows how it went"), status: .accepted)
            case .failure(let refusal): return try Responses.error(refusal.status, refusal.message)
            }
        }
        v1.post("gitops/clusters/{cluster}/approvals") { request, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            if !context.viaToken, request.isCrossSite || !dependencies.tokens.verifyCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], forSession: context.session?.id) {
                return try Responses.error(.forbidden, "missing, wrong or expired X-CSRF-Token (GET /api/v1/me returns the one of this session)")
            }
            let body = try await request.body.collect(upTo: 16 << 10)
            guard let wanted = try? JSONDecoder().decode(ImpactApprovalRequest.self, from: Data(buffer: body)) else {  // not the expected JSON: said here
                return try Responses.error(.badRequest, #"send {"connector": "analytics_orders-events", "team": "analytics"}"#)
            }
            switch await approve(context.parameters.get("cluster") ?? "", wanted, by: user) {
            case .success: return try Responses.json(Queued(status: "approved", detail: "the next sync applies the change once every affected team approved; GET /api/v1/gitops shows it"), status: .accepted)
            case .failure(let refusal): return try Responses.error(refusal.status, refusal.message)
            }
        }
    }

    /// The push webhook: believed only with a valid signature; a push to the branch followed
    /// (or any other signed event) wakes the controller.
    func registerWebhook(on router: Router<Context>) {
        router.post("/hooks/git") { request, context in
            guard let controller = dependencies.gitops else { return try Responses.error(.notFound, "this server follows no repository") }
            guard let secret = dependencies.webhookSecret else {
                return try Responses.error(.forbidden, "webhooks are off: start serve with --webhook-secret-file (the secret GitHub signs pushes with)")
            }
            let body = try await request.body.collect(upTo: Self.webhookBodyLimit)
            guard Self.verify(signature: request.headers[HTTPField.Name("X-Hub-Signature-256")!], body: Data(buffer: body), secret: secret) else {
                dependencies.logger.warning("GitOps: refused a webhook with a missing or wrong signature", metadata: ["from": "\(context.remoteAddress ?? "?")"])
                return try Responses.error(.unauthorized, "missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body with the shared secret, as sha256=<hex>)")
            }
            let event = request.headers[HTTPField.Name("X-GitHub-Event")!] ?? "push"
            if event == "ping" {
                return try Responses.json(Queued(status: "pong"))
            }
            // A push to another branch changes nothing here; any other signed event syncs (a sync
            // that finds nothing new writes nothing).
            if event == "push", let ref = Self.pushedRef(Data(buffer: body)), ref != "refs/heads/\(controller.repository.branch)" {
                return try Responses.json(Queued(status: "ignored", detail: "a push to \(ref); this server follows refs/heads/\(controller.repository.branch)"), status: .accepted)
            }
            do {
                try await controller.wake()
            } catch {
                return try Responses.error(.serviceUnavailable, Scrubber.scrub("the sync request could not be recorded: \(error)"))
            }
            return try Responses.json(Queued(status: "syncing"), status: .accepted)
        }
    }

    struct Refusal: Error {
        var status: HTTPResponse.Status
        var title: String
        var message: String
    }

    /// Platform admins may apply a cluster's pending plan now, whatever its mode: the plan may
    /// touch every team's connectors. Audited, refused ones too.
    func requestApply(_ cluster: String, by user: User) async -> Result<Void, Refusal> {
        guard let controller = dependencies.gitops else {
            return .failure(Refusal(status: .notFound, title: "Not found", message: "this server follows no repository"))
        }
        guard dependencies.catalog.cluster(named: cluster) != nil else {
            return .failure(Refusal(status: .notFound, title: "Not found", message: "no cluster \(cluster) in the catalog served"))
        }
        guard dependencies.permissions.isAdmin(user) else {
            await dependencies.actions.record(AuditEntry(user: user.name, action: "gitops-apply", cluster: cluster, connector: "-", outcome: .denied,
                                                   detail: "needs platform admin (a plan may change every team's connectors)"))
            return .failure(Refusal(status: .forbidden, title: "Not allowed", message: "applying a cluster's plan needs a platform admin (a plan may change every team's connectors)"))
        }
        do {
            try await controller.requestApply(cluster: cluster, by: user.name)
        } catch {
            return .failure(Refusal(status: .serviceUnavailable, title: "Not recorded", message: "the request could not be recorded: \(error)"))
        }
        await dependencies.actions.record(AuditEntry(user: user.name, action: "gitops-apply", cluster: cluster, connector: "-", outcome: .succeeded,
                                               detail: "asked to apply the pending plan of commit \(controller.status.current?.summary ?? "?") at the next sync"))
        return .success(())
    }

    /// An owner of `team` approves a held change of `cluster` for that team. Audited, refused ones too.
    func approve(_ cluster: String, _ wanted: ImpactApprovalRequest, by user: User) async -> Result<Void, Refusal> {
        let audit = { (outcome: AuditEntry.Outcome, detail: String) in
            await dependencies.actions.record(AuditEntry(user: user.name, action: "approve-impact", cluster: cluster, connector: wanted.connector, outcome: outcome,
                                                         detail: detail, team: wanted.team.isEmpty ? nil : wanted.team))
        }
        guard let controller = dependencies.gitops else {
            return .failure(Refusal(status: .notFound, title: "Not found", message: "this server follows no repository"))
        }
        guard dependencies.catalog.cluster(named: cluster) != nil else {
            return .failure(Refusal(status: .notFound, title: "Not found", message: "no cluster \(cluster) in the catalog served"))
        }
        guard !wanted.connector.isEmpty, !wanted.team.isEmpty else {
            return .failure(Refusal(status: .badRequest, title: "Not approved", message: "name the connector whose change is held and the team you approve for"))
        }
        guard dependencies.catalog.team(named: wanted.team) != nil else {
            return .failure(Refusal(status: .badRequest, title: "Not approved", message: "no team \(wanted.team) in the catalog served"))
        }
        guard dependencies.permissions.teams(of: user).contains(wanted.team) else {
            await audit(.denied, "not an owner of team \(wanted.team): only its owners approve for it")
            return .failure(Refusal(status: .forbidden, title: "Not allowed", message: "\(user.name) is not an owner of team \(wanted.team); only its owners (team.yaml members and groups) approve for it"))
        }
        do {
            try await controller.approve(cluster: cluster, connector: wanted.connector, team: wanted.team, by: user.name)
        } catch {
            await audit(.failed, error.message)
            return .failure(Refusal(status: error.unavailable ? .serviceUnavailable : error.conflict ? .conflict : .badRequest, title: "Not approved", message: error.message))
        }
        await audit(.succeeded, "approved for team \(wanted.team) the held change of commit \(controller.status.current?.summary ?? "?")")
        return .success(())
    }

    /// The status as `user` may see it: key-level changes only of connectors whose config they
    /// may read.
    func visible(_ status: GitOpsStatus, to user: User) -> GitOpsStatus {
        let policy = dependencies.permissions.policy
        var status = status
        for index in status.clusters.indices {
            status.clusters[index].pending = status.clusters[index].pending.map { change in
                var change = change
                if !policy.decide(.viewConfig, name: user.name, groups: user.groups, team: change.team, cluster: change.cluster).allowed {
                    change.keyChanges = []
                }
                return change
            }
        }
        return status
    }

    /// GitHub's `X-Hub-Signature-256: sha256=<hex of HMAC-SHA256(body, secret)>`, compared in
    /// constant time.
    static func verify(signature: String?, body: Data, secret: [UInt8]) -> Bool {
        guard let signature, signature.hasPrefix("sha256="), let mac = hexBytes(signature.dropFirst("sha256=".count)), mac.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: secret))
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// The `ref` of a push payload, if the body is JSON with one.
    static func pushedRef(_ body: Data) -> String? {
        struct Push: Decodable { var ref: String? }
        return (try? JSONDecoder().decode(Push.self, from: body))?.ref  // a body without a ref (or not JSON, or a form-encoded payload) syncs
    }
}
