/// Why a message is taken for an automatic answer rather than something a person wrote.
///
/// For Nurture the question is "did the prospect answer?": an auto-reply must not end a sequence as a reply
/// would. Each case names the evidence, so a log line can say why.
public enum AutoReplyKind: Sendable, Hashable, CustomStringConvertible {
    /// `Auto-Submitted` with a value other than `no` (RFC 3834 §5): `auto-replied`, `auto-generated`,
    /// `auto-notified`. The value, lowercased.
    case autoSubmitted(String)
    /// A vacation responder's own marker header (`X-Autoreply`, `X-Autorespond`...). The header's name.
    case autoresponderHeader(String)
    /// Exchange/Outlook out-of-office: `X-Auto-Response-Suppress` or an `X-MS-Exchange-Inbox-Rules-Loop`
    /// together with an automatic-reply subject. The subject.
    case exchangeOutOfOffice(String)
    /// `Precedence: bulk`, `junk` or `auto_reply`. The value, lowercased.
    case precedence(String)
    /// A subject that starts the way out-of-office replies do ("Out of Office:", "Automatic reply:",
    /// "Abwesenheitsnotiz:", "Réponse automatique :"). The subject.
    case outOfOfficeSubject(String)

    public var description: String {
        switch self {
        case .autoSubmitted(let value): return "Auto-Submitted: \(value)"
        case .autoresponderHeader(let name): return "\(name) header"
        case .exchangeOutOfOffice(let subject): return "Exchange out-of-office (\(subject))"
        case .precedence(let value): return "Precedence: \(value)"
        case .outOfOfficeSubject(let subject): return "out-of-office subject (\(subject))"
        }
    }
}

extension InboundMessage {
    /// Why this message is an automatic answer, or nil when it looks like a person's. Delivery reports are
    /// automatic too (mail systems mark them `Auto-Submitted: auto-replied`); check `deliveryReport` first
    /// when a bounce should be told apart from an out-of-office.
    public var autoReply: AutoReplyKind? { AutoReplyRules.classify(headers) }
}

enum AutoReplyRules {
    static func classify(_ headers: InboundHeaders) -> AutoReplyKind? {
        // RFC 3834 §5 obliges responders to send Auto-Submitted; `no` is the explicit "a person sent this".
        if let value = headers.rawValue("Auto-Submitted").map(firstWord), !value.isEmpty, value != "no" {
            return .autoSubmitted(value)
        }
        // Set by vacation programs that predate RFC 3834 (the BSD vacation family, cPanel, Zimbra, many
        // hosted autoresponders). No mail client sets them on a person's message.
        for name in ["X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autoreply-From", "X-Mail-Autoreply"] {
            if let value = headers.rawValue(name).map(firstWord), !["no", "false", "0"].contains(value) {
                return .autoresponderHeader(name)
            }
        }
        let subject = headers["Subject"] ?? ""
        let hasAutoReplySubject = startsLikeAutoReply(subject)
        // Exchange puts X-Auto-Response-Suppress on its out-of-office replies (so they do not trigger other
        // responders) and X-MS-Exchange-Inbox-Rules-Loop on rule-generated answers. Outlook also sets the first
        // on some messages people send, so neither counts alone: only with an automatic-reply subject.
        if hasAutoReplySubject,
            headers.contains("X-Auto-Response-Suppress") || headers.contains("X-MS-Exchange-Inbox-Rules-Loop")
        {
            return .exchangeOutOfOffice(subject)
        }
        // Bulk and junk are what responders and robots send; `list` is left alone on purpose: a person
        // answering through a mailing list still answered.
        if let value = headers.rawValue("Precedence").map(firstWord), ["bulk", "junk", "auto_reply"].contains(value) {
            return .precedence(value)
        }
        // Some responders set no header at all. A prefix match only, so "Re: out of office next week?" written
        // by a person is not caught.
        if hasAutoReplySubject { return .outOfOfficeSubject(subject) }
        return nil
    }

    /// Subject openings used by out-of-office responders, lowercased, in the languages most seen.
    static let autoReplySubjectPrefixes = [
        "out of office", "out of the office", "automatic reply", "auto reply:", "auto-reply", "autoreply",
        "auto response", "automatic response", "away from the office", "vacation reply",
        "abwesenheitsnotiz", "automatische antwort",
        "réponse automatique", "reponse automatique", "absence du bureau", "absent du bureau",
        "respuesta automática", "respuesta automatica", "fuera de la oficina",
        "risposta automatica", "automatisch antwoord", "resposta automática", "automatická odpověď",
        "automatyczna odpowiedź", "autosvar", "automaattinen vastaus",
    ]

    static func startsLikeAutoReply(_ subject: String) -> Bool {
        let lowered = subject.lowercased()
        return autoReplySubjectPrefixes.contains { lowered.hasPrefix($0) }
    }

    /// `auto-replied (vacation)` or `Auto-Replied; x=y` read as `auto-replied`.
    private static func firstWord(_ rawValue: String) -> String {
        String(rawValue.lowercased().prefix { !" \t;(".contains($0) })
    }
}
