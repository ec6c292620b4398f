/// The class ids a multiclass prediction names, with the new classes it would add kept aside until the row
/// is accepted: a rejected row must not grow the model's class list.
struct ClassPlan {
    private var known: [String: Int]
    private var count: Int
    private let limit: Int
    /// Classes the row adds, in order of first mention (their ids continue the model's).
    private(set) var added: [String] = []

    init(_ model: ModelState?, limit: Int) {
        known = model?.classIndex ?? [:]
        count = model?.classes.count ?? 0
        self.limit = limit
    }

    /// The id of class `name`, provisionally assigning the next one to a new class.
    mutating func id(_ name: String, field: String) throws(EventError) -> Int {
        if let id = known[name] { return id }
        guard count < limit else {
            throw EventError(
                .limitExceeded, field: field,
                "class '\(Engine.clipped(name))' would be class \(count + 1); at most \(limit) classes are kept per model"
            )
        }
        known[name] = count
        added.append(name)
        count += 1
        return count - 1
    }

    /// Adds the new classes to the model, where they get the ids this plan gave them.
    func apply(to model: inout ModelState) {
        for name in added { _ = model.classId(name) }
    }
}
