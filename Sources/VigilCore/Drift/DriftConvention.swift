/// How drift statistics are computed: Vigil's own definitions, or Evidently's, for teams that keep the
/// thresholds of their Evidently reports (see `docs/drift.md`).
///
/// ```json
/// {"convention": "evidently", "columns": {"fare": {"drift": {"statistic": "wasserstein", "threshold": 0.1}}}}
/// ```
public enum DriftConvention: String, Sendable, Hashable, Codable, CaseIterable {
    /// PSI and Jensen–Shannon over the reference's deciles (JS in base 2), Wasserstein in the feature's units,
    /// chi-square as a test of independence.
    case vigil
    /// Evidently 0.7's: PSI and Jensen–Shannon over Sturges equal-width bins of reference and current together
    /// (JS in natural log, PSI with Evidently's floor for empty bins), Wasserstein over the reference's standard
    /// deviation, chi-square as goodness of fit to the reference's proportions; and, for a column without a
    /// drift rule, Evidently's automatic choice of test and threshold.
    case evidently
}
