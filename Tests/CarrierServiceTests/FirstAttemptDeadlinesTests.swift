import Testing

@testable import CarrierService

/// The deadlines of `POST /send`'s wait for its first attempt.
@Suite struct FirstAttemptDeadlinesTests {
    @Test(.timeLimit(.minutes(1))) func anUnansweredWaitEndsWithNilAtItsDeadline() async {
        let deadlines = FirstAttemptDeadlines(waitMs: 30)
        let started = ContinuousClock.now
        let answer = await withCheckedContinuation { continuation in
            let waiter = FirstAttemptWaiter()
            waiter.arm(continuation)
            deadlines.add(waiter)
        }
        #expect(answer == nil)
        #expect(ContinuousClock.now - started >= .milliseconds(30))
    }

    @Test func answeredWaitsLeaveBeforeTheirDeadline() async {
        let deadlines = FirstAttemptDeadlines(waitMs: 600_000)
        for _ in 0..<100 {
            _ = await withCheckedContinuation { continuation in
                let waiter = FirstAttemptWaiter()
                waiter.arm(continuation)
                deadlines.add(waiter)
                waiter.resume(nil)  // the attempt answered first
            }
        }
        // Each add drops the answered waits in front of it: only the last one is left.
        #expect(deadlines.pendingCount == 1)
    }
}
