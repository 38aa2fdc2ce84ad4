import CarrierCore
import Foundation
import Testing

@testable import CarrierRuntime

@Suite struct TokenBucketTests {
    @Test func burstThenSpacedAtTheRate() async {
        let bucket = TokenBucket(ratePerSecond: 2, capacity: 2)
        #expect(await bucket.reserve(key: "a", now: 0) == 0)
        #expect(await bucket.reserve(key: "a", now: 0) == 0)
        #expect(await bucket.reserve(key: "a", now: 0) == 0.5)
        #expect(await bucket.reserve(key: "a", now: 0) == 1.0)
        // Another key has its own bucket.
        #expect(await bucket.reserve(key: "b", now: 0) == 0)
        // After 1 s two tokens have come in and paid off the debt, so the next one waits again.
        #expect(await bucket.reserve(key: "a", now: 1) == 0.5)
        // Much later the bucket is full again (capped at 2).
        #expect(await bucket.reserve(key: "a", now: 100) == 0)
        #expect(await bucket.reserve(key: "a", now: 100) == 0)
        #expect(await bucket.reserve(key: "a", now: 100) == 0.5)
    }

    @Test func refillIsCappedAtCapacity() async {
        let bucket = TokenBucket(ratePerSecond: 1)
        #expect(bucket.capacity == 1)
        #expect(await bucket.reserve(key: "k", now: 0) == 0)
        #expect(await bucket.reserve(key: "k", now: 100) == 0)
        #expect(await bucket.reserve(key: "k", now: 100) == 1)
    }

    @Test func acquireDoesNotWaitWhileTokensRemain() async throws {
        let bucket = TokenBucket(ratePerSecond: 1000, capacity: 5)
        for _ in 0..<5 { try await bucket.acquire(key: "k") }
        #expect(await bucket.reserve(key: "k", now: 0) > 0)
    }
}

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 3, baseDelay: 1, maxDelay: 10)

    @Test func fullJitterExponentialBackoff() {
        #expect(policy.delay(forAttempt: 1, retryAfter: nil, random: 0.5) == 0.5)
        #expect(policy.delay(forAttempt: 2, retryAfter: nil, random: 0.5) == 1)
        #expect(policy.delay(forAttempt: 3, retryAfter: nil, random: 0.5) == 2)
        #expect(policy.delay(forAttempt: 3, retryAfter: nil, random: 0) == 0)
        #expect(
            RetryPolicy(maxRetries: 10, baseDelay: 1, maxDelay: 10).delay(forAttempt: 8, retryAfter: nil, random: 0.5)
                == 5)
    }

    @Test func boundedRetries() {
        #expect(policy.delay(forAttempt: 4, retryAfter: nil, random: 0.5) == nil)
        #expect(policy.delay(forAttempt: 0, retryAfter: nil, random: 0.5) == nil)
        #expect(RetryPolicy(maxRetries: 0).delay(forAttempt: 1, retryAfter: 1, random: 0.5) == nil)
    }

    @Test func retryAfterIsHonouredAndCapped() {
        #expect(policy.delay(forAttempt: 1, retryAfter: 7, random: 0.1) == 7)
        #expect(policy.delay(forAttempt: 1, retryAfter: 120, random: 0.1) == 10)
        #expect(policy.delay(forAttempt: 1, retryAfter: -3, random: 0.1) == 0)
    }

    @Test func parsesRetryAfterHeader() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.parseRetryAfter("120", now: now) == 120)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == 30)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
    }
}
