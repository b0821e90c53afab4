import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's dovecot (`dovecot-imapd`) run in the foreground on loopback for one test, with a throwaway
/// configuration, one user and one Maildir in a folder of its own.
///
/// Dovecot refuses to run its login and mail processes as root, so under root (as in CI) they run as `nobody`,
/// who owns the Maildir; otherwise everything runs as the current user.
public final class TestIMAPServer {
    /// How the server protects its port.
    public enum Security: Sendable {
        /// `imap://`, no TLS at all (and no STARTTLS); plain-text login allowed.
        case plain
        /// `imap://` with STARTTLS, and no login before it.
        case startTLS
        /// `imaps://`: TLS from the first byte.
        case implicitTLS
    }

    public static let user = "reader"
    public static let password = "imap-Pa55word!"

    public let port: Int
    public let security: Security
    /// The server's self-signed certificate (CN=localhost, IP 127.0.0.1), when it speaks TLS: the client's CA file.
    public let certificate: TestCertificate?
    /// The folder INBOX lives in: `new/`, `cur/`, `tmp/`.
    public let maildir: URL
    private let configuration: URL
    private let logFile: URL
    private let mailOwner: (uid: uid_t, gid: gid_t)
    private let process: Process
    private var deliveries = 0
    // Removed after `deinit` has stopped the server, as stored properties are released after its body.
    private let folder: TemporaryFolder

