import Foundation
import VigilCore

/// What every dashboard page shows around its content: the tabs, the time-range selector and the range line.
struct PageFrame {
    struct Tab {
        var href: String
        var label: String
        var active: Bool
    }

    struct Option {
        var value: String
        var selected: Bool
    }

    struct Hidden {
        var name: String
        var value: String
    }

    var title: String
    var model: String?
    var tabs: [Tab]
    var path: String
    var ranges: [Option]
    var to: String?
    var hidden: [Hidden]
    var fromISO: String
    var toISO: String
    var rangeText: String
    var note: String?
    var earlier: String
    var later: String
    var latest: String
    var serverTime: String

    enum Page {
        case overview, model, drift, slos, versions, settings, pipeline
    }

    /// - Parameters:
    ///   - keep: the page's own parameters (metric, version…), carried by the selector and the arrows.
    init(
        title: String, model: String?, page: Page, path: String, range: DashboardRange, latestEvent: Timestamp?,
        keep: [(String, String)] = [], now: Timestamp
    ) {
        self.title = title
        self.model = model
        if let model {
            let base = "/models/\(DashboardLinks.escape(model))"
            let q = range.query()
            tabs = [
                Tab(href: "/?\(q)", label: "Overview", active: false),
                Tab(href: "\(base)?\(q)", label: "Performance", active: page == .model),
                Tab(href: "\(base)/drift?\(q)", label: "Drift & quality", active: page == .drift),
                Tab(href: "\(base)/slos?\(q)", label: "SLOs & alerts", active: page == .slos),
                Tab(href: "\(base)/versions?\(q)", label: "Versions", active: page == .versions),
                Tab(href: "\(base)/settings?\(q)", label: "Settings", active: page == .settings),
                Tab(href: "/pipeline?\(q)", label: "Pipeline", active: false),
            ]
        } else {
            tabs = [
                Tab(href: "/?\(range.query())", label: "Overview", active: page == .overview),
                Tab(href: "/pipeline?\(range.query())", label: "Pipeline", active: page == .pipeline),
            ]
        }
        self.path = path
        let length = range.length.windowText
        ranges = (DashboardRange.lengths.contains(length) ? DashboardRange.lengths : DashboardRange.lengths + [length])
            .map { Option(value: $0, selected: $0 == length) }
        to = range.isPinned ? range.to.iso8601 : nil
        hidden = keep.map { Hidden(name: $0.0, value: $0.1) }
        fromISO = range.from.iso8601
        toISO = range.to.iso8601
        rangeText =
            "\(range.span) (\(length), step \(range.step.windowText))"
        if !range.isPinned, range.to != now, let latestEvent {
            note =
                "No events in the last \(length): showing the \(length) up to the latest event, \(TimeLabel.full(latestEvent))."
        }
        let extra = keep.map { "&\($0.0)=\(DashboardLinks.escape($0.1))" }.joined()
        earlier = "\(path)?range=\(length)&to=\(range.from.iso8601)\(extra)"
        later = "\(path)?range=\(length)&to=\((range.to + range.length).iso8601)\(extra)"
        self.latest = "\(path)?range=\(length)\(extra)"
        serverTime = TimeLabel.full(now)
    }
}

/// URL pieces for links between pages.
enum DashboardLinks {
    /// Percent-encodes a path segment or query value.
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? text
    }
}

extension CharacterSet {
    /// Unreserved characters (RFC 3986): everything else is encoded in a query value or path segment.
    static let urlQueryValueAllowed = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
