import NIOCore

/// When the request being received on a connection started (its first bytes), shared by the two handlers that
/// need it. Event-loop bound.
final class RequestStart {
    var at: NIODeadline?
}

/// Closes a connection whose request head and body do not arrive within `timeout` of their first byte (a slow
/// client holding a connection open byte by byte), however steadily the bytes trickle in.
///
/// Sits before the HTTP parser, which shows nothing of a request until its head is complete. Arms on the first
/// bytes of a request (nothing per read once armed); ``HTTPConnectionHandler`` disarms when the request is complete.
/// One repeating check per connection, every quarter of the timeout, instead of a timer per request.
final class RequestDeadlineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let start: RequestStart
    private let timeout: TimeAmount
    private var check: RepeatedTask?

    init(start: RequestStart, timeout: TimeAmount) {
        self.start = start
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if start.at == nil { start.at = .now() }
        context.fireChannelRead(data)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard check == nil else { return }
        let interval = max(TimeAmount.milliseconds(50), TimeAmount.nanoseconds(timeout.nanoseconds / 4))
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let (handler, context) = bound.value
            if let started = handler.start.at, NIODeadline.now() - started > handler.timeout {
                context.close(promise: nil)
            }
        }
    }
}
