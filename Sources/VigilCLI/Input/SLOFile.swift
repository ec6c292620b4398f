import Foundation
import VigilCore
import VigilServer
import Yams

/// An SLO file for `vigil serve --slos` and `vigil slo validate`: YAML (or JSON, which is YAML) holding
/// `slos:` — a list of definitions, each with a `name` — or the list itself.
///
/// ```yaml
/// slos:
///   - name: taxi-accuracy
///     model: taxi-tip
///     sli: accuracy
///     objective: ">= 0.70"     # quoted: a leading '>' starts a folded block in YAML
///     window: 7d
///     min_samples: 200
/// ```
enum SLOFile {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func load(_ path: String) throws -> [SLODefinition] {
        let text: String
        guard FileManager.default.fileExists(atPath: path) else {
            throw Problem(description: "SLO file \(path) does not exist (see examples/slos.yaml for the format)")
        }
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Problem(
                description:
                    "cannot read SLO file \(path): it is not readable UTF-8 text (\(error.localizedDescription))")
        }
        return try parse(text, source: path)
    }

    static func parse(_ text: String, source: String) throws -> [SLODefinition] {
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            let unquoted = text.split(separator: "\n").contains {
                $0.range(of: #"objective:\s*[<>]"#, options: .regularExpression) != nil
            }
            let hint = unquoted ? " (quote objectives: objective: \">= 0.9\"; a bare '>' starts a YAML block)" : ""
            throw Problem(description: "\(source): not valid YAML\(hint): \(error)")
        }
        let list: [Any]
        switch document {
        case let d as [String: Any]:
            guard let slos = d["slos"] as? [Any], d.count == 1 else {
                throw Problem(description: "\(source): expected a top-level 'slos:' list and nothing else")
            }
            list = slos
        case let l as [Any]: list = l
        default: throw Problem(description: "\(source): expected a top-level 'slos:' list")
        }
        var seen: Set<String> = []
        return try list.enumerated().map { i, item in
            guard let object = item as? [String: Any] else {
                throw Problem(description: "\(source): slos[\(i)] is not a mapping of fields")
            }
            guard let name = object["name"] as? String else {
                throw Problem(description: "\(source): slos[\(i)] has no 'name'")
            }
            guard seen.insert(name).inserted else {
                throw Problem(description: "\(source): slos[\(i)]: the name '\(name)' is used twice")
            }
            do throws(APIError) {
                return try SLOBody.decode(object: jsonSafe(object) as! [String: Any], name: name)
            } catch {
                throw Problem(description: "\(source): slos[\(i)] (\(name)): \(error.message)")
            }
        }
    }

    /// YAML scalars JSON cannot hold (dates) become strings.
    private static func jsonSafe(_ value: Any) -> Any {
        switch value {
        case let d as [String: Any]: return d.mapValues(jsonSafe)
        case let l as [Any]: return l.map(jsonSafe)
        case let date as Date: return ISO8601DateFormatter().string(from: date)
        default: return value
        }
    }
}
