/// Which pipeline nodes — model versions, training runs, datasets and the runs that wrote them — are most
/// implicated in outputs flagged as bad.
///
/// Every output traces through the lineage of the version that served it. For each node: the share of
/// flagged outputs that trace through it, the share of unflagged outputs that do, and the lift (their ratio).
/// A node every output passes through explains nothing (both shares 1, lift 1); a node only the bad outputs
/// pass through explains them. Nodes are ranked by the excess of the flagged share over the unflagged one;
/// among equals, a node with evidence of breakage (a failed gate, a failed run, a failed assertion) comes
/// first, then the most upstream: a broken input explains the training run that read it, not the other way.
///
/// ```swift
/// let ranked = Blame.rank([
///     .init(version: "v1", flagged: 3, total: 500, nodes: v1Lineage),
///     .init(version: "v2", flagged: 140, total: 500, nodes: v2Lineage),
/// ])
/// ranked[0].node.label   // "run 7f3e… of taxi/build-features"
/// ```
public enum Blame {
    /// One node of a version's lineage.
    public struct Node: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable { case prediction, version, run, dataset }

        /// Unique across kinds: `run:ID`, `dataset:NS/NAME@VERSION`, `version:V`.
        public var id: String
        public var kind: Kind
        public var label: String
        /// 0 for the version, 1 its training run, 2 the datasets it read, 3 the runs that wrote them (−1 for the
        /// prediction a trace starts from).
        public var depth: Int
        /// What on this node looks broken.
        public var evidence: [String]

        public init(id: String, kind: Kind, label: String, depth: Int, evidence: [String] = []) {
            self.id = id
            self.kind = kind
            self.label = label
            self.depth = depth
            self.evidence = evidence
        }
    }

    /// The outputs one version served in the range, how many were flagged, and its lineage.
    public struct Population: Sendable, Hashable {
        public var version: String
        public var flagged: Int64
        public var total: Int64
        public var nodes: [Node]

        public init(version: String, flagged: Int64, total: Int64, nodes: [Node]) {
            self.version = version
            self.flagged = min(flagged, total)
            self.total = total
            self.nodes = nodes
        }
    }

    public struct Ranked: Sendable, Hashable, Codable {
        public var node: Node
        /// Flagged outputs that trace through the node, and their share of all flagged outputs.
        public var flagged: Int64
        public var flaggedShare: Double
        public var unflagged: Int64
        public var unflaggedShare: Double
        /// `flagged_share / unflagged_share`; `nil` when no unflagged output traces through the node.
        public var lift: Double?
        /// `flagged_share − unflagged_share`: the ranking key.
        public var excess: Double
        /// The versions whose outputs pass through the node.
        public var versions: [String]

        enum CodingKeys: String, CodingKey {
            case node, flagged, flaggedShare = "flagged_share", unflagged, unflaggedShare = "unflagged_share", lift
            case excess, versions
        }
    }

    public static func rank(_ populations: [Population]) -> [Ranked] {
        let flaggedTotal = populations.reduce(0) { $0 + $1.flagged }
        let unflaggedTotal = populations.reduce(0) { $0 + $1.total - $1.flagged }
        var nodes: [String: Node] = [:]
        var through: [String: (flagged: Int64, unflagged: Int64, versions: [String])] = [:]
        for p in populations {
            for node in p.nodes {
                if let known = nodes[node.id] {
                    nodes[node.id]?.evidence = Array(Set(known.evidence + node.evidence)).sorted()
                } else {
                    nodes[node.id] = node
                }
                var t = through[node.id] ?? (0, 0, [])
                guard !t.versions.contains(p.version) else { continue }
                t.flagged += p.flagged
                t.unflagged += p.total - p.flagged
                t.versions.append(p.version)
                through[node.id] = t
            }
        }
        let ranked = nodes.values.map { node -> Ranked in
            let t = through[node.id] ?? (0, 0, [])
            let fs = flaggedTotal > 0 ? Double(t.flagged) / Double(flaggedTotal) : 0
            let us = unflaggedTotal > 0 ? Double(t.unflagged) / Double(unflaggedTotal) : 0
            return Ranked(
                node: node, flagged: t.flagged, flaggedShare: fs, unflagged: t.unflagged, unflaggedShare: us,
                lift: us > 0 ? fs / us : nil, excess: fs - us, versions: t.versions.sorted())
        }
        return ranked.sorted(by: rankedBefore)
    }

    /// Larger excess first; then evidence of breakage; then further upstream; then by id, for a stable order.
    static func rankedBefore(_ a: Ranked, _ b: Ranked) -> Bool {
        // Shares are ratios of the same totals: equal counts give exactly equal excesses.
        if a.excess != b.excess { return a.excess > b.excess }
        if a.node.evidence.isEmpty != b.node.evidence.isEmpty { return !a.node.evidence.isEmpty }
        if a.node.depth != b.node.depth { return a.node.depth > b.node.depth }
        return a.node.id < b.node.id
    }
}
