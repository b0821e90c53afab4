import Foundation

/// `POST /v1/enrollments`.
public struct EnrollmentCall: Sendable, Equatable {
    public var campaign: String
    public var email: String
    /// Template fields: strings, numbers and booleans are accepted and kept as text.
    public var attributes: [String: String]
    /// IANA zone; default the campaign's.
    public var timezone: String?
    /// `email` or `phone`.
    public var prefers: String?
    /// End an enrollment already running in the campaign and start again.
    public var restart: Bool
    /// When the prospect enrolled (the form's time); default now.
    public var enrolledAt: Date?

    public init(
        campaign: String, email: String, attributes: [String: String] = [:], timezone: String? = nil,
        prefers: String? = nil, restart: Bool = false, enrolledAt: Date? = nil
    ) {
        self.campaign = campaign
        self.email = email
        self.attributes = attributes
        self.timezone = timezone
        self.prefers = prefers
        self.restart = restart
        self.enrolledAt = enrolledAt
    }

    static let fields = ["campaign", "email", "attributes", "timezone", "prefers", "restart", "enrolled_at"]

    init(json: JSONObject) throws(APIError) {
        try json.refuseUnknown(Self.fields)
        self.init(
            campaign: try json.string("campaign"), email: try json.string("email"),
            attributes: try json.attributes("attributes"), timezone: try json.optionalString("timezone"),
            prefers: try json.optionalString("prefers"), restart: try json.bool("restart") ?? false,
            enrolledAt: try json.date("enrolled_at"))
    }
}

/// `POST /v1/events`.
public struct EventCall: Sendable, Equatable {
    public var email: String
    /// reply, unsubscribe, bounce, click or goal.
    public var event: String
    public var campaign: String?
    /// Where it came from; default `api`.
    public var source: String
    public var detail: String?

    public init(email: String, event: String, campaign: String? = nil, source: String = "api", detail: String? = nil) {
        self.email = email
        self.event = event
        self.campaign = campaign
        self.source = source
        self.detail = detail
    }

    static let fields = ["email", "event", "campaign", "source", "detail"]

    init(json: JSONObject) throws(APIError) {
        try json.refuseUnknown(Self.fields)
        self.init(
            email: try json.string("email"), event: try json.string("event"),
            campaign: try json.optionalString("campaign"), source: try json.optionalString("source") ?? "api",
            detail: try json.optionalString("detail", multiline: true))
    }
}

/// `POST /v1/stops`.
public struct StopCall: Sendable, Equatable {
    public var email: String
    /// Only this campaign; default all.
    public var campaign: String?

    public init(email: String, campaign: String? = nil) {
        self.email = email
        self.campaign = campaign
    }

    init(json: JSONObject) throws(APIError) {
        try json.refuseUnknown(["email", "campaign"])
        self.init(email: try json.string("email"), campaign: try json.optionalString("campaign"))
    }
}

/// `POST /v1/sends`: one step sent now to `to`, who is also the prospect the templates see.
public struct SendCall: Sendable, Equatable {
    public var campaign: String
    public var step: String
    public var to: String
    public var attributes: [String: String]

    public init(campaign: String, step: String, to: String, attributes: [String: String] = [:]) {
        self.campaign = campaign
        self.step = step
        self.to = to
        self.attributes = attributes
    }

    init(json: JSONObject) throws(APIError) {
        try json.refuseUnknown(["campaign", "step", "to", "attributes"])
        self.init(
            campaign: try json.string("campaign"), step: try json.string("step"), to: try json.string("to"),
            attributes: try json.attributes("attributes"))
    }
}

/// A JSON value, as a request body holds it.
enum JSONValue: Decodable, Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

/// A request body read as a JSON object, with errors that name the field at fault.
struct JSONObject {
    private let fields: [String: JSONValue]

