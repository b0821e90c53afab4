import Foundation

/// A self-signed certificate for CN=localhost, IP 127.0.0.1, made with the openssl CLI.
public struct TestCertificate: Sendable {
    public let certificate: String
    public let key: String

    /// Writes `cert.pem` and `key.pem` into `folder`.
    public static func generate(in folder: URL) throws -> TestCertificate {
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        // An EC key: generated in milliseconds, where RSA takes a noticeable part of a second.
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            arguments: [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ])
        guard result.status == 0 else {
            throw TestSetupError(description: "openssl failed (\(result.status)): \(result.stderrText)")
        }
        return TestCertificate(certificate: certificate, key: key)
    }
}
