import Foundation
import NurtureCore

/// `nurture.yml`'s `api:` section: where the daemon's HTTP server listens and the token its API wants.
public struct APISettings: Sendable, Equatable {
    /// False with `listen: off`: no HTTP server, and the CLI writes to the state database directly.
    public var enabled = true
    /// An address on this machine unless `allowRemote`; `localhost` is taken as 127.0.0.1.
    public var host = "127.0.0.1"
    /// 0 picks a free port; the daemon writes the one it got to `STATE/api.address` for the CLI.
    public var port = 8080
    /// Listening off loopback has to be asked for: the API enrolls and emails people.
    public var allowRemote = false
    /// The bearer token's file; created (mode 0600) when missing. Default: STATE/api-token.
    public var tokenFile: String
    /// Request bodies above this get 413.
    public var maxBodyBytes = 64 * 1024

    public init(tokenFile: String) {
        self.tokenFile = tokenFile
    }

    /// `host:port` as a URL's authority, with brackets around an IPv6 host.
    public var authority: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    /// Parses `127.0.0.1:8080`, `[::1]:8080` or `localhost:8080`.
    static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil
        }
        guard !host.isEmpty else { return nil }
        return (host == "localhost" ? "127.0.0.1" : host, port)
    }

    /// True for an address the kernel binds on every interface or on one reachable from the network.
    var isRemote: Bool { !Loopback.contains(host: host) }
}
