// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Nurture",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nurture", targets: ["nurture"]),
        .executable(name: "nurture-bench", targets: ["nurture-bench"]),
        // For the fuzzers in Fuzz/, a package of their own: the modules that read untrusted text.
        .library(
            name: "NurtureParsing",
            targets: [
                "NurtureCore", "NurtureCampaigns", "NurtureRendering", "NurtureMail", "NurtureIMAP", "NurtureInbound",
            ]
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Deque, for the send pipeline's queues (swift-nio already brings the package in).
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // No default traits: neither swift-configuration nor the full-Foundation extras are used here.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Random-input tests for the inbound parser (test targets only).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // libcurl, behind a tiny C shim for its variadic calls. Only NurtureCurl imports it.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // glibc's <malloc.h>, for the daemon's heap settings (`HeapRetention`).
        .systemLibrary(name: "CMalloc"),
        // Shared vocabulary: addresses, header safety, the clock.
        .target(name: "NurtureCore", dependencies: [.product(name: "DequeModule", package: "swift-collections")]),
        // The campaign model, its YAML files and their validation. No I/O beyond reading the files.
        .target(
            name: "NurtureCampaigns",
            dependencies: [
                "NurtureCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // When each step falls due for a prospect: waits, business days, send windows, gaps. Pure: no I/O, no clock.
        .target(name: "NurtureTimeline", dependencies: ["NurtureCampaigns"]),
        // Mustache subjects and bodies, Markdown to HTML and plain text.
        .target(
            name: "NurtureRendering",
            dependencies: [
                "NurtureCampaigns",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Ink", package: "Ink"),
            ]
        ),
        // RFC 5322 / MIME message building and signed unsubscribe links.
        .target(
            name: "NurtureMail",
            dependencies: [
                "NurtureCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Mail that comes back: replies, auto-replies and bounces, parsed from raw bytes. Pure: no I/O, no clock.
        .target(name: "NurtureInbound", dependencies: ["NurtureCore"]),
        // The one Swift type that owns a libcurl handle, shared by the SMTP transport and the IMAP reader.
        .target(name: "NurtureCurl", dependencies: ["CCurl", "NurtureCore"]),
        // The SMTP transport over libcurl.
        .target(name: "NurtureSMTP", dependencies: ["NurtureCore", "NurtureCurl"]),
        // Reads a reply mailbox over IMAP with libcurl, strictly read-only: what arrived since the last poll.
        .target(name: "NurtureIMAP", dependencies: ["NurtureCore", "NurtureCurl"]),
        // Prospects, enrollments, due steps, deliveries, events, suppressions: the protocol and SQLite (GRDB).
        .target(
            name: "NurtureStore",
            dependencies: ["NurtureCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // nurture.yml.
        .target(
            name: "NurtureConfig",
            dependencies: [
                "NurtureCore", "NurtureCampaigns", "NurtureSMTP", "NurtureEngine",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Turns a campaign step and a prospect into a message and hands it to a transport.
        .target(
            name: "NurtureEngine",
            dependencies: [
                "NurtureCore", "NurtureCampaigns", "NurtureTimeline", "NurtureRendering", "NurtureMail", "NurtureSMTP",
                "NurtureStore", "NurtureInbound",
            ]
        ),
        // Running as a service: systemd notifications, journald-style logs (without libsystemd), Prometheus metrics.
        .target(
            name: "NurtureService",
            dependencies: [
                "NurtureCore", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The daemon's HTTP server: the authenticated API and, apart from it, the public routes.
        .target(
            name: "NurtureHTTP",
            dependencies: [
                "NurtureCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command line: wiring only.
        .executableTarget(
            name: "nurture",
            dependencies: [
                "NurtureCore", "NurtureCampaigns", "NurtureRendering", "NurtureMail", "NurtureSMTP",
                "NurtureConfig", "NurtureEngine",
                "NurtureStore", "NurtureTimeline", "NurtureService", "NurtureHTTP", "NurtureIMAP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The benchmark runner (scripts/bench): the daemon against raw libcurl and against APScheduler.
        .executableTarget(
            name: "nurture-bench",
            dependencies: [
                "NurtureCore", "NurtureSMTP",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/Runner"
        ),
        .testTarget(name: "NurtureCoreTests", dependencies: ["NurtureCore"]),
        .testTarget(
            name: "NurtureCampaignsTests", dependencies: ["NurtureCampaigns", "NurtureTestSupport"], exclude: ["Corpus"]
        ),
        .testTarget(name: "NurtureTimelineTests", dependencies: ["NurtureTimeline", "NurtureCampaigns"]),
        .testTarget(
            name: "NurtureRenderingTests", dependencies: ["NurtureRendering", "NurtureCampaigns", "NurtureTestSupport"]),
        // Real servers and parsers for the tests: aiosmtpd and dovecot on loopback, Python's strict email parser.
        .target(
            name: "NurtureTestSupport",
            dependencies: ["NurtureMail"],
            path: "Tests/NurtureTestSupport",
            exclude: ["Scripts"]
        ),
        .testTarget(
            name: "NurtureMailTests",
            dependencies: [
                "NurtureMail", "NurtureCore", "NurtureTestSupport", .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Golden"]),
        .testTarget(
            name: "NurtureInboundTests",
            dependencies: [
                "NurtureInbound", "NurtureCore", "NurtureMail",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "NurtureSMTPTests", dependencies: ["NurtureSMTP", "NurtureCurl", "NurtureCore", "NurtureTestSupport"]),
        .testTarget(name: "NurtureIMAPTests", dependencies: ["NurtureIMAP", "NurtureCore", "NurtureTestSupport"]),
        .testTarget(name: "NurtureConfigTests", dependencies: ["NurtureConfig", "NurtureTestSupport"]),
        .testTarget(name: "NurtureStoreTests", dependencies: ["NurtureStore", "NurtureCore"]),
        .testTarget(
            name: "NurtureServiceTests",
            dependencies: ["NurtureService", .product(name: "Logging", package: "swift-log"), "NurtureTestSupport"]),
        .testTarget(
            name: "NurtureHTTPTests",
            dependencies: [
                "NurtureHTTP", "NurtureTestSupport", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "NurtureEngineTests",
            dependencies: [
                "NurtureEngine", "NurtureCampaigns", "NurtureMail", "NurtureCore", "NurtureSMTP", "NurtureStore",
                "NurtureTimeline", "NurtureTestSupport",
            ]),
        // A smoke run of the whole benchmark runner at tiny sizes, without the peer.
        .testTarget(name: "NurtureBenchTests", dependencies: ["nurture-bench", "nurture", "NurtureTestSupport"]),
        .testTarget(
            name: "NurtureCLITests",
            dependencies: ["nurture", "NurtureCore", "NurtureCampaigns", "NurtureStore", "NurtureTestSupport"]
        ),
    ]
)
