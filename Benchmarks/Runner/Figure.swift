/// One line of the table: Nurture's figure, what it is compared with, and the target if there is one.
struct Figure: Codable {
    var workload: String
    var name: String
    var unit: String
    /// Medians over the runs.
    var nurture: Double?
    var reference: Double?
    /// `raw libcurl` or `APScheduler`; nil when the figure stands alone.
    var referenceName: String?
    /// Median of the per-run ratios nurture / reference.
    var ratio: Double?
    var target: String?
    var met: Bool?
    var nurtureRuns: [Double]
    var referenceRuns: [Double]
    var note: String?

    /// A figure measured on its own (`runs`), checked against `target` with `isMet`.
    init(
        _ workload: String, _ name: String, unit: String, runs: [Double], target: String? = nil,
        isMet: ((Double) -> Bool)? = nil, note: String? = nil
    ) {
        self.workload = workload
        self.name = name
        self.unit = unit
        nurtureRuns = runs
        referenceRuns = []
        nurture = Statistics.median(runs)
        self.target = target
        met = nurture.flatMap { value in isMet.map { $0(value) } }
        self.note = note
    }

    /// Compared with `reference`, run by run; `isMet` judges the ratio (or, when `judgesValue`, Nurture's figure).
    init(
        _ workload: String, _ name: String, unit: String, runs: [Double], reference name2: String,
        referenceRuns: [Double], target: String? = nil, isMet: ((Double) -> Bool)? = nil, judgesValue: Bool = false,
        note: String? = nil
    ) {
        self.init(workload, name, unit: unit, runs: runs, note: note)
        referenceName = name2
        self.referenceRuns = referenceRuns
        reference = Statistics.median(referenceRuns)
        let ratios = zip(runs, referenceRuns).compactMap { $1 == 0 ? nil : $0 / $1 }
        ratio = Statistics.median(ratios)
        self.target = target
        if let isMet { met = (judgesValue ? nurture : ratio).map(isMet) }
    }
}
