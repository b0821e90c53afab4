import Foundation

/// A self-signed certificate for CN=localhost, IP 127.0.0.1, made with the openssl CLI.
public struct TestCertificate: Sendable {
    public let certificate: String
    public let key: String

    /// Writes `cert.pem` and `key.pem` into `folder`.
    public static func generate(in folder: URL) throws -> TestCertificate {
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // An EC key: generated in milliseconds, where RSA takes a noticeable part of a second.
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError(description: "openssl failed: \(String(decoding: message, as: UTF8.self))")
        }
        return TestCertificate(certificate: certificate, key: key)
    }
}
