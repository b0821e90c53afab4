import Foundation
import NurtureStore
import Testing

@Suite("Enrollment rules")
struct EnrollmentTests {
    @Test func anEnrollmentStartsActiveWithItsFirstStepDue() throws {
        let store = try StoreFixture().store
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, paused) = try store.enrolled(dana, in: "welcome", firstStep: "thanks", due: at(5), at: at(1))
        #expect(paused.isEmpty)
        #expect(enrollment.status == .active)
        #expect(enrollment.nextStepID == "thanks")
        #expect(enrollment.enrolledAt == at(1))
        #expect(enrollment.lastStepID == nil)
        #expect(
            try store.dueSend(enrollmentID: enrollment.id)
                == DueSend(enrollmentID: enrollment.id, stepID: "thanks", dueAt: at(5)))
    }

    @Test func whatEnrollingReturnsIsWhatIsReadBack() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let odd = t0.addingTimeInterval(0.987_654)
        let (low, _) = try store.enrolled(dana, in: "low", priority: 1, at: odd)
        let (high, paused) = try store.enrolled(dana, in: "high", priority: 9, at: odd)
        #expect(try store.enrollment(id: low.id) == paused.first)
        #expect(try store.enrollment(id: high.id) == high)
    }

    @Test func aSuppressedAddressIsRefused() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        try store.suppress(address("DANA@acme.example"), reason: "unsubscribe", source: "link", at: t0)
        let result = try store.enroll(request(dana, "welcome"))
        guard case .suppressed(let suppression) = result else {
            Issue.record("expected .suppressed, got \(result)")
            return
        }
        #expect(suppression.reason == "unsubscribe")
        #expect(try store.enrollments(prospectID: dana.id).isEmpty)
    }

    @Test func aLiveEnrollmentInTheSameCampaignIsNotDoubled() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (first, _) = try store.enrolled(dana, in: "welcome")
        #expect(try store.enroll(request(dana, "welcome")) == .alreadyActive(first))
        #expect(try store.enrollments(prospectID: dana.id).count == 1)
    }

    @Test func anEndedEnrollmentDoesNotStopANewOne() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        try store.enrolled(dana, in: "welcome")
        _ = try store.endEnrollments(prospectID: dana.id, campaignID: nil, reason: .manual, at: at(1))
        let (again, _) = try store.enrolled(dana, in: "welcome", at: at(2))
        #expect(again.status == .active)
    }

    @Test func restartStopsTheOldEnrollmentAndStartsAgain() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (old, _) = try store.enrolled(dana, in: "welcome", firstStep: "first", due: at(0))
        let (new, _) = try store.enrolled(
            dana, in: "welcome", restart: true, firstStep: "first", due: at(20), at: at(10))
        #expect(new.id != old.id)
        #expect(new.status == .active)
        let stopped = try #require(try store.enrollment(id: old.id))
        #expect(stopped.status == .stopped)
        #expect(stopped.stopReason == .restarted)
        #expect(stopped.endedAt == at(10))
        #expect(stopped.nextStepID == nil)
        #expect(try store.dueSend(enrollmentID: old.id) == nil)
        #expect(try store.dueSend(enrollmentID: new.id)?.dueAt == at(20))
    }

    @Test func aHigherPriorityCampaignPausesTheLowerOne() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (nurture, _) = try store.enrolled(dana, in: "nurture", priority: 1)
        let (demo, paused) = try store.enrolled(dana, in: "demo", priority: 10)
        #expect(demo.status == .active)
        #expect(paused.map(\.id) == [nurture.id])
        #expect(paused.first?.status == .paused)
        #expect(try store.status(nurture) == .paused)
        // A paused enrollment keeps its place and its due step.
        #expect(try store.dueSend(enrollmentID: nurture.id)?.stepID == "first")
    }

    @Test func aLowerOrEqualPriorityCampaignStartsPaused() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (demo, _) = try store.enrolled(dana, in: "demo", priority: 10)
        let (nurture, pausedByNurture) = try store.enrolled(dana, in: "nurture", priority: 1)
        let (other, pausedByOther) = try store.enrolled(dana, in: "other", priority: 10)
        #expect(nurture.status == .paused)
        #expect(other.status == .paused)
        #expect(pausedByNurture.isEmpty && pausedByOther.isEmpty)
        #expect(try store.status(demo) == .active)
        #expect(try store.dueSend(enrollmentID: nurture.id) != nil)
    }

    @Test func endingTheRunningCampaignResumesTheHighestPriorityPausedOne() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (demo, _) = try store.enrolled(dana, in: "demo", priority: 10, at: at(0))
        let (low, _) = try store.enrolled(dana, in: "low", priority: 1, at: at(1))
        let (midLate, _) = try store.enrolled(dana, in: "mid-late", priority: 5, at: at(3))
        let (midEarly, _) = try store.enrolled(dana, in: "mid-early", priority: 5, at: at(2))
        #expect(try [low, midLate, midEarly].map { try store.status($0) } == [.paused, .paused, .paused])

        let ended = try store.endEnrollments(prospectID: dana.id, campaignID: "demo", reason: .goal, at: at(10))
        #expect(ended.map(\.id) == [demo.id])
        #expect(ended.first?.stopReason == .goal)
        // Highest priority first; the earliest enrolled among equals.
        #expect(try store.status(midEarly) == .active)
        #expect(try store.status(midLate) == .paused)
        #expect(try store.status(low) == .paused)

        _ = try store.endEnrollments(prospectID: dana.id, campaignID: "mid-early", reason: .manual, at: at(11))
        #expect(try store.status(midLate) == .active)
    }

    @Test func concurrentCampaignsNeitherPauseNorGetPaused() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (newsletter, _) = try store.enrolled(dana, in: "newsletter", priority: 0, concurrent: true)
        let (demo, paused) = try store.enrolled(dana, in: "demo", priority: 10)
        #expect(paused.isEmpty)
        let (events, pausedByEvents) = try store.enrolled(dana, in: "events", priority: 100, concurrent: true)
        #expect(pausedByEvents.isEmpty)
        #expect(events.status == .active)
        #expect(try [newsletter, demo].map { try store.status($0) } == [.active, .active])
    }

    @Test func endingOneCampaignLeavesTheOthers() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (a, _) = try store.enrolled(dana, in: "a", concurrent: true)
        let (b, _) = try store.enrolled(dana, in: "b", concurrent: true)
        let ended = try store.endEnrollments(prospectID: dana.id, campaignID: "a", reason: .reply, at: at(5))
        #expect(ended.map(\.id) == [a.id])
        #expect(try store.status(b) == .active)
        #expect(try store.dueSend(enrollmentID: a.id) == nil)
        #expect(try store.dueSend(enrollmentID: b.id) != nil)
    }

    @Test func endingAllCampaignsEndsPausedOnesTooAndResumesNothing() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (low, _) = try store.enrolled(dana, in: "low", priority: 1)
        let (high, _) = try store.enrolled(dana, in: "high", priority: 5)
        let (side, _) = try store.enrolled(dana, in: "side", concurrent: true)
        let ended = try store.endEnrollments(prospectID: dana.id, campaignID: nil, reason: .unsubscribe, at: at(5))
        #expect(ended.map(\.id) == [low.id, high.id, side.id])
        for enrollment in try store.enrollments(prospectID: dana.id) {
            #expect(enrollment.status == .stopped)
            #expect(enrollment.stopReason == .unsubscribe)
            #expect(enrollment.endedAt == at(5))
            #expect(enrollment.nextStepID == nil)
        }
        #expect(try store.dueSends(limit: nil).isEmpty)
        #expect(try store.endEnrollments(prospectID: dana.id, campaignID: nil, reason: .manual, at: at(6)).isEmpty)
    }

    @Test func restartingWithALowerPriorityLetsAHigherPausedCampaignRunFirst() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        try store.enrolled(dana, in: "demo", priority: 10)
        let (nurture, _) = try store.enrolled(dana, in: "nurture", priority: 5)
        let (restarted, paused) = try store.enrolled(dana, in: "demo", priority: 1, restart: true, at: at(1))
        #expect(restarted.status == .paused)
        #expect(paused.isEmpty)
        #expect(try store.status(nurture) == .active)
    }

    @Test func anImportAppliesTheRulesInOrder() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        // One prospect already known and running in another campaign of higher priority; one suppressed before
        // it was ever a prospect; one twice in the same list.
        try store.enrolled(
            try store.saveProspect(ProspectDraft(email: try address("known@example.com")), at: t0), in: "other",
            priority: 10)
        try store.suppress(address("p7@example.com"), reason: "bounce", source: "smtp", at: t0)
        let emails = (0..<200).map { "p\($0)@example.com" } + ["known@example.com", "p0@example.com"]
        let target = ImportTarget(
            campaignID: "import", priority: 0, concurrent: false, firstStepID: "first", restart: false)
        let results = try store.importProspects(
            ProspectBatch(try emails.map { ProspectDraft(email: try address($0)) }), into: target, at: t0
        ) { _, _ in t0.addingTimeInterval(60) }
        #expect(results.count == 202)
        #expect(results.filter { if case .enrolled = $0 { true } else { false } }.count == 200)
        guard case .suppressed = results[7] else {
            Issue.record("p7 should be suppressed, got \(results[7])")
            return
        }
        guard case .enrolled(let known, _) = results[200], known.status == .paused else {
            Issue.record("the known prospect goes through the priority rules: \(results[200])")
            return
        }
        guard case .alreadyActive(let existing) = results[201], case .enrolled(let first, _) = results[0] else {
            Issue.record("a prospect twice in one list should be enrolled once, got \(results[201])")
            return
        }
        #expect(existing == first)
        let planned = try store.dueSends(limit: nil).filter { $0.dueAt == t0.addingTimeInterval(60) }
        #expect(planned.count == 200, "199 new prospects and the known one, each at the time `firstDue` gave")
    }

    /// An import hands its rows to SQLite as JSON: what is read back must be exactly what was imported, whatever
    /// the fields hold, and each prospect's first step at the time `firstDue` gave for it.
    @Test func anImportStoresEveryFieldAsGivenAndEachFirstStepAtItsOwnTime() throws {
        let store = try StoreFixture().store
        let odd = "quote \" backslash \\ newline \n tab \t bell \u{7} é 日本 🎉"
        let drafts = [
            ProspectDraft(
                email: try address("dana@acme.example"), attributes: ["first_name": odd, "company": ""],
                timeZone: "America/New_York", preferredChannel: .phone),
            ProspectDraft(email: try address("lee@acme.example"), attributes: ["Key With Spaces": "{\"not\": json}"]),
            ProspectDraft(email: try address("DANA@acme.example"), attributes: ["plan": "pro"]),
        ]
        let target = ImportTarget(
            campaignID: "import", priority: 0, concurrent: false, firstStepID: "first", restart: false)
        let odds = t0.addingTimeInterval(0.987_654)
        let results = try store.importProspects(ProspectBatch(drafts), into: target, at: t0) { prospect, _ in
            prospect.timeZone == nil ? t0.addingTimeInterval(60) : odds
        }
        let dana = try #require(try store.prospect(email: address("dana@acme.example")))
        #expect(dana.attributes == ["first_name": odd, "company": "", "plan": "pro"])
        #expect(dana.timeZone == "America/New_York")
        #expect(dana.preferredChannel == .phone)
        let lee = try #require(try store.prospect(email: address("lee@acme.example")))
        #expect(lee.attributes == ["Key With Spaces": "{\"not\": json}"])
        #expect(lee.preferredChannel == .email)
        guard case .enrolled(let danas, _) = results[0], case .enrolled(let lees, _) = results[1],
            case .alreadyActive(let again) = results[2]
        else {
            Issue.record("two enrolled, the second mention of dana already active: \(results)")
            return
        }
        #expect(again == danas)
        #expect(try store.enrollment(id: danas.id) == danas)
        #expect(try store.dueSend(enrollmentID: danas.id)?.dueAt == odds)
        #expect(try store.dueSend(enrollmentID: lees.id)?.dueAt == t0.addingTimeInterval(60))
    }

    /// The store inserts a batch sorted by address (for the email index) but enrolls it as listed, so steps due
    /// at the same time go out in the file's order.
    @Test func anImportEnrollsProspectsInTheOrderTheyAreListed() throws {
        let store = try StoreFixture().store
        let earlier = try store.saveProspect(ProspectDraft(email: try address("mid@example.com")), at: t0)
        let emails = ["zed@example.com", "Amy@example.com", "mid@example.com", "bob@example.com", "amy@example.com"]
        let target = ImportTarget(
            campaignID: "import", priority: 0, concurrent: false, firstStepID: "first", restart: false)
        let results = try store.importProspects(
            ProspectBatch(try emails.map { ProspectDraft(email: try address($0)) }), into: target, at: t0
        ) { _, _ in t0 }
        let enrolled = results.compactMap { result -> Enrollment? in
            if case .enrolled(let enrollment, _) = result { enrollment } else { nil }
        }
        #expect(enrolled.count == 4, "zed, Amy, the known mid and bob; the second amy is the first one again")
        let new = enrolled.filter { $0.prospectID != earlier.id }
        #expect(new.map(\.id) == new.map(\.id).sorted())
        #expect(
            try new.map { try store.prospect(id: $0.prospectID)?.email.description } == [
                "zed@example.com", "Amy@example.com", "bob@example.com",
            ])
        let due = try store.dueSends(limit: nil).filter { $0.enrollmentID != enrolled[2].id }
        #expect(due.map(\.enrollmentID) == new.map(\.id), "claimed in the list's order")
        #expect(try store.prospect(email: address("amy@example.com"))?.email.description == "Amy@example.com")
    }

    @Test func theStatusAloneReadsAsTheWholeEnrollmentDoes() throws {
        let store = try StoreFixture().store
        let prospect = try store.saveProspect(ProspectDraft(email: try address("dana@acme.example")), at: t0)
        let (enrollment, _) = try store.enrolled(prospect, in: "nurture")
        #expect(try store.enrollmentStatus(id: enrollment.id) == .active)
        _ = try store.endEnrollments(prospectID: prospect.id, campaignID: nil, reason: .reply, at: t0)
        #expect(try store.enrollmentStatus(id: enrollment.id) == .stopped)
        #expect(try store.enrollmentStatus(id: enrollment.id + 1) == nil)
    }

    @Test func enrollingAnUnknownProspectThrows() throws {
        let store = try SQLiteStore.inMemory()
        let error = #expect(throws: StoreError.self) {
            try store.enroll(
                EnrollmentRequest(
                    prospectID: 99, campaignID: "x", priority: 0, concurrent: false, restart: false, firstStepID: "a",
                    firstDueAt: t0, at: t0))
        }
        #expect(error?.code == .notFound)
    }

    private func request(_ prospect: StoredProspect, _ campaignID: String) -> EnrollmentRequest {
        EnrollmentRequest(
            prospectID: prospect.id, campaignID: campaignID, priority: 0, concurrent: false, restart: false,
            firstStepID: "first", firstDueAt: t0, at: t0)
    }
}