    /// Starts dovecot and returns once it accepts connections.
    public init(_ security: Security = .plain) throws {
        let folder = try TemporaryFolder()
        let root = folder.url
        let certificate = security == .plain ? nil : try TestCertificate.generate(in: root)
        let port = try Self.freePort()
        let mailOwner = try Self.mailOwner()
        let maildir = root.appendingPathComponent("Maildir")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try Self.giveOwnership(of: maildir, to: mailOwner)
        _ = try folder.write("\(Self.user):{PLAIN}\(Self.password)\n", to: "passwd")
        let configuration = try folder.write(
            Self.configuration(root: root, port: port, security: security, certificate: certificate, owner: mailOwner),
            to: "dovecot.conf")
        let logFile = root.appendingPathComponent("dovecot.log")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/dovecot")
        process.arguments = ["-F", "-c", configuration.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try Self.runWithNoSignalBlocked(process)

        self.port = port
        self.security = security
        self.certificate = certificate
        self.maildir = maildir
        self.configuration = configuration
        self.logFile = logFile
        self.mailOwner = mailOwner
        self.process = process
        self.folder = folder
        do {
            try waitUntilListening(within: .seconds(15))
        } catch {
            stop()
            throw TestSetupError(description: "\(error); dovecot's log: \(log)")
        }
    }

    deinit {
        stop()
    }

    /// The URL of `folder` on this server, with the scheme its security calls for.
    public func url(folder: String = "INBOX") -> String {
        "\(security == .implicitTLS ? "imaps" : "imap")://127.0.0.1:\(port)/\(folder)"
    }

    /// SIGTERM to dovecot's whole process group (the master and the login, auth and mail processes it started),
    /// then SIGKILL to whatever is left after five seconds.
    public func stop() {
        guard process.isRunning else { return }
        // Foundation's Process makes the child the leader of a process group of its own.
        let group = -process.processIdentifier
        kill(group, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(group, SIGKILL) }
        process.waitUntilExit()
    }

    /// Drops `message` into INBOX as a delivery agent would (into `new/`); dovecot sees it on the next poll.
    public func deliver(_ message: [UInt8]) throws {
        deliveries += 1
        let name = "\(Int(Date().timeIntervalSince1970)).M\(deliveries)P\(getpid()).nurture-test"
        let staged = maildir.appendingPathComponent("tmp/\(name)")
        try Data(message).write(to: staged)
        try Self.giveOwnership(of: staged, to: mailOwner)
        try FileManager.default.moveItem(at: staged, to: maildir.appendingPathComponent("new/\(name)"))
    }

    /// `message` with its lines ended by CRLF, as IMAP serves them.
    public func deliver(_ message: String) throws {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        try deliver(Array(lines.joined(separator: "\r\n").utf8))
    }

    /// Every message's flags by UID, as dovecot stores them (`\Seen`, `\Flagged`...). \Recent is left out: it
    /// belongs to a session, not to the message.
    public func flags(folder: String = "INBOX") throws -> [UInt32: Set<String>] {
        let output = try doveadm(["fetch", "-u", Self.user, "uid flags", "mailbox", folder, "all"])
        var flags: [UInt32: Set<String>] = [:]
        var uid: UInt32?
        for line in output.split(separator: "\n") {
            if line.hasPrefix("uid: ") { uid = UInt32(line.dropFirst(5)) }
            if line.hasPrefix("flags:"), let uid {
                flags[uid] = Set(line.dropFirst(6).split(separator: " ").map(String.init)).subtracting(["\\Recent"])
            }
        }
        return flags
    }

    /// Gives the folder a new UIDVALIDITY, as recreating it would: every UID handed out before means nothing now.
    public func changeUIDValidity(to uidValidity: UInt32, folder: String = "INBOX") throws {
        _ = try doveadm(["mailbox", "update", "-u", Self.user, "--uid-validity", "\(uidValidity)", folder])
    }

    /// The folder's UIDVALIDITY.
    public func uidValidity(folder: String = "INBOX") throws -> UInt32 {
        let output = try doveadm(["mailbox", "status", "-u", Self.user, "uidvalidity", folder])
        guard
            let value = output.split(separator: "=").last.flatMap({
                UInt32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            })
        else { throw TestSetupError(description: "doveadm mailbox status said `\(output)`") }
        return value
    }

    /// dovecot's log so far: logins, logouts and errors.
    public var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    private func doveadm(_ arguments: [String]) throws -> String {
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/doveadm"), arguments: ["-c", configuration.path] + arguments)
        guard result.status == 0 else {
            throw TestSetupError(
                description:
                    "doveadm \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderrText)")
        }
        return result.stdoutText
    }

    private func waitUntilListening(within timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestSetupError(description: "dovecot exited at start") }
            if Self.accepts(port: port) { return }
            usleep(20_000)
        }
        throw TestSetupError(description: "dovecot did not listen on 127.0.0.1:\(port) in time")
    }

    private static func configuration(
        root: URL, port: Int, security: Security, certificate: TestCertificate?, owner: (uid: uid_t, gid: gid_t)
    ) -> String {
        let path = root.path
        let runsAsRoot = getuid() == 0
        let me = String(cString: getpwuid(getuid()).pointee.pw_name)
        let myGroup = String(cString: getgrgid(getgid()).pointee.gr_name)
        let tls: String
        switch security {
        case .plain:
            tls = "ssl = no\ndisable_plaintext_auth = no"
        case .startTLS, .implicitTLS:
            tls = "ssl = required\nssl_cert = <\(certificate!.certificate)\nssl_key = <\(certificate!.key)"
        }
        return """
            base_dir = \(path)/run
            state_dir = \(path)/state
            log_path = \(path)/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            \(tls)
            auth_mechanisms = plain login
            default_internal_user = \(me)
            default_internal_group = \(myGroup)
            default_login_user = \(runsAsRoot ? "nobody" : me)
            mail_uid = \(owner.uid)
            mail_gid = \(owner.gid)
            first_valid_uid = 1
            first_valid_gid = 1
            mail_location = maildir:\(path)/Maildir
            passdb {
              driver = passwd-file
              args = scheme=PLAIN \(path)/passwd
            }
            userdb {
              driver = static
              args = uid=\(owner.uid) gid=\(owner.gid) home=\(path)/home
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = \(security == .implicitTLS ? 0 : port)
              }
              inet_listener imaps {
                address = 127.0.0.1
                port = \(security == .implicitTLS ? port : 0)
              }
            }

            """
    }

    /// Starts `process` with an empty signal mask. The test runner's threads block most signals, and a child
    /// inherits the mask of the thread that spawns it: dovecot would never see the SIGTERM that stops it.
    private static func runWithNoSignalBlocked(_ process: Process) throws {
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }

    /// Who owns the mail: `nobody` under root (dovecot will not read mail as root), else the current user.
    private static func mailOwner() throws -> (uid: uid_t, gid: gid_t) {
        guard getuid() == 0 else { return (getuid(), getgid()) }
        guard let nobody = getpwnam("nobody") else {
            throw TestSetupError(description: "there is no user `nobody` for dovecot's mail processes")
        }
        return (nobody.pointee.pw_uid, nobody.pointee.pw_gid)
    }

    private static func giveOwnership(of url: URL, to owner: (uid: uid_t, gid: gid_t)) throws {
        guard getuid() == 0 else { return }
        let paths = [url.path] + (FileManager.default.subpaths(atPath: url.path) ?? []).map { url.path + "/" + $0 }
        for path in paths where chown(path, owner.uid, owner.gid) != 0 {
            throw TestSetupError(description: "chown \(path) failed: errno \(errno)")
        }
    }

    /// A port nothing listens on now: the kernel picks it for a socket bound to port 0, which is then closed.
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError(description: "socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw TestSetupError(description: "could not bind a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
