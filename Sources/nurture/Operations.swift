import Foundation
import NurtureCampaigns
import NurtureConfig
import NurtureCore
import NurtureEngine
import NurtureHTTP
import NurtureSMTP
import NurtureStore

/// What the commands that change state do, written once: the CLI runs it directly on the state database when no
/// daemon is running, and the daemon runs it for its API (which the CLI calls when a daemon is running). Refusals
/// are `APIError`s, so both say the same thing and name the same field.
struct Operations: Sendable {
    let runtime: Runtime

    func enroll(_ call: EnrollmentCall) throws(APIError) -> EnrollmentReport {
        let address = try Self.address(call.email, field: "email")
        let prefers = try call.prefers.map { text throws(APIError) in
            guard let channel = Channel(rawValue: text) else {
                throw .invalid("prefers", "`prefers` must be `email` or `phone`")
            }
            return channel
        }
        let enroller = Enroller(
            store: runtime.store, catalog: runtime.catalog,
            clock: call.enrolledAt.map { ManualClock($0) } ?? runtime.clock, settings: runtime.settings)
        let campaign: Campaign
        do {
            campaign = try enroller.campaign(call.campaign)
            if let timezone = call.timezone { _ = try Enroller.timeZone(named: timezone) }
        } catch {
            let field = runtime.catalog.campaign(id: call.campaign) == nil ? "campaign" : "timezone"
            throw .invalid(field, error.description)
        }
        let draft = ProspectDraft(
            email: address, attributes: call.attributes, timeZone: call.timezone, preferredChannel: prefers)
        let outcome = try storing { try enroller.enroll(draft, in: campaign.id, restart: call.restart) }
        switch outcome.result {
        case .enrolled(let enrollment, let paused):
            let zone = outcome.firstStep?.calendar.timeZone ?? .gmt
            let warnings = campaign.stepsMissingFields(for: outcome.prospect.attributes).map { step, fields in
                "step `\(step)` needs \(fields.map { "`\($0)`" }.joined(separator: ", ")), which \(address) does not "
                    + "have and the campaign has no default for: it will be skipped for this prospect"
            }
            return EnrollmentReport(
                email: address.description, campaign: campaign.id, enrollment: enrollment.id,
                status: enrollment.status.rawValue, firstStep: outcome.firstStep?.stepID,
                firstDue: outcome.firstStep?.due, timeZone: zone.identifier, paused: paused.map(\.campaignID),
                warnings: warnings)
        case .alreadyActive(let enrollment):
            throw .conflict(
                "\(address) is already in \(campaign.id) (\(enrollment.status.rawValue), enrollment "
                    + "\(enrollment.id)); enroll with restart (`--restart`, or \"restart\": true) to start again",
                field: "email")
        case .suppressed(let suppression):
            throw APIError(
                .conflict, code: "suppressed",
                "\(address) is suppressed (\(suppression.reason)); it cannot be enrolled", field: "email")
        }
    }

    func record(_ call: EventCall) throws(APIError) -> EventReport {
        let address = try Self.address(call.email, field: "email")
        guard let kind = EventKind(rawValue: call.event), EventKind.reportable.contains(kind) else {
            let kinds = EventKind.reportable.map(\.rawValue).joined(separator: ", ")
            throw .invalid("event", "`event: \(call.event)` must be one of \(kinds)")
        }
        let outcome = try storing {
            try runtime.actions.record(
                kind, for: address, campaignID: call.campaign, source: call.source, detail: call.detail)
        }
        return EventReport(
            event: kind.rawValue, email: address.description, ended: outcome.ended.map(\.campaignID),
            suppressed: outcome.suppressed)
    }

    func stop(_ call: StopCall) throws(APIError) -> EventReport {
        let address = try Self.address(call.email, field: "email")
        let ended = try storing { try runtime.actions.stop(address, campaignID: call.campaign) }
        return EventReport(event: "stop", email: address.description, ended: ended.map(\.campaignID), suppressed: false)
    }

    /// Sends one step now through a connection of its own; touches no enrollment.
    func send(_ call: SendCall) throws(APIError) -> SendReport {
        try Self.send(call, workspace: runtime.workspace)
    }

