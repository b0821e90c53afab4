import Dispatch
import NurtureCore
import NurtureSMTP
import NurtureTestSupport
import Testing

/// One connection carries many messages, and a lost connection is replaced.
@Suite struct ConnectionReuseTests {
    private let from: EmailAddress
    private let to: EmailAddress

    init() throws {
        (from, to) = try Fixtures.envelope()
    }

    @Test func sends200MessagesOverOneConnection() throws {
        let server = try TestSMTPServer()
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))

        let results = (1...200).map { transport.send(Fixtures.message(subject: "Message \($0)"), from: from, to: to) }

        #expect(results.allSatisfy { $0.isDelivered })
        let logged = try server.messages()
        #expect(logged.count == 200)
        #expect(Set(logged.map(\.connection)).count == 1)
        #expect(try server.messageBytes(200) == Fixtures.message(subject: "Message 200"))
    }

    @Test func sendsFromManyThreadsAtOnceOneAtATime() throws {
        let server = try TestSMTPServer()
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))
        let sender = from
        let recipient = to

        DispatchQueue.concurrentPerform(iterations: 16) { number in
            _ = transport.send(Fixtures.message(subject: "Thread \(number)"), from: sender, to: recipient)
        }

        let logged = try server.messages()
        #expect(logged.count == 16)
        #expect(Set(logged.map(\.connection)).count == 1)
    }

    @Test func reconnectsAfterTheServerClosedAnIdleConnection() throws {
        let server = try TestSMTPServer(["--idle-timeout", "0.2"])
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))
        #expect(transport.send(Fixtures.message(), from: from, to: to).isDelivered)
        let first = try #require(try server.messages().first?.connection)
        let closed = try server.waitForLog { log in log.contains { $0.event == "disconnect" && $0.connection == first }
        }
        try #require(closed, "the server should close the idle connection")

        #expect(transport.send(Fixtures.message(), from: from, to: to).isDelivered)
        #expect(Set(try server.messages().map(\.connection)).count == 2)
    }

    @Test func retriesOnAFreshConnectionWhenTheServerHangsUpWith421BeforeTheTransaction() throws {
        let server = try TestSMTPServer(["--max-messages-per-connection", "2"])
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))

        let results = (1...5).map { transport.send(Fixtures.message(subject: "Message \($0)"), from: from, to: to) }

        #expect(results.allSatisfy { $0.isDelivered })
        let logged = try server.messages()
        #expect(logged.count == 5)
        #expect(Set(logged.map(\.connection)).count == 3)
    }

    @Test func recoversWhenTheServerComesBackAfterGoingDown() throws {
        let server = try TestSMTPServer()
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))
        #expect(transport.send(Fixtures.message(), from: from, to: to).isDelivered)

        server.stop()
        let whileDown = transport.send(Fixtures.message(), from: from, to: to)
        #expect(whileDown.isTransient)

        let restarted = try server.restarted()
        #expect(transport.send(Fixtures.message(), from: from, to: to).isDelivered)
        #expect(try restarted.messages().count == 1)
    }

    @Test func aRestartedServerIsReachedWithoutAFailedSend() throws {
        let server = try TestSMTPServer()
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))
        #expect(transport.send(Fixtures.message(), from: from, to: to).isDelivered)

        server.stop()
        let restarted = try server.restarted()

        #expect(transport.send(Fixtures.message(), from: from, to: to).isDelivered)
        #expect(try restarted.messages().count == 1)
    }
}
