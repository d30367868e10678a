import ArgumentParser

@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "A self-serve control plane for Apache Kafka Connect.",
        discussion: """
            Teams keep their connectors as YAML in a catalog; Switchboard checks them against
            platform policy, plans the change against the running Connect clusters and applies it.

            Start here:
              switchboard dev up            # a local broker and Connect cluster, installed on first use
              switchboard dev status        # what runs, where, and where its logs are
              switchboard dev down          # stop what `dev up` started
            """,
        subcommands: [Dev.self]
    )
}
