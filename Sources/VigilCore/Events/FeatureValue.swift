/// One feature's value in a prediction: a number, a string, or missing.
public enum FeatureValue: Hashable, Sendable, Codable {
    case number(Double)
    case string(String)
    case null
}
