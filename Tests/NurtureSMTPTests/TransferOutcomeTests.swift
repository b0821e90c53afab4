import NurtureCurl
import Testing

@testable import NurtureSMTP

@Suite struct TransferOutcomeTests {
    private func judge(
        _ stage: SMTPStage, _ code: Int?, text: String = "text", curl: CurlErrorKind? = .other, reused: Bool = false
    ) -> DeliveryResult {
        outcome(stage, code, text: text, curl: curl, reused: reused)
            .result(from: Fixtures.sender, to: Fixtures.recipient, redacting: Fixtures.password)
    }

    private func outcome(
        _ stage: SMTPStage, _ code: Int?, text: String = "text", curl: CurlErrorKind? = .other, reused: Bool = false
    ) -> TransferOutcome {
        TransferOutcome(
            curlError: curl.map { TransferOutcome.CurlError(code: 55, kind: $0, detail: "curl says no") },
            stage: stage,
            reply: code.map { SMTPReply(code: $0, text: text) },
            openedNewConnection: !reused)
    }

    @Test func aFinal250IsDelivered() {
        #expect(
            judge(.data, 250, text: "2.0.0 Ok: queued as 1", curl: nil)
                == .delivered(SMTPReply(code: 250, text: "2.0.0 Ok: queued as 1")))
    }

    @Test(arguments: [SMTPStage.rcptTo, .data])
    func a5xxToTheRecipientOrTheMessageIsPermanent(stage: SMTPStage) throws {
        let failure = try #require(judge(stage, 550, text: "5.1.1 No such user").failure)
        #expect(judge(stage, 550).isPermanent)
        #expect(failure.code == 550)
        #expect(failure.stage == stage)
        #expect(failure.message.hasSuffix("550 5.1.1 No such user"))
    }

    @Test(arguments: [SMTPStage.connect, .hello, .tls, .auth, .mailFrom])
    func a5xxToOurOwnSetupIsTransientAndSaysTheRecipientIsNotAtFault(stage: SMTPStage) {
        let result = judge(stage, 553)
        #expect(result.isTransient)
        #expect(result.failure?.code == 553)
    }

    @Test func aRefusedLoginPointsAtTheUserAndPasswordFile() throws {
        let failure = try #require(judge(.auth, 535, text: "5.7.8 Authentication credentials invalid").failure)
        #expect(failure.message.contains("refused our login"))
        #expect(failure.message.contains("password file"))
    }

    @Test(arguments: [SMTPStage.connect, .hello, .auth, .mailFrom, .rcptTo, .data])
    func a4xxAnywhereIsTransient(stage: SMTPStage) {
        let result = judge(stage, 451, text: "4.3.0 Try later")
        #expect(result.isTransient)
        #expect(result.failure?.message.hasSuffix("451 4.3.0 Try later") == true)
    }

    @Test(arguments: [CurlErrorKind.couldNotConnect, .timedOut, .tls, .startTLSUnavailable, .connectionLost, .other])
    func aNetworkOrTLSProblemWithoutAReplyIsTransient(kind: CurlErrorKind) throws {
        let failure = try #require(judge(.rcptTo, nil, curl: kind).failure)
        #expect(judge(.rcptTo, nil, curl: kind).isTransient)
        #expect(failure.code == nil)
        #expect(failure.message.hasSuffix("curl says no"))
        #expect(failure.curlCode == 55)
    }

    @Test func aTLSErrorIsReportedAtTheTLSStage() {
        #expect(judge(.connect, nil, curl: .tls).failure?.stage == .tls)
        #expect(judge(.hello, nil, curl: .startTLSUnavailable).failure?.stage == .tls)
    }

    @Test func neverRepeatsThePasswordEvenIfTheServerEchoesIt() throws {
        let failure = try #require(judge(.auth, 535, text: "bad password \(Fixtures.password)").failure)
        #expect(!failure.message.contains(Fixtures.password))
        #expect(!(failure.reply?.text.contains(Fixtures.password) ?? true))
    }

    @Test func retriesOnlyAReusedConnectionThatDiedBeforeTheTransactionStarted() {
        #expect(outcome(.mailFrom, nil, curl: .connectionLost, reused: true).isWorthRetryingOnFreshConnection)
        #expect(outcome(.mailFrom, 421, curl: .other, reused: true).isWorthRetryingOnFreshConnection)
        #expect(!outcome(.mailFrom, nil, curl: .connectionLost, reused: false).isWorthRetryingOnFreshConnection)
        #expect(!outcome(.rcptTo, nil, curl: .connectionLost, reused: true).isWorthRetryingOnFreshConnection)
        #expect(!outcome(.data, nil, curl: .connectionLost, reused: true).isWorthRetryingOnFreshConnection)
        #expect(!outcome(.mailFrom, 550, curl: .other, reused: true).isWorthRetryingOnFreshConnection)
        #expect(!outcome(.mailFrom, nil, curl: nil, reused: true).isWorthRetryingOnFreshConnection)
    }
}

extension DeliveryResult {
    var isPermanent: Bool {
        if case .permanentFailure = self { return true }
        return false
    }

    var isTransient: Bool {
        if case .transientFailure = self { return true }
        return false
    }
}
