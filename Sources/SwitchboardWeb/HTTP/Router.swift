import Hummingbird

/// The router: HTML pages and the JSON API, behind authentication and security headers.
public func buildRouter(_ dependencies: ServerDependencies) -> Router<SwitchboardRequestContext> {
    let router = Router(context: SwitchboardRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware(https: dependencies.auth.secureCookies))
    router.add(middleware: AuthenticationMiddleware(settings: dependencies.auth, sessions: dependencies.sessions, apiTokens: dependencies.apiTokens))
    ResourceRoutes(dependencies: dependencies).register(on: router)
    PageRoutes(dependencies: dependencies).register(on: router)
    APIRoutes(dependencies: dependencies).register(on: router)
    TokenRoutes(dependencies: dependencies).register(on: router)
    GitOpsRoutes(dependencies: dependencies).register(on: router)
    NewConnectorRoutes(dependencies: dependencies).register(on: router)
    BulkRoutes(dependencies: dependencies).register(on: router)
    MaintenanceRoutes(dependencies: dependencies).register(on: router)
    DataFlowRoutes(dependencies: dependencies).register(on: router)
    DeadLetterRoutes(dependencies: dependencies).register(on: router)
    LogLevelRoutes(dependencies: dependencies).register(on: router)
    UpgradeRoutes(dependencies: dependencies).register(on: router)
    return router
}
