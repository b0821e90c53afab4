import ArgumentParser
import Foundation

/// `nurture-bench`: Nurture against its ceiling (raw libcurl) and against a peer (APScheduler), one table and a
/// JSON file. Every comparison is measured in the same run, because the machine is shared and noisy.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nurture-bench",
        abstract: "Measure Nurture's throughput, scale and timer precision against raw libcurl and APScheduler.",
        discussion: """
            Run through `scripts/bench`, which builds in release mode and installs what this needs (postfix's \
            smtp-sink, a virtual environment with APScheduler). Each workload runs --runs times; the table shows \
            medians, and ratios are medians of the ratios of each run.
            """
    )

    @Flag(help: "Smaller sizes (500 sends, 1k/10k prospects, 2,000 timed sends over 10 s): a few minutes.")
    var quick = false
    @Flag(help: "Tiny sizes for the test suite: seconds. Implies --skip-peer unless --peer is given.")
    var smoke = false
    @Option(help: "Runs of each workload.") var runs = 3
    @Option(help: "Runs of the peer (APScheduler fills its store at about 150 jobs a second).") var peerRuns = 1
    @Flag(help: "Leave out the peer (it needs Benchmarks/.venv with APScheduler).") var skipPeer = false
    @Option(help: "Only these workloads, comma-separated: throughput, scale, timer, peer.") var only: String?
    @Option(help: "Runs of the large population (default: --runs; an import of a million takes minutes).")
    var largeRuns: Int?
    @Option(help: "Steps due at once in the throughput workload.") var sendsAtOnce: Int?
    @Option(help: "The large population of the scale workload.") var largePopulation: Int?
    @Option(help: "Sends of the timer workload.") var timedSends: Int?
    @Option(help: "Delayed sends of the peer workload (and of Nurture beside it).") var peerSends: Int?
    @Option(help: "The nurture executable (default: beside this one).") var nurture: String?
    @Option(help: "postfix's smtp-sink.") var smtpSink = "/usr/sbin/smtp-sink"
    @Option(help: "The Python that has APScheduler and SQLAlchemy.") var python = "Benchmarks/.venv/bin/python"
    @Option(help: "The peer script.") var peerScript = "Benchmarks/peer/peer.py"
    @Option(help: "Where the JSON goes.") var output = "Benchmarks/results/latest.json"
    @Option(
        help: """
            Record the daemon with `perf record` while it sends (throughput and timer workloads), one perf.data \
            file per run in this folder; see scripts/profile.
            """)
    var perfRecord: String?

    func run() throws {
        // Started by a test runner, this process may inherit blocked signals, and its children would too: a
        // `perf record` that never sees its SIGINT never stops. What it starts gets the default, as from a shell.
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        var sizes: Sizes = smoke ? .smoke : quick ? .quick : .full
        sizes.sendsAtOnce = sendsAtOnce ?? sizes.sendsAtOnce
        sizes.largePopulation = largePopulation ?? sizes.largePopulation
        sizes.timedSends = timedSends ?? sizes.timedSends
        sizes.peerSends = peerSends ?? sizes.peerSends
        let chosen = Set((only ?? "throughput,scale,timer,peer").split(separator: ",").map(String.init))
        let tools = Tools(
            nurture: URL(fileURLWithPath: nurture ?? Tools.besideThisExecutable("nurture")),
            smtpSink: URL(fileURLWithPath: smtpSink), python: URL(fileURLWithPath: python),
            peerScript: URL(fileURLWithPath: peerScript))
        try tools.check(needingPeer: chosen.contains("peer") && !skipPeer)
        let sink = try SMTPSink(executable: tools.smtpSink)
        defer { sink.stop() }
        Progress.say("smtp-sink on 127.0.0.1:\(sink.port); sizes: \(sizes.name); \(runs) runs")

        let profiler = try perfRecord.map(Profiler.init(folder:))
        let cpuAtStart = CPUTimes.now()
        var report = Report(
            machine: .current(), sizes: sizes, runs: runs, largeRuns: largeRuns ?? runs, peerRuns: peerRuns)
        var calibration = Calibration()
        if chosen.contains("throughput") {
            let workload = ThroughputWorkload(
                tools: tools, sink: sink, sizes: sizes, runs: runs, profiler: profiler)
            report.add(try workload.run(calibration: &calibration))
        }
        if chosen.contains("scale") {
            let workload = ScaleWorkload(
                tools: tools, sink: sink, sizes: sizes, runs: runs, largeRuns: largeRuns ?? runs)
            report.add(try workload.run(calibration: &calibration))
        }
        if chosen.contains("timer") {
            let workload = TimerWorkload(tools: tools, sink: sink, runs: runs, profiler: profiler)
            report.add(try workload.run(count: sizes.timedSends, spread: sizes.timerSpread, calibration: calibration))
        }
        if chosen.contains("peer") && !skipPeer {
            let workload = PeerWorkload(tools: tools, sink: sink, sizes: sizes, runs: peerRuns)
            report.add(try workload.run(calibration: calibration))
        }
        report.finish(cpuAtStart: cpuAtStart)
        print(report.table)
        try report.write(to: URL(fileURLWithPath: output))
        Progress.say("wrote \(output)")
    }
}
