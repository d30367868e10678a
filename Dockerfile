# The `switchboard` image: the CLI and server, for the plugin init container and `switchboard serve`.
#   docker build -t registry.example.com/platform/switchboard:0.1.0 .
# Build stage: Swift on Debian bookworm, with the C libraries Switchboard links (SQLite for the
# audit log, zlib for tar.gz plugins, librdkafka for sink lag).
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev librdkafka-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime is linked statically, so the runtime image needs only the three C libraries.
RUN swift build -c release --product switchboard --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/switchboard" /switchboard

# Runtime stage: Debian slim, the binary and its libraries, an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libsqlite3-0 zlib1g librdkafka1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 1000 --user-group --no-create-home switchboard
COPY --from=build /switchboard /usr/local/bin/switchboard
USER 1000:1000
ENTRYPOINT []
CMD ["switchboard", "--help"]
