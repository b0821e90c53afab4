/// A header section as it arrived: every field in order, duplicates kept, names compared case-insensitively.
public struct InboundHeaders: Sendable, Hashable {
    /// One field: its name as written and its value unfolded.
    public struct Field: Sendable, Hashable {
        /// The name as the sender wrote it, e.g. `Message-Id`.
        public let name: String
        /// The value unfolded (RFC 5322 §2.2.3) and trimmed, with nothing decoded: what structured fields
        /// (addresses, message ids, dates) are parsed from. 8-bit bytes are read as UTF-8, else Windows-1252.
        public let rawValue: String
        let key: String

        init(name: String, rawValue: String) {
            self.name = name
            self.rawValue = rawValue
            self.key = name.lowercased()
        }

        /// The value read as unstructured text: encoded words decoded, and control characters (line breaks
        /// included) turned into spaces, so it is safe to show or to put in another message's header.
        public var value: String { HeaderText.unstructured(rawValue) }
    }

    public let fields: [Field]

    public init(_ fields: [Field]) {
        self.fields = fields
    }

    /// The decoded value of the first field called `name`, in any case.
    public subscript(_ name: String) -> String? {
        first(name)?.value
    }

    /// The decoded values of every field called `name`, in order.
    public func values(_ name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.key == key }.map(\.value)
    }

    /// The undecoded value of the first field called `name`.
    public func rawValue(_ name: String) -> String? {
        first(name)?.rawValue
    }

    public func contains(_ name: String) -> Bool {
        first(name) != nil
    }

    func first(_ name: String) -> Field? {
        let key = name.lowercased()
        return fields.first { $0.key == key }
    }

    static let empty = InboundHeaders([])
}
