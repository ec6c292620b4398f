/// The class ids a multiclass prediction names, with the new classes it would add kept aside until the row
/// is accepted: a rejected row must not grow the model's class list.
struct ClassPlan {
    private let model: Int?
    /// The model's classes, read at the first class name: binary and regression rows never read them.
    private var known: [String: Int]?
    private var count = 0
    private let limit: Int
    /// Classes the row adds, in order of first mention (their ids continue the model's).
    private(set) var added: [String] = []

    /// The plan for model `model` (nil for a model the row would create).
    init(model: Int?, limit: Int) {
        self.model = model
        self.limit = limit
    }

    /// The id of class `name`, provisionally assigning the next one to a new class.
    mutating func id(_ name: String, field: String, in models: [ModelState]) throws(EventError) -> Int {
        if known == nil { load(models) }
        if let id = known?[name] { return id }
        guard count < limit else {
            throw EventError(
                .limitExceeded, field: field,
                "class '\(Engine.clipped(name))' would be class \(count + 1); at most \(limit) classes are kept per model"
            )
        }
        known?[name] = count
        added.append(name)
        count += 1
        return count - 1
    }

    /// Reads the model's class list, empty for a model the row creates.
    private mutating func load(_ models: [ModelState]) {
        guard let model else {
            known = [:]
            return
        }
        known = models[model].classIndex
        count = models[model].classes.count
    }

    /// Adds the new classes to the model, where they get the ids this plan gave them.
    func apply(to model: inout ModelState) {
        for name in added { _ = model.classId(name) }
    }
}
