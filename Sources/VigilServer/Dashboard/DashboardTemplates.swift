import Foundation
import Mustache

/// The dashboard's Mustache templates, read once from the module's resources.
enum DashboardTemplates {
    static let names = [
        "base", "overview", "model", "drift", "slos", "versions", "settings", "pipeline", "trace", "error", "signin",
    ]

    /// Fails loudly at startup rather than on the first page view: a missing template is a packaging bug.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for name in names {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "dashboard"),
                let text = try? String(contentsOf: url, encoding: .utf8)
            else { fatalError("dashboard template '\(name).mustache' is missing from the VigilServer bundle") }
            do {
                try library.register(text, named: name)
            } catch {
                fatalError("dashboard template '\(name).mustache' does not parse: \(error)")
            }
        }
        return library
    }()

    static func render(_ view: Any, _ name: String) -> String {
        library.render(view, withTemplate: name) ?? "template '\(name)' is missing"
    }
}