    /// `send` without a state database: all it needs is the configuration and the campaigns.
    static func send(_ call: SendCall, workspace: Workspace) throws(APIError) -> SendReport {
        let address = try Self.address(call.to, field: "to")
        let campaign: Campaign
        let step: Step
        do {
            campaign = try workspace.campaign(call.campaign)
        } catch {
            throw .invalid("campaign", Self.message(of: error))
        }
        do {
            step = try workspace.step(call.step, of: campaign)
        } catch {
            throw .invalid("step", Self.message(of: error))
        }
        let prospect = Prospect(email: address, attributes: call.attributes)
        let composed: ComposedStep
        do {
            composed = try workspace.composer().compose(
                step, of: campaign, for: prospect, ownerInbox: Mailbox(address: address))
        } catch let error as ComposeError {
            throw .invalid("attributes", error.description)
        } catch {
            throw .internalError(Self.message(of: error))
        }
        let transport: CurlSMTPTransport
        do {
            transport = try CurlSMTPTransport(settings: workspace.configuration.smtpSettings())
        } catch let error as ConfigurationError {
            throw .internalError(error.diagnostics.first?.description ?? "\(error)")
        } catch {
            throw .internalError("\(error)")
        }
        let message = composed.message
        let result = transport.send(message.bytes, from: message.envelopeFrom, to: message.envelopeTo)
        return SendReport(result, messageID: message.messageID, to: address.description)
    }

    func status(daemon: StatusReport.Daemon? = nil) throws(APIError) -> StatusReport {
        try storing { try StatusReport(runtime: runtime, daemon: daemon) }
    }

    /// The state database failing is ours, not the caller's: 500 with the error, which names no secret.
    private func storing<Value>(_ body: () throws -> Value) throws(APIError) -> Value {
        do {
            return try body()
        } catch let error as APIError {
            throw error
        } catch let failure as CommandFailure {
            throw .internalError(failure.message)
        } catch let error as EnrollError {
            throw .invalid("email", error.description)
        } catch {
            throw .internalError("state database: \(error)")
        }
    }

    private static func message(of error: any Error) -> String {
        (error as? CommandFailure)?.message ?? "\(error)"
    }

    static func address(_ text: String, field: String) throws(APIError) -> EmailAddress {
        do {
            return try EmailAddress(text)
        } catch {
            throw .invalid(field, "`\(field)`: invalid email: \(error)")
        }
    }
}

/// What enrolling one prospect did: the answer of `POST /v1/enrollments` and `nurture enroll --json`.
struct EnrollmentReport: Codable, Sendable {
    var outcome = "enrolled"
    let email: String
    let campaign: String
    let enrollment: Int64
    /// `active`, or `paused` behind a campaign of higher or equal priority.
    let status: String
    let firstStep: String?
    let firstDue: Date?
    /// The zone the first step's time is planned in.
    let timeZone: String
    /// Campaigns this one paused for the prospect.
    let paused: [String]
    /// Steps that will be skipped because the prospect lacks a field their templates print.
    let warnings: [String]

    enum CodingKeys: String, CodingKey {
        case outcome, email, campaign, enrollment, status, paused, warnings
        case firstStep = "first_step"
        case firstDue = "first_due"
        case timeZone = "time_zone"
    }

    var lines: [String] {
        var lines = [
            "enrolled \(email) in \(campaign)"
                + (status == EnrollmentStatus.paused.rawValue
                    ? " (paused: a campaign of higher or equal priority is running)" : "")
        ]
        if let firstStep, let firstDue {
            let zone = TimeZone(identifier: timeZone) ?? .gmt
            lines.append(
                "first step `\(firstStep)` at \(TimeFormat.local(firstDue, in: zone)) (\(TimeFormat.utc(firstDue)))")
        }
        return lines + paused.map { "paused \($0) for this prospect" }
    }
}

/// What `event` and `stop` did.
struct EventReport: Codable, Sendable {
    let event: String
    let email: String
    let ended: [String]
    let suppressed: Bool
}

/// What the SMTP server said to a step sent by hand.
struct SendReport: Codable, Sendable {
    /// `delivered`, `permanent_failure` or `transient_failure`.
    let outcome: String
    let to: String
    let messageID: String
    let code: Int?
    let reply: String

    enum CodingKeys: String, CodingKey {
        case outcome, to, code, reply
        case messageID = "message_id"
    }

    init(_ result: DeliveryResult, messageID: String, to: String) {
        self.to = to
        self.messageID = messageID
        switch result {
        case .delivered(let reply):
            (outcome, code, self.reply) = ("delivered", reply.code, reply.text)
        case .permanentFailure(let failure):
            (outcome, code, reply) = ("permanent_failure", failure.code, failure.description)
        case .transientFailure(let failure):
            (outcome, code, reply) = ("transient_failure", failure.code, failure.description)
        }
    }
}
