import HTTPTypes
import VigilCore

extension APIError {
    /// A decoding failure as a user reads it: the path of the field and what was wrong.
    static func describeDecoding(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c),
            DecodingError.dataCorrupted(let c):
            return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case DecodingError.keyNotFound(let key, let c):
            return "\((c.codingPath + [key]).map(\.stringValue).joined(separator: ".")): missing"
        case let e as SLOError:
            return e.field.map { "\($0): \(e.message)" } ?? e.message
        default: return "\(error)"
        }
    }
}

extension SLOError {
    /// The HTTP form: a 400 whose code says what kind of field was wrong.
    var api: APIError {
        APIError(
            .badRequest, code.rawValue, field.map { "\($0): \(message)" } ?? message,
            details: [RowRejection(index: 0, field: field ?? "", code: code.rawValue, message: message)])
    }
}
