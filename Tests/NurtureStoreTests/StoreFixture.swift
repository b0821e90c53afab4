import Foundation
import NurtureCore
import NurtureStore

/// A store on a real SQLite file in a fresh temporary folder, removed with the fixture.
final class StoreFixture: Sendable {
    let folder: URL
    let store: SQLiteStore
    var path: String { folder.appendingPathComponent("state/nurture.sqlite").path }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nurture-store-\(UUID().uuidString)")
        store = try SQLiteStore(path: folder.appendingPathComponent("state/nurture.sqlite").path)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A second connection to the same file, as another process (the CLI beside the daemon) would open.
    func openAgain() throws -> SQLiteStore {
        try SQLiteStore(path: path)
    }
}

/// A fixed origin, so every test's dates are whole seconds and compare exactly after a round trip.
let t0 = Date(timeIntervalSince1970: 1_780_000_000)

func at(_ minutes: Int) -> Date {
    t0.addingTimeInterval(TimeInterval(minutes * 60))
}

func address(_ text: String) throws -> EmailAddress {
    try EmailAddress(text)
}

extension NurtureStore {
    func makeProspect(_ email: String, attributes: [String: String] = [:]) throws -> StoredProspect {
        try saveProspect(ProspectDraft(email: address(email), attributes: attributes), at: t0)
    }

    /// Enrolls and returns the enrollment, failing the test's expectation if it was refused.
    @discardableResult
    func enrolled(
        _ prospect: StoredProspect, in campaignID: String, priority: Int = 0, concurrent: Bool = false,
        restart: Bool = false, firstStep: String = "first", due: Date = at(0), at date: Date = t0
    ) throws -> (Enrollment, paused: [Enrollment]) {
        let result = try enroll(
            EnrollmentRequest(
                prospectID: prospect.id, campaignID: campaignID, priority: priority, concurrent: concurrent,
                restart: restart, firstStepID: firstStep, firstDueAt: due, at: date))
        guard case .enrolled(let enrollment, let paused) = result else {
            throw FixtureError("expected \(prospect.email) to be enrolled in \(campaignID), got \(result)")
        }
        return (enrollment, paused)
    }

    func status(_ enrollment: Enrollment) throws -> EnrollmentStatus? {
        try self.enrollment(id: enrollment.id)?.status
    }

    /// Begins the enrollment's pending step as an email to the prospect.
    func begin(_ enrollment: Enrollment, step: String = "first", attempt: Int = 0, at date: Date = at(1)) throws
        -> Delivery?
    {
        try beginDelivery(
            DeliveryStart(
                enrollmentID: enrollment.id, stepID: step, attempt: attempt, channel: .email,
                recipient: "prospect@example.com", messageID: "<\(enrollment.id).\(step).\(attempt)@nurture.test>",
                subject: "Step \(step)", startedAt: date))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
