import Foundation
import VigilCore

/// What declaring a model sets, read from `PUT /v1/models/{model}`'s JSON body or from the dashboard's form.
///
/// `task` is required; `classes` only for a multiclass model. `owner` and `description` left out (`nil`) keep
/// their stored value; an empty one clears it.
struct ModelDeclaration {
    var task: ModelTask
    var classes: [String]
    var owner: String?
    var description: String?

    static let fields: Set<String> = ["task", "classes", "owner", "description"]
    static let maxOwnerBytes = 256
    static let maxDescriptionBytes = 4096
    static let maxClasses = 256

    /// From a JSON object: unknown fields and nulls are 400s naming the field.
    init(json o: [String: Any]) throws(APIError) {
        try JSONObjectBody.requireKnown(o, Self.fields)
        // Leave a field out to keep its value; null is not a value.
        if let null = o.keys.sorted().first(where: { o[$0] is NSNull }) {
            throw .badRequest("invalid_type", "\(null): null is not allowed; leave the field out to keep its value")
        }
        task = try Self.task(o["task"])
        classes = try Self.classes(o["classes"], task: task)
        owner = try Self.text(o["owner"], "owner", max: Self.maxOwnerBytes)
        description = try Self.text(o["description"], "description", max: Self.maxDescriptionBytes)
    }

    /// From the dashboard's form: every field is text, `classes` one name per line or comma-separated, and an
    /// empty owner or description clears it.
    init(form fields: [String: String]) throws(APIError) {
        task = try Self.task(fields["task"])
        let names = (fields["classes"] ?? "").split(whereSeparator: { $0 == "," || $0.isNewline })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        classes = try Self.classes(names.isEmpty ? nil : names, task: task)
        owner = try Self.text(fields["owner"] ?? "", "owner", max: Self.maxOwnerBytes)
        description = try Self.text(fields["description"] ?? "", "description", max: Self.maxDescriptionBytes)
    }

    private static func task(_ value: Any?) throws(APIError) -> ModelTask {
        let text = try OpenLineageBody.name(value, "task", max: 16)
        guard let task = ModelTask(rawValue: text) else {
            throw .badRequest("invalid_value", "task: '\(text.prefix(16))' is not one of binary, multiclass, regression")
        }
        return task
    }

    /// A multiclass model's class names, in order; other tasks take none.
    static func classes(_ value: Any?, task: ModelTask) throws(APIError) -> [String] {
        guard let value, !(value is NSNull) else { return [] }
        guard task == .multiclass else { throw .badRequest("invalid_field", "classes: only a multiclass model has classes") }
        guard let list = value as? [Any], list.count <= maxClasses else {
            throw .badRequest("invalid_type", "classes: expected an array of at most \(maxClasses) class names")
        }
        var names: [String] = []
        for (i, item) in list.enumerated() {
            let name = try OpenLineageBody.name(item, "classes[\(i)]", max: 256)
            guard !names.contains(name) else { throw .badRequest("invalid_value", "classes[\(i)]: '\(name.prefix(64))' is listed twice") }
            names.append(name)
        }
        return names
    }

    /// A free-text field within its limit (a 400 past it, rather than silently cut).
    private static func text(_ value: Any?, _ field: String, max: Int) throws(APIError) -> String? {
        guard let s = try OpenLineageBody.optionalString(value, field) else { return nil }
        guard s.utf8.count <= max else { throw .badRequest("too_long", "\(field): \(s.utf8.count) bytes; at most \(max)") }
        return s
    }
}
