/// An answer with keys added beside its own: a run with its `gate_checks`, a comparison with its
/// `label_free` part, a drift report with a `note`. A `nil` value is left out, as `encodeIfPresent` does.
struct Annotated<Body: Encodable>: Encodable {
    var body: Body
    var extra: [(key: String, value: (any Encodable)?)]

    init(_ body: Body, _ extra: [(key: String, value: (any Encodable)?)]) {
        self.body = body
        self.extra = extra
    }

    func encode(to encoder: any Encoder) throws {
        try body.encode(to: encoder)
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        for (key, value) in extra {
            if let value { try c.encode(value, forKey: AnyCodingKey(stringValue: key)) }
        }
    }
}

/// A coding key named at run time: keys added to an answer, fields read by name.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