    init(_ data: some Collection<UInt8>) throws(APIError) {
        let parsed: JSONValue
        do {
            parsed = try JSONDecoder().decode(JSONValue.self, from: Data(data))
        } catch {
            throw APIError(
                .badRequest, code: "invalid_json", "the body is not valid JSON; send an object like {\"email\": ...}")
        }
        guard case .object(let object) = parsed else {
            throw APIError(.badRequest, code: "invalid_json", "the body must be a JSON object")
        }
        fields = object
    }

    /// A misspelt optional field would otherwise be ignored without a word.
    func refuseUnknown(_ known: [String]) throws(APIError) {
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalid(unknown, "unknown field `\(unknown)`; known: \(known.joined(separator: ", "))")
        }
    }

    func string(_ key: String) throws(APIError) -> String {
        guard let value = try optionalString(key) else { throw .invalid(key, "`\(key)` is required") }
        return value
    }

    /// A string, or nil when absent or null. One line unless `multiline`: these values end up in headers and logs.
    func optionalString(_ key: String, multiline: Bool = false) throws(APIError) -> String? {
        switch fields[key] {
        case nil, .null: return nil
        case .string(let text):
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalid(key, "`\(key)` must not be empty")
            }
            try Self.refuseControlCharacters(text, field: key, allowingNewlines: multiline)
            return text
        default: throw .invalid(key, "`\(key)` must be a string")
        }
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        switch fields[key] {
        case nil, .null: return nil
        case .bool(let value): return value
        default: throw .invalid(key, "`\(key)` must be true or false")
        }
    }

    func date(_ key: String) throws(APIError) -> Date? {
        guard let text = try optionalString(key) else { return nil }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        throw .invalid(key, "`\(key)` must be an ISO 8601 time like 2026-11-23T14:00:00Z")
    }

    /// An object of template fields. Numbers and booleans become text, as a CSV column would; nested values are
    /// refused, since no template could print them.
    func attributes(_ key: String) throws(APIError) -> [String: String] {
        let object: [String: JSONValue]
        switch fields[key] {
        case nil, .null: return [:]
        case .object(let value): object = value
        default: throw .invalid(key, "`\(key)` must be an object of text fields, like {\"first_name\": \"Dana\"}")
        }
        var attributes: [String: String] = [:]
        for (name, value) in object {
            let field = "\(key).\(name)"
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw .invalid(field, "field names are letters, digits, `_` and `-`, like `first_name`")
            }
            let text: String
            switch value {
            case .string(let string): text = string
            case .number(let number):
                // Past 2^53 a JSON number has already lost digits (an ID, a phone number): it must come as text.
                guard abs(number) < 9_007_199_254_740_992 else {
                    throw .invalid(field, "`\(field)` is too large a number to keep exactly; send it as a string")
                }
                text = number == number.rounded() ? String(Int64(number)) : String(number)
            case .bool(let flag): text = flag ? "true" : "false"
            case .null: continue
            case .array, .object: throw .invalid(field, "`\(field)` must be text, a number or true/false")
            }
            try Self.refuseControlCharacters(text, field: field, allowingNewlines: false)
            attributes[name] = text
        }
        return attributes
    }

    /// CR and LF in a field would end up splitting a header line or a log line.
    private static func refuseControlCharacters(_ text: String, field: String, allowingNewlines: Bool)
        throws(APIError)
    {
        let allowed: Set<Unicode.Scalar> = allowingNewlines ? ["\n", "\r", "\t"] : ["\t"]
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) {
            throw .invalid(field, "`\(field)` must be one line of text, without control characters")
        }
    }
}

// What the CLI sends when a daemon is running: the same fields the API reads.
extension EnrollmentCall: Encodable {
    enum CodingKeys: String, CodingKey {
        case campaign, email, attributes, timezone, prefers, restart
        case enrolledAt = "enrolled_at"
    }
}

extension EventCall: Encodable {}
extension StopCall: Encodable {}
extension SendCall: Encodable {}
