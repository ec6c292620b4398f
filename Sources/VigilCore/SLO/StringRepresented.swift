/// A value written as one string in JSON and YAML (`">= 0.9"`, `"drift.fare.psi"`), parsed with an
/// error that names the field and what was expected.
public protocol StringRepresented: Codable, CustomStringConvertible {
    init(parsing text: String) throws(SLOError)
}

extension StringRepresented {
    public init(from decoder: any Decoder) throws {
        // The SLOError names the field and says what was expected, which a DecodingError would bury.
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
