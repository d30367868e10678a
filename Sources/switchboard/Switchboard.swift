import ArgumentParser

@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "A self-serve control plane for Apache Kafka Connect.",
        discussion: """
            Teams keep their connectors as YAML in a catalog; Switchboard checks them against \
            platform policy, plans the change against the running Connect clusters and applies it.

            Start here:
              switchboard dev up                                # a local broker and Connect cluster
              switchboard validate --catalog examples/catalog   # check the catalog against policy
              switchboard plan --catalog examples/catalog       # what would change
              switchboard apply --catalog examples/catalog      # make the clusters match
              switchboard serve --catalog examples/catalog --users-file examples/users.yaml   # the web UI
            """,
        subcommands: [Validate.self, PlanCommand.self, Apply.self, Serve.self, Plugins.self, Render.self, Users.self, Dev.self]
    )
}
