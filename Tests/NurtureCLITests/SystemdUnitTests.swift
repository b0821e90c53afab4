import Foundation
import NurtureTestSupport
import Testing

/// `systemd/`: the unit is what `systemd-analyze` accepts and rates 1.1 or better, and the unit, the sysusers
/// file and the example configuration agree with each other and with the daemon.
///
/// The machine need not run systemd: `systemd-analyze verify` and `security --offline=true` read files only.
struct SystemdUnitTests {
    static let analyzer = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
    static var hasAnalyzer: Bool { FileManager.default.isExecutableFile(atPath: analyzer.path) }
    static let skipReason: Comment =
        "systemd-analyze is not installed at /usr/bin/systemd-analyze (Debian: apt-get install systemd); the unit is not checked"

    static let folder = NurtureProcess.packageRoot.appendingPathComponent("systemd")
    static let unitFile = folder.appendingPathComponent("nurture.service")
    static let installedExecutable = "/usr/local/bin/nurture"
    static let credentialPath = "/run/credentials/nurture.service/smtp-password"

    // MARK: systemd-analyze

    /// `verify` insists that ExecStart's program exists, and `/usr/local/bin/nurture` is only there once installed
    /// (`--root` wants a whole OS tree). So a copy of the unit, under the same name, starts the binary just built.
    @Test(.enabled(if: hasAnalyzer, skipReason))
    func systemdAnalyzeVerifyIsClean() throws {
        let unit = try String(contentsOf: Self.unitFile, encoding: .utf8)
        let executable = NurtureProcess.executable.path
        #expect(FileManager.default.isExecutableFile(atPath: executable), "build nurture first: \(executable)")
        let prefix = "ExecStart=\(Self.installedExecutable) "
        var replaced = 0
        let copy = unit.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix(prefix) else { return String(line) }
            replaced += 1
            // Quoted, and % escaped as the unit syntax wants, whatever the build folder is called.
            let quoted = "\"" + executable.replacingOccurrences(of: "%", with: "%%") + "\""
            return "ExecStart=\(quoted) " + line.dropFirst(prefix.count)
        }.joined(separator: "\n")
        #expect(replaced == 1, "the unit should have one `\(prefix)...` line")
        let temporary = try TemporaryFolder(["nurture.service": copy])

