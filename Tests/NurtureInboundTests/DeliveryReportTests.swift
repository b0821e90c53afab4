import Testing

@testable import NurtureInbound

@Suite struct DeliveryReportTests {
    @Test func aPostfixHardBounceIsReadFromItsDeliveryStatus() throws {
        let message = try Fixture.message("postfix-hard-bounce")
        let report = try #require(message.deliveryReport)
        #expect(report.format == .rfc3464)
        #expect(!report.isBestEffort)
        #expect(report.isHard)
        #expect(report.reportingMTA == "mail.acme.example")
        #expect(report.originalMessageID == "<hq7c2xw5kd3mzt8rbv4nfy6pja2eus9g@acme.example>")
        let recipient = try #require(report.recipients.first)
        #expect(report.recipients.count == 1)
        #expect(recipient.finalRecipient == TypedAddress(type: "rfc822", value: "nobody@prospect.example"))
        #expect(recipient.originalRecipient == TypedAddress(type: "rfc822", value: "nobody@prospect.example"))
        #expect(recipient.address == Fixture.address("nobody@prospect.example"))
        #expect(recipient.action == .failed)
        #expect(recipient.status == DeliveryStatusCode(statusClass: 5, subject: 1, detail: 1))
        #expect(recipient.status?.description == "5.1.1")
        #expect(
            recipient.diagnosticCode
                == "smtp; 550 5.1.1 <nobody@prospect.example>: Recipient address rejected: User unknown in virtual mailbox table"
        )
        #expect(recipient.remoteMTA == "mx.prospect.example")
        #expect(recipient.isHard && !recipient.isSoft)
        // A bounce is also automatic; callers look at the report first.
        #expect(message.autoReply == .autoSubmitted("auto-replied"))
    }

    @Test func aDelayedNoticeIsSoftAndNamesTheEnclosedOriginal() throws {
        let report = try #require(try Fixture.message("postfix-delayed").deliveryReport)
        #expect(!report.isHard)
        #expect(report.originalMessageID == "<w2kc6pq9zt3xmr5bd7hnfy4vja8eus2g@acme.example>")
        let recipient = try #require(report.recipients.first)
        #expect(recipient.action == .delayed)
        #expect(recipient.status?.description == "4.2.2")
        #expect(recipient.isSoft && !recipient.isHard)
        #expect(recipient.address == Fixture.address("full@prospect.example"))
    }

    @Test func anEximNoticeIsReadOnABestEffortBasis() throws {
        let report = try #require(try Fixture.message("exim-bounce").deliveryReport)
        #expect(report.format == .exim && report.isBestEffort)
        #expect(report.isHard)
        #expect(report.originalMessageID == "<r8nd3kx6wq2zmt5cbv7hfy9pja4eus2g@acme.example>")
        let recipient = try #require(report.recipients.first)
        #expect(report.recipients.count == 1)
        #expect(recipient.address == Fixture.address("gone@prospect.example"))
        #expect(recipient.status?.description == "5.1.1")
        #expect(recipient.diagnosticCode?.contains("User unknown") == true)
    }

    @Test func aQmailNoticeIsReadOnABestEffortBasis() throws {
        let report = try #require(try Fixture.message("qmail-bounce").deliveryReport)
        #expect(report.format == .qmail)
        #expect(report.isHard)
        #expect(report.originalMessageID == "<c4vn8kx2wq7zmt3rbd6hfy5pja9eus2g@acme.example>")
        #expect(report.recipients.map(\.address) == [Fixture.address("left@oldhost.example")])
        #expect(report.recipients.first?.status?.description == "5.1.1")
    }

    @Test func anEximDelayWarningIsSoft() throws {
        let message = try Fixture.parse(
            """
            From: Mail Delivery System <Mailer-Daemon@mx.prospect.example>
            Subject: Warning: message 1tEbXq-0003kZ-2N delayed 24 hours

            This message was created automatically by mail delivery software.
            A message that you sent has not yet been delivered to one or more of its
            recipients after more than 24 hours on the queue on mx.prospect.example.

            The address to which the message has not yet been delivered is:

              slow@prospect.example
                Delay reason: SMTP error from remote mail server after RCPT TO:<slow@prospect.example>:
                451 4.7.1 Greylisted, try again later

            No action is required on your part.
            """)
        let report = try #require(message.deliveryReport)
        #expect(!report.isHard)
        #expect(report.recipients.map(\.action) == [.delayed])
        #expect(report.recipients.first?.status?.description == "4.7.1")
        #expect(report.recipients.first?.isSoft == true)
    }

    @Test func aPersonQuotingABounceIsNotABounce() throws {
        let message = try Fixture.parse(
            """
            From: Dana Reyes <dana@prospect.example>
            Subject: Re: why did this bounce?

            This message was created automatically by mail delivery software.
            The following address(es) failed:

              gone@prospect.example
                550 5.1.1 User unknown
            """)
        #expect(message.deliveryReport == nil)
    }

    @Test(arguments: Fixture.names.filter { $0.hasSuffix("-reply") || $0.hasPrefix("ooo") || $0.hasPrefix("exchange") })
    func repliesAndAutoRepliesAreNotBounces(name: String) throws {
        #expect(try Fixture.message(name).deliveryReport == nil)
    }

    @Test func statusCodesAreReadStrictly() {
        #expect(DeliveryStatusCode("5.1.1 (bad destination mailbox address)")?.description == "5.1.1")
        #expect(DeliveryStatusCode("4.2.2")?.statusClass == 4)
        for text in ["3.1.1", "5.1", "5.1.1.1", "5.x.1", "5.1000.1", "", "+5.1.1"] {
            #expect(DeliveryStatusCode(text) == nil)
        }
    }

    @Test func failedWithoutStatusIsHardAndOtherActionsAreNeither() {
        let failed = RecipientStatus(finalRecipient: nil, action: .failed, status: nil)
        #expect(failed.isHard)
        let failedTransient = RecipientStatus(
            finalRecipient: nil, action: .failed, status: DeliveryStatusCode(statusClass: 4, subject: 4, detail: 1))
        #expect(!failedTransient.isHard && failedTransient.isSoft)
        let delivered = RecipientStatus(
            finalRecipient: nil, action: .delivered, status: DeliveryStatusCode(statusClass: 2, subject: 0, detail: 0))
        #expect(!delivered.isHard && !delivered.isSoft)
    }
}
