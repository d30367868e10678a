import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import X509

/// A misbehaving server on a port of its own (port 0), for the network faults a real Connect
/// worker or artifact store cannot be made to show on demand: a server that accepts and never
/// answers, one that answers something other than Connect, TLS where plain HTTP is expected,
/// a body that trickles or stops, and scripted answers (409 storms, a write that times out but lands).
public final class FaultServer: Sendable {
    /// One request as the scripted handler sees it.
    public struct Request: Sendable {
        public var method: String
        /// The path with its query.
        public var uri: String
        public var body: String
    }

    /// One scripted answer.
    public struct Answer: Sendable {
        public var status: Int
        public var body: String
        public var contentType: String
        /// Waits this long before answering.
        public var delay: Duration

        public init(status: Int = 200, body: String = "{}", contentType: String = "application/json", delay: Duration = .zero) {
            self.status = status
            self.body = body
            self.contentType = contentType
            self.delay = delay
        }
    }

    public enum Behaviour: Sendable {
        /// Accepts connections, reads what comes, never answers.
        case silent
        /// Answers every request the same way.
        case answer(Answer)
        /// Speaks TLS (a self-signed certificate), then answers 200 `{}`.
        case tls
        /// Sends a 200 head declaring `total` bytes, then one byte every `interval`.
        case slowBody(total: Int, interval: Duration)
        /// Sends a 200 head declaring `declared` bytes, `sent` of them, then closes the connection.
        case truncatedBody(declared: Int, sent: Int)
        /// Answers each request as the handler says (called on the server's event loop thread).
        case scripted(@Sendable (Request) -> Answer)
    }

    public let port: Int
    private let channel: any Channel

    /// `http://127.0.0.1:<port>` (https for the caller to use against a plain server, as needed).
    public var url: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Starts a server on a free loopback port.
    public static func start(_ behaviour: Behaviour) async throws -> FaultServer {
        let tls: NIOSSLContext? = if case .tls = behaviour { try makeTLSContext() } else { nil }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch behaviour {
                    case .silent:
                        try channel.pipeline.syncOperations.addHandler(Swallow())
                    case .tls:
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls!))
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(Responder(behaviour: .answer(Answer())))
                    default:
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(Responder(behaviour: behaviour))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return FaultServer(port: channel.localAddress?.port ?? 0, channel: channel)
    }

    /// A loopback port where nothing listens: a server is bound on port 0 and closed again.
    public static func refusedPort() async throws -> Int {
        let server = try await start(.silent)
        try await server.channel.close()
        return server.port
    }

    public func stop() async {
        try? await channel.close()  // a test server that is already closed is what stop wants
    }

    /// A self-signed certificate for `localhost` and 127.0.0.1, made in memory.
    static func makeTLSContext() throws -> NIOSSLContext {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("localhost") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(3600),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]) },
            issuerPrivateKey: .init(key)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.derRepresentation), format: .der))
        )
        return try NIOSSLContext(configuration: configuration)
    }

    /// Reads and drops everything.
    final class Swallow: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }

    final class Responder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let behaviour: Behaviour
        // Touched only on the channel's event loop.
        private var head: HTTPRequestHead?
        private var body = ""

        init(behaviour: Behaviour) {
            self.behaviour = behaviour
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = ""
            case .body(let buffer):
                body += String(buffer: buffer)
            case .end:
                guard let head else { return }
                respond(context: context, request: Request(method: head.method.rawValue, uri: head.uri, body: body))
            }
        }

        func respond(context: ChannelHandlerContext, request: Request) {
            switch behaviour {
            case .answer(let answer):
                send(answer, context: context)
            case .scripted(let handler):
                send(handler(request), context: context)
            case .slowBody(let total, let interval):
                writeHead(status: 200, length: total, contentType: "application/octet-stream", context: context)
                trickle(remaining: total, every: interval, context: context)
            case .truncatedBody(let declared, let sent):
                writeHead(status: 200, length: declared, contentType: "application/octet-stream", context: context)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: "x"), count: sent)))), promise: nil)
                context.flush()
                context.close(promise: nil)
            case .silent, .tls:
                break
            }
        }

        func send(_ answer: Answer, context: ChannelHandlerContext) {
            let write = {
                self.writeHead(status: answer.status, length: answer.body.utf8.count, contentType: answer.contentType, context: context)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
            if answer.delay == .zero {
                write()
            } else {
                let (seconds, attoseconds) = answer.delay.components
                context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) { write() }
            }
        }

        func writeHead(status: Int, length: Int, contentType: String, context: ChannelHandlerContext) {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Content-Length", value: String(length))
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))), promise: nil)
        }

        func trickle(remaining: Int, every interval: Duration, context: ChannelHandlerContext) {
            guard remaining > 0, context.channel.isActive else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            let (seconds, attoseconds) = interval.components
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {
                context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "x")))), promise: nil)
                self.trickle(remaining: remaining - 1, every: interval, context: context)
            }
        }
    }
}