        let result = try Self.analyze(["verify", temporary.url.appendingPathComponent("nurture.service").path])
        #expect(result.status == 0, "\(result.stderrText)")
        // Unknown keys and bad values are only warnings (exit 0): any output at all is a finding.
        #expect(result.stderrText == "")
        #expect(result.stdoutText == "")
    }

    /// 1.1 with systemd 252, and no lower without taking away what the daemon needs (see the next test).
    @Test(.enabled(if: hasAnalyzer, skipReason))
    func systemdAnalyzeSecurityRatesTheUnitAtMost1Point1() throws {
        let result = try Self.analyze(["security", "--offline=true", "--no-pager", Self.unitFile.path])
        #expect(result.status == 0, "\(result.stderrText)")
        let exposure = try #require(
            Self.exposure(in: result.stdoutText), "no `Overall exposure level` line in:\n\(result.stdoutText)")
        #expect(exposure <= 1.1, "exposure \(exposure); the findings:\n\(Self.findings(in: result.stdoutText))")
    }

    /// What the exposure still counts is what the daemon needs: a network (SMTP and IMAP to anywhere, DNS, the
    /// API), local sockets ($NOTIFY_SOCKET, the journal), the host's file system (read-only but for the state), and
    /// the read-only RTC device that ProtectClock= itself allows. A weight lost to rounding still shows up here.
    @Test(.enabled(if: hasAnalyzer, skipReason))
    func theOnlyExposureLeftIsWhatTheDaemonNeeds() throws {
        let result = try Self.analyze(["security", "--offline=true", "--no-pager", Self.unitFile.path])
        let needed: Set<String> = [
            "RootDirectory=/RootImage=", "RestrictAddressFamilies=~AF_UNIX", "RestrictAddressFamilies=~AF_(INET|INET6)",
            "PrivateNetwork=", "IPAddressDeny=", "DeviceAllow=",
        ]
        let counted = Set(
            Self.findings(in: result.stdoutText).split(separator: "\n").compactMap {
                $0.dropFirst(2).split(separator: " ").first.map(String.init)
            })
        #expect(!counted.isEmpty, "no findings parsed from:\n\(result.stdoutText)")
        #expect(counted.isSubset(of: needed), "newly counted: \(counted.subtracting(needed).sorted())")
        let devices = Self.findings(in: result.stdoutText).split(separator: "\n").first { $0.contains("DeviceAllow=") }
        #expect(devices.map { $0.contains("char-rtc:r") } ?? true, "a device beyond the RTC: \(devices ?? "")")
    }

    @Test func theExposureLineIsParsed() {
        #expect(Self.exposure(in: "\n→ Overall exposure level for nurture.service: 1.1 OK 🙂\n") == 1.1)
        #expect(Self.exposure(in: "→ Overall exposure level for nurture.service: 9.6 UNSAFE 😨") == 9.6)
        #expect(Self.exposure(in: "nothing here") == nil)
    }

    // MARK: the files agree

    @Test func theUnitRunsTheDaemonAsSystemdExpects() throws {
        let unit = try Self.unit()
        #expect(unit.values("Service", "Type") == ["notify"])
        #expect(
            unit.values("Service", "ExecStart") == ["\(Self.installedExecutable) run --config /etc/nurture/nurture.yml"]
        )
        #expect(unit.values("Service", "ExecReload") == ["/bin/kill -HUP $MAINPID"])
        #expect(unit.values("Service", "Restart") == ["on-failure"])
        #expect(unit.values("Service", "StateDirectory") == ["nurture"])
        #expect(unit.values("Service", "ConfigurationDirectory") == ["nurture"])
        #expect(
            unit.values("Service", "LoadCredential") == [
                "smtp-password:/etc/nurture/smtp-password", "api-token:/etc/nurture/api-token",
            ])
        // Owner-only state and files, whoever starts the service.
        #expect(unit.values("Service", "StateDirectoryMode") == ["0700"])
        #expect(unit.values("Service", "UMask") == ["0077"])
        #expect(unit.values("Install", "WantedBy") == ["multi-user.target"])
        // The daemon sends WATCHDOG=1 at least every 5 s; anything much shorter would kill it under load.
        let watchdog = try #require(unit.values("Service", "WatchdogSec").first.flatMap(Self.seconds))
        #expect(watchdog >= 20)
        // The daemon gives in-flight sends 30 s after SIGTERM; systemd must not SIGKILL it before that is over.
        let stop = try #require(unit.values("Service", "TimeoutStopSec").first.flatMap(Self.seconds))
        #expect(stop > 30)
    }

    @Test func theUnitsUserIsTheOneSysusersCreates() throws {
        let unit = try Self.unit()
        #expect(unit.values("Service", "User") == ["nurture"])
        #expect(unit.values("Service", "Group") == ["nurture"])
        #expect(unit.values("Service", "DynamicUser").allSatisfy { $0 == "no" })
        let sysusers = try String(
            contentsOf: Self.folder.appendingPathComponent("nurture.sysusers"), encoding: .utf8)
        let entries = sysusers.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
        #expect(entries.count == 1)
        let fields = try #require(entries.first).split(separator: " ", omittingEmptySubsequences: true)
        #expect(fields.first == "u")
        #expect(fields.dropFirst().first == "nurture")
        #expect(sysusers.contains("/var/lib/nurture"), "the home should be the StateDirectory")
    }

    /// The example configuration reads the credential the unit loads, keeps its state in the StateDirectory,
    /// and is a configuration the daemon accepts (`nurture check` loads it, with paths moved into a test folder).
    @Test func theExampleConfigurationMatchesTheUnitAndLoads() throws {
        let example = try String(
            contentsOf: Self.folder.appendingPathComponent("nurture.yml.example"), encoding: .utf8)
        let settings = Self.topLevelAndSMTPValues(example)
        #expect(settings["campaigns"] == "/etc/nurture/campaigns")
        #expect(settings["state"] == "/var/lib/nurture")
        #expect(settings["password_file"] == Self.credentialPath)
        #expect(settings["token_file"] == "/run/credentials/nurture.service/api-token")
        #expect(settings["listen"] == "127.0.0.1:8080")
        #expect(settings["tls"] == "required")
        #expect(settings["public_url"]?.hasPrefix("https://") == true)
        #expect(
            try Self.unit().values("Service", "ExecStart").first?.hasSuffix("--config /etc/nurture/nurture.yml") == true
        )

        let folder = try TemporaryFolder(["smtp-password": "not-a-real-password\n"])
        let moved: [String: String] = [
            "campaigns": NurtureProcess.packageRoot.appendingPathComponent("campaigns").path,
            "state": folder.url.appendingPathComponent("state").path,
            "password_file": folder.url.appendingPathComponent("smtp-password").path,
            "token_file": folder.url.appendingPathComponent("api-token").path,
            "secret_file": folder.url.appendingPathComponent("state/secret").path,
        ]
        let local = example.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            for (key, value) in moved {
                if let range = line.range(of: "\(key): "), line[..<range.lowerBound].allSatisfy({ $0 == " " }) {
                    return line[..<range.upperBound] + value
                }
            }
            return String(line)
        }.joined(separator: "\n")
        let config = try folder.write(local, to: "nurture.yml")
        let result = try NurtureProcess.run(["check", "--config", config.path])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)")
        #expect(result.stdoutText.hasSuffix("0 errors, 0 warnings\n"), "\(result.stdoutText)")
    }

    // MARK: helpers

    /// Runs `systemd-analyze` with a clean environment, so nothing such as SYSTEMD_LOG_LEVEL leaks in.
    static func analyze(_ arguments: [String]) throws -> ChildProcess.Result {
        let directory = try TemporaryFolder()
        return try ChildProcess.run(
            analyzer, arguments: arguments, in: directory.url,
            environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path, "LANG": "C.UTF-8", "SYSTEMD_COLORS": "0"])
    }

    /// The figure in `→ Overall exposure level for nurture.service: 1.1 OK 🙂`.
    static func exposure(in output: String) -> Double? {
        for line in output.split(separator: "\n") {
            guard let marker = line.range(of: "Overall exposure level for ") else { continue }
            let rest = line[marker.upperBound...]
            guard let colon = rest.range(of: ": ") else { continue }
            let figure = rest[colon.upperBound...].prefix { $0.isNumber || $0 == "." }
            return Double(figure)
        }
        return nil
    }

    /// The settings `security` counted against the unit (lines marked ✗), for a failure message.
    static func findings(in output: String) -> String {
        output.split(separator: "\n").filter { $0.hasPrefix("✗") }.joined(separator: "\n")
    }

    /// A systemd time span in one unit (`45s`, `2min`, `500ms`, `1h`) or a bare number of seconds.
    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("min", 60), ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
    }

    /// `key: value` lines at any depth, comments ignored: enough for the example, whose keys are all distinct.
    static func topLevelAndSMTPValues(_ yaml: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in yaml.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            guard !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":") else { continue }
            let key = String(trimmed[..<colon])
            var value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if let comment = value.range(of: " #") {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            if !value.isEmpty { values[key] = value }
        }
        return values
    }

    static func unit() throws -> UnitFile {
        UnitFile(try String(contentsOf: unitFile, encoding: .utf8))
    }

    /// A systemd unit file read as sections of `Key=value` lines, in order (a key may repeat).
    struct UnitFile {
        private var entries: [(section: String, key: String, value: String)] = []

        init(_ text: String) {
            var section = ""
            for raw in text.split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
                if line.hasPrefix("[") && line.hasSuffix("]") {
                    section = String(line.dropFirst().dropLast())
                } else if let equals = line.firstIndex(of: "=") {
                    let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                    let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                    entries.append((section, key, value))
                }
            }
        }

        /// Every value given to `key` in `section`, in order.
        func values(_ section: String, _ key: String) -> [String] {
            entries.filter { $0.section == section && $0.key == key }.map(\.value)
        }
    }
}
