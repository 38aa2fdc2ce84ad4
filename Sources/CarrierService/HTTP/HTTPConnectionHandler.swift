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

    init(responder: ServiceResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            bodyTooLarge = false
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
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            let request = ServiceRequest(method: head.method, uri: head.uri, headers: head.headers, body: bytes)
            if bodyTooLarge {
                write(ServiceResponder.errorReply(.bodyTooLarge), for: head, context: context)
                return
            }
            respond(to: request, head: head, context: context)
        }
    }

    private func respond(to request: ServiceRequest, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let responder = responder
        let promise = context.eventLoop.makePromise(of: ServiceResponder.Reply.self)
        promise.completeWithTask { await responder.respond(to: request) }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { reply in
            let (handler, context) = bound.value
            handler.write(reply, for: head, context: context)
        }
    }

    private func write(_ reply: ServiceResponder.Reply, for head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        var headers = HTTPHeaders()
        headers.reserveCapacity(reply.headers.count + 2)
        for header in reply.headers { headers.add(name: header.name, value: header.value) }
        headers.add(name: "content-length", value: String(reply.body.count))
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
