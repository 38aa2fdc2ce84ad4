import CarrierRuntime
import NIOCore
import NIOHTTP1

/// Collects each request on one connection, hands it to the ``ServiceResponder`` and writes the replies in order.
///
/// Runs on the connection's event loop, behind NIO's HTTP/1 parser. It answers pipelined requests itself (in
/// order, holding a reply that finishes before an earlier one) instead of NIO's pipelining handler, which stopped
/// and restarted reading around every request: two `epoll_ctl` calls per request on a keep-alive connection. Reads
/// stop only while ``maxPipelined`` requests wait for their replies.
final class HTTPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Requests a client may send ahead of their replies before this connection stops reading.
    static let maxPipelined = 16

    private let responder: ServiceResponder
    /// The request deadline's clock, disarmed when a request is complete (``RequestDeadlineHandler``).
    private let requestStart: RequestStart
    /// The client's IP address, read once per connection.
    private let client: String
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    /// The request being received is not answered (it came after the connection was told to close).
    private var discarding = false
    /// Requests received completely, and replies written: request `n` gets the `n`th reply.
    private var received = 0
    private var written = 0
    /// Replies that finished before an earlier request's, by request number.
    private var held: [Int: (reply: ServiceResponder.Reply, head: HTTPRequestHead)] = [:]
    /// The number of requests to answer before closing (a `Connection: close` request, or a shutdown).
    private var closeAfter: Int?
    /// A `read` held back while ``maxPipelined`` requests wait.
    private var readHeld = false

    /// Requests received and not yet answered, the one still arriving included.
    private var inFlight: Int { received - written + (head == nil ? 0 : 1) }

    init(responder: ServiceResponder, requestStart: RequestStart = RequestStart(), client: String = "") {
        self.responder = responder
        self.requestStart = requestStart
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            body = nil
            bodyTooLarge = false
            discarding = closeAfter.map { received >= $0 } ?? false
            guard !discarding else { return }
            self.head = head
            // A client that asks first (`Expect: 100-continue`) is told to go ahead; no body is refused unread.
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                let goAhead = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(goAhead)), promise: nil)
            }
        case .body(var chunk):
            guard !bodyTooLarge, !discarding else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > ServiceResponder.maxBodyBytes {
                bodyTooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            requestStart.at = nil
            guard let head, !discarding else { return }
            self.head = nil
            let number = received
            received += 1
            if !head.isKeepAlive { closeAfter = min(closeAfter ?? received, received) }
            if bodyTooLarge {
                reply(ServiceResponder.errorReply(.bodyTooLarge), to: number, head: head, context: context)
                return
            }
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            let request = ServiceRequest(
                method: head.method, uri: head.uri, headers: head.headers, body: bytes, client: client)
            respond(to: request, number: number, head: head, context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        if inFlight >= Self.maxPipelined {
            readHeld = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Parse errors were already answered with a 400 by NIO's error handler; either way the stream can't go on.
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Idle: nothing received for the idle timeout. Only a connection with no request in flight is closed.
        if event is IdleStateHandler.IdleStateEvent {
            if inFlight == 0 { context.close(promise: nil) }
            return
        }
        // Shutdown: answer what was received (and the request still arriving), then close.
        if event is ChannelShouldQuiesceEvent {
            let last = received + (head == nil ? 0 : 1)
            closeAfter = min(closeAfter ?? last, last)
            if inFlight == 0 { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func respond(
        to request: ServiceRequest, number: Int, head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        let responder = responder
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let answered = responder.respondWithoutTask(to: request, on: eventLoop) { reply in
            let (handler, context) = bound.value
            handler.reply(reply, to: number, head: head, context: context)
        }
        if answered { return }
        let promise = context.eventLoop.makePromise(of: ServiceResponder.Reply.self)
        promise.completeWithTask { await responder.respond(to: request) }
        promise.futureResult.whenSuccess { reply in
            let (handler, context) = bound.value
            handler.reply(reply, to: number, head: head, context: context)
        }
    }

    /// Writes the reply to request `number` once every earlier request has its reply written.
    private func reply(
        _ reply: ServiceResponder.Reply, to number: Int, head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        guard number == written else {
            held[number] = (reply, head)
            return
        }
        var last = write(reply, for: head, context: context)
        while let next = held.removeValue(forKey: written) {
            last = write(next.reply, for: next.head, context: context)
        }
        context.flush()
        if let closeAfter, written >= closeAfter {
            let channel = context.channel
            last.whenComplete { _ in channel.close(promise: nil) }
        } else if readHeld && inFlight < Self.maxPipelined {
            readHeld = false
            context.read()
        }
    }

    /// Writes one reply without flushing; the future completes when its last part is written.
    private func write(
        _ reply: ServiceResponder.Reply, for head: HTTPRequestHead, context: ChannelHandlerContext
    ) -> EventLoopFuture<Void> {
        written += 1
        var headers = HTTPHeaders()
        headers.reserveCapacity(reply.headers.count + 2)
        for header in reply.headers { headers.add(name: header.name, value: header.value) }
        // The framing is ours: a carrier definition's reply cannot set its own length or encoding.
        headers.remove(name: "transfer-encoding")
        headers.replaceOrAdd(name: "content-length", value: String(reply.body.count))
        let closing = closeAfter.map { written >= $0 } ?? false
        if closing || !head.isKeepAlive { headers.add(name: "connection", value: "close") }
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if !reply.body.isEmpty && head.method != .HEAD {
            let buffer = context.channel.allocator.buffer(bytes: reply.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        return context.write(wrapOutboundOut(.end(nil)))
    }
}
