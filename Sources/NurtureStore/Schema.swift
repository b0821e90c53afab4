import GRDB

/// The schema, as named migrations that only ever get appended: a database written by any earlier version is
/// brought up to date by running the ones it lacks.
///
/// Conventions: dates are REAL seconds since 1970 (exact for whole seconds, within a microsecond otherwise);
/// enums are their raw values as TEXT; emails compare case-insensitively (`COLLATE NOCASE`), because
/// `Dana@Acme.example` who unsubscribed must not be mailed as `dana@acme.example`.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 prospects, enrollments, due sends, deliveries, events, suppressions") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2 reply mailbox, inbound messages, deliveries by Message-ID") { db in
            try db.execute(sql: v2)
        }
        return migrator
    }

    private static let v1 = """
        CREATE TABLE prospects (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_type(attributes) = 'object'),
            time_zone TEXT,
            preferred_channel TEXT NOT NULL DEFAULT 'email' CHECK (preferred_channel IN ('email', 'phone')),
            created_at REAL NOT NULL
        );

        CREATE TABLE enrollments (
            id INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects(id) ON DELETE CASCADE,
            campaign_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'completed', 'stopped')),
            stop_reason TEXT,
            enrolled_at REAL NOT NULL,
            ended_at REAL,
            next_step_id TEXT,
            last_step_id TEXT,
            last_step_at REAL,
            priority INTEGER NOT NULL DEFAULT 0,
            concurrent INTEGER NOT NULL DEFAULT 0
        );
        -- At most one live enrollment per prospect and campaign, even with two processes enrolling at once.
        CREATE UNIQUE INDEX enrollments_one_live_per_campaign
            ON enrollments(prospect_id, campaign_id) WHERE status IN ('active', 'paused');
        -- The priority rules look at one prospect's live enrollments; `status` makes the summary's count cheap.
        CREATE INDEX enrollments_by_prospect ON enrollments(prospect_id, status);
        CREATE INDEX enrollments_by_status ON enrollments(status);

        -- The one pending step of a live enrollment. `paused` mirrors the enrollment's status (see the trigger)
        -- so the scheduler's hot query reads this table's index alone, without a join: enrollments paused for
        -- weeks keep old due times that would otherwise be scanned on every wake-up.
        CREATE TABLE due_sends (
            enrollment_id INTEGER PRIMARY KEY REFERENCES enrollments(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            due_at REAL NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 0,
            claimed_at REAL,
            paused INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX due_sends_by_due_at ON due_sends(due_at);
        -- "The earliest unclaimed due send of an active enrollment": nextDueTime and claimDueSends.
        CREATE INDEX due_sends_ready ON due_sends(due_at) WHERE claimed_at IS NULL AND paused = 0;

        -- A due send follows its enrollment: flagged while paused, gone once the enrollment has ended.
        CREATE TRIGGER due_sends_follow_enrollment_status AFTER UPDATE OF status ON enrollments
        BEGIN
            DELETE FROM due_sends WHERE enrollment_id = NEW.id AND NEW.status NOT IN ('active', 'paused');
            UPDATE due_sends SET paused = (NEW.status = 'paused') WHERE enrollment_id = NEW.id;
        END;

        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            enrollment_id INTEGER NOT NULL REFERENCES enrollments(id) ON DELETE CASCADE,
            prospect_id INTEGER NOT NULL REFERENCES prospects(id) ON DELETE CASCADE,
            campaign_id TEXT NOT NULL,
            step_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'phone')),
            recipient TEXT NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL,
            outcome TEXT NOT NULL,
            smtp_code INTEGER,
            smtp_text TEXT,
            message_id TEXT,
            subject TEXT,
            note TEXT
        );
        -- The never-twice rule, enforced by SQLite itself: even two processes cannot both record a step of one
        -- enrollment as delivered, in flight or uncertain.
        CREATE UNIQUE INDEX deliveries_once_per_step
            ON deliveries(enrollment_id, step_id) WHERE outcome IN ('delivered', 'in_flight', 'uncertain');
        CREATE INDEX deliveries_by_enrollment ON deliveries(enrollment_id);
        CREATE INDEX deliveries_by_prospect ON deliveries(prospect_id, channel, outcome);
        -- Start-up looks for in-flight attempts; `status` counts uncertain and failed ones.
        CREATE INDEX deliveries_by_outcome ON deliveries(outcome);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            campaign_id TEXT,
            occurred_at REAL NOT NULL,
            source TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX events_by_prospect ON events(prospect_id, occurred_at);

        -- Keyed by address, not prospect: an address is suppressed for good, even before it is a prospect.
        CREATE TABLE suppressions (
            email TEXT PRIMARY KEY COLLATE NOCASE,
            reason TEXT NOT NULL,
            since REAL NOT NULL,
            source TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    private static let v2 = """
        -- Where the reply-mailbox poller is, per mailbox URL: the folder's UIDVALIDITY and the last UID handled.
        CREATE TABLE mailbox_cursors (
            mailbox TEXT PRIMARY KEY,
            uid_validity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Inbound messages already handled, by Message-ID: a folder read again (UIDVALIDITY changed, cursor lost)
        -- processes nothing twice.
        CREATE TABLE inbound_messages (
            message_id TEXT PRIMARY KEY,
            mailbox TEXT NOT NULL,
            uid INTEGER NOT NULL,
            handled_at REAL NOT NULL,
            outcome TEXT NOT NULL
        ) WITHOUT ROWID;

        -- The step an event concerns: which email's link was clicked (for `skip_if: clicked`), which was replied to.
        ALTER TABLE events ADD COLUMN step_id TEXT;

        -- A reply is matched to the email it answers through In-Reply-To and References.
        CREATE INDEX deliveries_by_message_id ON deliveries(message_id) WHERE message_id IS NOT NULL;
        -- Start-up releases what a stopped process had claimed: a handful of rows among millions waiting.
        CREATE INDEX due_sends_claimed ON due_sends(claimed_at) WHERE claimed_at IS NOT NULL;
        -- "The prospect's last click", "alerts sent to the owner lately", "soft bounces so far".
        CREATE INDEX events_by_prospect_and_kind ON events(prospect_id, kind, occurred_at);
        """
}
