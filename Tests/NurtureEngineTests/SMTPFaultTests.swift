import Foundation
import NurtureCore
import NurtureEngine
import NurtureSMTP
import NurtureStore
import NurtureTestSupport
import Testing

/// A flaky mail server never loses a prospect, never mails one twice and is not hammered: the real engine, a real
/// SQLite file and libcurl against a server on loopback that misbehaves one way per test, on a manual clock.
@Suite struct SMTPFaultTests {
    @Test func aServerDownAtStartIsTriedLessAndLessOftenAndEveryStepGoesOutOnceItIsBack() throws {
        let slot = try ServerSlot.down()
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port))
        let prospects = try engine.enroll(LiveEngine.prospects(5))

        try engine.scheduler.runDue()
        try engine.run(for: .hour)

        // One probe at a time, at 1, 3, 7, 15 and 31 minutes, after the first try (by both connections, at most).
        #expect((6...7).contains(engine.transport.sends), "\(engine.transport.sends) connection attempts")
        #expect(engine.problems.count == 1, "\(engine.problems)")
        #expect(engine.problems.first?.contains("could not connect to the SMTP server") == true)
        for prospect in prospects {
            #expect(try engine.deliveries(prospect).isEmpty, "the server's fault spends none of \(prospect)'s attempts")
        }
        #expect(try engine.store.summary(now: engine.clock.now()).dueNow == 5)

        try slot.start()
        try engine.run(for: 5 * .minute)

        #expect(try slot.recipients().sorted() == prospects)
        for prospect in prospects {
            #expect(try engine.deliveries(prospect).map(\.outcome) == [.delivered])
        }
        #expect(engine.notices.count == 1, "\(engine.notices)")
        let summary = try engine.store.summary(now: engine.clock.now())
        #expect(
            (summary.dueNow, summary.pending, summary.failedDeliveries, summary.uncertainDeliveries) == (0, 5, 0, 0))
    }

    @Test func aServerThatGoesDownMidRunDelaysTheRestAndSendsNoneTwice() throws {
        let slot = ServerSlot(try TestSMTPServer())
        let delivered = Counter()
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port), connections: 1) { result in
            if result.isDelivered, delivered.increment() == 3 { slot.stop() }
        }
        let prospects = try engine.enroll(LiveEngine.prospects(8))

        try engine.scheduler.runDue()
        try engine.run(for: 10 * .minute)
        #expect(try slot.recipients().count == 3)
        #expect(engine.problems.count == 1, "\(engine.problems)")
        #expect(try engine.store.summary(now: engine.clock.now()).dueNow == 5)

        try slot.start()
        try engine.run(for: 10 * .minute)

        #expect(try slot.recipients().sorted() == prospects)
        for prospect in prospects {
            #expect(try engine.deliveries(prospect).map(\.outcome) == [.delivered])
        }
        #expect(try engine.integrityCheck() == ["ok"])
    }

    @Test func a421GreetingPausesSendingAndTheStepsGoOutWhenTheServerTakesMailAgain() throws {
        let slot = ServerSlot(try TestSMTPServer(["--greeting", "421"]))
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port))
        let prospects = try engine.enroll(LiveEngine.prospects(3))

        try engine.scheduler.runDue()
        try engine.run(for: 30 * .minute)

        // The first try, then probes at 1, 3, 7 and 15 minutes.
        let connections = try slot.count("connect")
        #expect((5...6).contains(connections), "\(connections) connections")
        #expect(engine.problems.count == 1)
        #expect(engine.problems.first?.contains("421 4.3.2 Service not available") == true, "\(engine.problems)")

        try slot.start()
        try engine.run(for: 20 * .minute)
        #expect(try slot.recipients().sorted() == prospects)
        for prospect in prospects {
            #expect(try engine.deliveries(prospect).map(\.outcome) == [.delivered])
        }
    }

    @Test func a451Or452ToARecipientIsRetriedWithBackoffWhileOthersGoOut() throws {
        let slot = ServerSlot(
            try TestSMTPServer(["--refuse", "later@example.com:451:2", "--refuse", "full@example.com:452:1"]))
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port))
        try engine.enroll(["later@example.com", "full@example.com", "fine@example.com"])

        try engine.scheduler.runDue()
        #expect(try slot.recipients() == ["fine@example.com"])
        try engine.run(for: 1 * .minute)
        #expect(try slot.recipients().sorted() == ["fine@example.com", "full@example.com"])
        try engine.run(for: 2 * .minute)

        #expect(try slot.recipients().sorted() == ["fine@example.com", "full@example.com", "later@example.com"])
        #expect(engine.problems.isEmpty, "a recipient's deferral does not pause sending: \(engine.problems)")
        let later = try engine.deliveries("later@example.com")
        #expect(later.map(\.outcome) == [.transientFailure, .transientFailure, .delivered])
        #expect(later.map(\.attempt) == [1, 2, 3])
        #expect(later.map(\.smtpCode) == [451, 451, 250])
        #expect(later.first?.smtpText?.hasSuffix("451 4.3.0 Try later") == true)
        let full = try engine.deliveries("full@example.com")
        #expect(full.map(\.outcome) == [.transientFailure, .delivered])
        #expect(full.first?.smtpText?.hasSuffix("452 4.2.2 Mailbox full") == true)
    }

    @Test func a550ToARecipientIsAHardBounceThatEndsTheSequenceAndSuppressesTheAddress() throws {
        let slot = ServerSlot(try TestSMTPServer(["--refuse", "gone@example.com:550"]))
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port))
        try engine.enroll(["gone@example.com", "here@example.com"])

        try engine.scheduler.runDue()
        try engine.run(for: 3 * .day, step: .hour)

        let bounce = try #require(try engine.deliveries("gone@example.com").only)
        #expect(bounce.outcome == .permanentFailure)
        #expect(bounce.smtpCode == 550)
        #expect(bounce.smtpText?.hasSuffix("550 5.1.1 No such user") == true)
        let enrollment = try #require(try engine.enrollments("gone@example.com").only)
        #expect((enrollment.status, enrollment.stopReason) == (.stopped, .bounce))
        #expect(try engine.store.suppression(email: EmailAddress("gone@example.com"))?.reason == "bounce")
        #expect(try slot.recipients() == ["here@example.com", "here@example.com"], "hello, then again")
        let summary = try engine.store.summary(now: engine.clock.now())
        #expect((summary.failedDeliveries, summary.suppressed) == (1, 1))
    }

    @Test func a554AfterDataFailsThatMessageForGoodButA550AfterDataIsABounce() throws {
        let slot = ServerSlot(
            try TestSMTPServer(["--refuse-data", "spam@example.com:554", "--refuse-data", "gone@example.com:550"]))
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port))
        try engine.enroll(["spam@example.com", "gone@example.com"])

        try engine.scheduler.runDue()

        #expect(try slot.recipients().isEmpty)
        let refused = try #require(try engine.deliveries("spam@example.com").only)
        #expect(refused.outcome == .permanentFailure)
        #expect(refused.smtpCode == 554)
        #expect(refused.smtpText?.hasSuffix("554 5.7.1 Rejected as spam") == true)
        // Refused for what it says, not for its address: not a bounce, and the sequence goes on to the next step.
        #expect(try engine.store.suppression(email: EmailAddress("spam@example.com")) == nil)
        let spam = try #require(try engine.enrollments("spam@example.com").only)
        #expect(spam.status == .active)
        #expect(try engine.store.dueSend(enrollmentID: spam.id)?.stepID == "again")

        #expect(try engine.enrollments("gone@example.com").map(\.stopReason) == [.bounce])
        #expect(try engine.store.suppression(email: EmailAddress("gone@example.com"))?.reason == "bounce")
        #expect(engine.problems.isEmpty)
    }

    @Test(arguments: ["greeting", "data"])
    func aServerThatStallsBeforeTakingTheMessageTimesOutAndTheStepGoesOutLater(stall: String) throws {
        let slot = ServerSlot(try TestSMTPServer(["--stall", stall]))
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port))
        try engine.enroll(LiveEngine.prospects(3))

        let started = ContinuousClock.now
        try engine.scheduler.runDue()
        try engine.run(for: 10 * .minute)

        // Each stalled try costs one timeout (1 s here), and there are four: the daemon is not stuck on them.
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(engine.transport.sends <= 5)
        #expect(engine.problems.count == 1)
        #expect(engine.problems.first?.contains("did not answer in time") == true, "\(engine.problems)")

        try slot.start()
        try engine.run(for: 10 * .minute)
        #expect(try slot.recipients().sorted() == LiveEngine.prospects(3))
        for prospect in LiveEngine.prospects(3) {
            #expect(try engine.deliveries(prospect).map(\.outcome) == [.delivered])
        }
    }

    @Test func aServerThatStallsOnceItHasTheMessageMakesTheStepUncertainAndItIsNeverSentAgain() throws {
        let slot = ServerSlot(try TestSMTPServer(["--stall", "message"]))
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port))
        try engine.enroll(["pat@example.com"])

        try engine.scheduler.runDue()

        let uncertain = try #require(try engine.deliveries("pat@example.com").only)
        #expect(uncertain.outcome == .uncertain)
        #expect(uncertain.note == "the server may have taken it; not resent")
        #expect(try engine.store.summary(now: engine.clock.now()).uncertainDeliveries == 1)
        guard case .uncertain(let failure) = engine.outcomes.last else {
            Issue.record("\(engine.outcomes)")
            return
        }
        #expect(failure.message.contains("may have taken it"))

        try slot.start()
        try engine.run(for: 3 * .day, step: .hour)
        #expect(try engine.deliveries("pat@example.com").map(\.stepID) == ["hello", "again"])
        #expect(try slot.recipients() == ["pat@example.com"], "only `again`: `hello` is not sent twice")
    }

    @Test(arguments: [TLSFault.serverWithoutSTARTTLS, .untrustedCertificate])
    func aTLSFailurePausesSendingAndNothingGoesOutInPlainText(fault: TLSFault) throws {
        let server = try TestSMTPServer(tls: fault == .untrustedCertificate)
        var smtp = LiveEngine.smtp(port: server.port)
        smtp.tls = .required
        if fault == .serverWithoutSTARTTLS {
            smtp.caFile = try TestCertificate.generate(in: server.spool).certificate
        }
        let engine = try LiveEngine(smtp: smtp)
        try engine.enroll(LiveEngine.prospects(2))

        try engine.scheduler.runDue()
        try engine.run(for: 10 * .minute)

        #expect(try server.messages().isEmpty)
        #expect(engine.transport.sends <= 5, "the first try and probes at 1, 3 and 7 minutes")
        #expect(engine.problems.count == 1)
        #expect(engine.problems.first?.contains(fault.explanation) == true, "\(engine.problems)")
        #expect(try engine.store.summary(now: engine.clock.now()).dueNow == 2)
        #expect(try engine.deliveries("prospect1@example.com").isEmpty)
    }

    @Test func aRefusedLoginIsReportedOnceAndTriedAHandfulOfTimesAnHourNotOncePerStep() throws {
        let server = try TestSMTPServer(["--auth", "mailer:right-password"], tls: true)
        var smtp = LiveEngine.smtp(port: server.port)
        smtp.tls = .required
        smtp.caFile = server.certificate?.certificate
        smtp.user = "mailer"
        smtp.password = "wrong-password"
        let engine = try LiveEngine(smtp: smtp)
        let prospects = try engine.enroll(LiveEngine.prospects(5))

        try engine.scheduler.runDue()
        try engine.run(for: .hour)

        let logins = try server.log().filter { $0.event == "auth" }.count
        #expect((6...7).contains(logins), "\(logins) logins in an hour, for 5 steps due")
        #expect(engine.problems.count == 1, "\(engine.problems)")
        let problem = try #require(engine.problems.first)
        #expect(problem.contains("the server refused our login (535"))
        #expect(problem.contains("check smtp.user and the password file"))
        #expect(!problem.contains("wrong-password"))
        for prospect in prospects {
            #expect(try engine.deliveries(prospect).isEmpty)
            #expect(try engine.enrollments(prospect).map(\.status) == [.active], "a login problem ends no sequence")
        }
        #expect(try server.messages().isEmpty)
    }
}

/// How a TLS handshake fails, and the words the log uses for it.
enum TLSFault: CustomStringConvertible, Sendable {
    case serverWithoutSTARTTLS, untrustedCertificate

    var description: String { explanation }

    var explanation: String {
        switch self {
        case .serverWithoutSTARTTLS: "does not offer STARTTLS and tls: required forbids plain text"
        case .untrustedCertificate: "the TLS connection to the SMTP server failed"
        }
    }
}

extension Array {
    /// The one element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
