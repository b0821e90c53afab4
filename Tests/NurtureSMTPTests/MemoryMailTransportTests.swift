import NurtureSMTP
import Testing

@Suite struct MemoryMailTransportTests {
    @Test func recordsEveryMessageItDelivers() throws {
        let transport = MemoryMailTransport()
        let from = try Fixtures.address(Fixtures.sender)
        let to = try Fixtures.address(Fixtures.recipient)
        let result = transport.send(Fixtures.message(), from: from, to: to)
        #expect(result.isDelivered)
        #expect(result.reply?.code == 250)
        #expect(transport.delivered.map(\.message) == [Fixtures.message()])
        #expect(transport.delivered.first?.to == to)
    }

    @Test func answersScriptedResultsInOrderThenDeliversAgain() throws {
        let transport = MemoryMailTransport()
        let refused = SMTPFailure(
            stage: .rcptTo, reply: SMTPReply(code: 550, text: "5.1.1 No such user"), message: "no")
        let later = SMTPFailure(stage: .rcptTo, reply: SMTPReply(code: 451, text: "4.3.0 Try later"), message: "later")
        transport.script(.permanentFailure(refused), .transientFailure(later))
        let from = try Fixtures.address(Fixtures.sender)
        let to = try Fixtures.address(Fixtures.recipient)
        #expect(transport.send([], from: from, to: to) == .permanentFailure(refused))
        #expect(transport.send([], from: from, to: to) == .transientFailure(later))
        #expect(transport.send([], from: from, to: to).isDelivered)
        #expect(transport.attempts.count == 3)
        #expect(transport.delivered.count == 1)
    }

    @Test func answersOneRecipientAlwaysTheSame() throws {
        let transport = MemoryMailTransport()
        let bouncing = try Fixtures.address("gone@example.com")
        let failure = SMTPFailure(
            stage: .rcptTo, reply: SMTPReply(code: 550, text: "5.1.1 No such user"), message: "no")
        transport.answer(.permanentFailure(failure), for: bouncing)
        let from = try Fixtures.address(Fixtures.sender)
        #expect(transport.send([], from: from, to: bouncing).failure == failure)
        #expect(transport.send([], from: from, to: bouncing).failure == failure)
        #expect(transport.send([], from: from, to: try Fixtures.address(Fixtures.recipient)).isDelivered)
    }
}
