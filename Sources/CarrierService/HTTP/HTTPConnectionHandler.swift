import CarrierRuntime
import NIOCore
import NIOHTTP1

/// Collects each request on one connection, hands it to the ``ServiceResponder`` and writes the reply.
///
/// Runs on the connection's event loop. NIO's HTTP/1 pipeline (added in front of this handler) parses the requests,
/// holds back pipelined ones until the previous reply is written, and closes idle connections when the server
/// quiesces; this handler only has to answer in order.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: ServiceResponder
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    /// Requests received and not yet answered (more than one only when the client pipelines).
    private var inFlight = 0

    init(responder: ServiceResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            bodyTooLarge = false
            inFlight += 1
            // A client that asks first (`Expect: 100-continue`) is told to go ahead; no body is refused unread.
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                let goAhead = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(goAhead)), promise: nil)
            }
        case .body(var chunk):
            guard !bodyTooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > ServiceResponder.maxBodyBytes {
                bodyTooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if bodyTooLarge {
                write(ServiceResponder.errorReply(.bodyTooLarge), for: head, context: context)
                return
            }
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            let request = ServiceRequest(method: head.method, uri: head.uri, headers: head.headers, body: bytes)
            respond(to: request, head: head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Parse errors were already answered with a 400 by NIO's error handler; either way the stream can't go on.
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Idle: nothing received for the idle timeout. Only a connection with no request in flight is closed.
        if event is IdleStateHandler.IdleStateEvent {
            if inFlight == 0 && head == nil { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func respond(to request: ServiceRequest, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let responder = responder
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let answered = responder.respondWithoutTask(to: request, on: eventLoop) { reply in
            let (handler, context) = bound.value
            handler.write(reply, for: head, context: context)
        }
        if answered { return }
        let promise = context.eventLoop.makePromise(of: ServiceResponder.Reply.self)
        promise.completeWithTask { await responder.respond(to: request) }
        promise.futureResult.whenSuccess { reply in
            let (handler, context) = bound.value
            handler.write(reply, for: head, context: context)
        }
    }

    private func write(_ reply: ServiceResponder.Reply, for head: HTTPRequestHead, context: ChannelHandlerContext) {
        inFlight -= 1
        let keepAlive = head.isKeepAlive
        var headers = HTTPHeaders()
        headers.reserveCapacity(reply.headers.count + 2)
        for header in reply.headers { headers.add(name: header.name, value: header.value) }
        // The framing is ours: a carrier definition's reply cannot set its own length or encoding.
        headers.remove(name: "transfer-encoding")
        headers.replaceOrAdd(name: "content-length", value: String(reply.body.count))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if !reply.body.isEmpty && head.method != .HEAD {
            let buffer = context.channel.allocator.buffer(bytes: reply.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
