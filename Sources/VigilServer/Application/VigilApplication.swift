import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import VigilCore
import VigilStore

/// The Vigil server: the HTTP API over one engine, its durable log, and the maintenance service.
///
/// ```swift
/// var configuration = ServerConfiguration()
/// configuration.dataDirectory = "/var/lib/vigil"
/// let server = try await VigilServer(configuration)
/// try await server.application.runService()
/// ```
public struct VigilServer: Sendable {
    public let host: EngineHost
    public let pipeline: IngestPipeline
    public let log: any Store
    let documents: ModelDocuments
    let registry: SLORegistry
    let deployments: DeploymentRegistry
    let notifier: AlertNotifier
    let asOf: AsOfReplays
    let cluster: ClusterState
    public let configuration: ServerConfiguration
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    let ready: ReadyAnnouncer

    /// Opens (or creates) the store; recovery runs when the application starts.
    public init(
        _ configuration: ServerConfiguration, logger: Logger = Logger(label: "vigil"),
        clock: @escaping @Sendable () -> Timestamp = VigilServer.systemClock
    ) async throws {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        ready = ReadyAnnouncer(logger: logger)
        log = try await configuration.openStore(logger: logger)
        // On a shared store this node follows until it takes the writer lease (ClusterService).
        cluster = ClusterState(
            id: ClusterState.makeID(port: configuration.port), url: configuration.advertisedURL,
            role: log is any ClusterStore ? .follower : .single)
        host = EngineHost(Engine(configuration: configuration.engine))
        documents = ModelDocuments(log: log)
        if !configuration.slos.isEmpty { try await log.saveSLOs(configuration.slos, at: clock()) }
        registry = try await SLORegistry(log: log)
        deployments = DeploymentRegistry(log: log)
        notifier = AlertNotifier(
            configuration.notifications, log: log, logger: logger, clock: clock,
            delivers: { [cluster] in cluster.writes })
        pipeline = IngestPipeline(host: host, log: log, logger: logger, maxFutureSkew: configuration.maxFutureSkew)
        asOf = AsOfReplays(
            replayer: AsOfReplayer(
                log: log, configuration: configuration.engine, capacity: configuration.asOfCheckpoints),
            logger: logger)
    }

    public static let systemClock: @Sendable () -> Timestamp = {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }

    /// The router with every route and middleware.
    public func router() -> Router<BasicRequestContext> {
        // Every GET route also answers HEAD (probes and link checkers send it).
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ServerTimingMiddleware())
        let methods = RouteMethods()
        router.add(middleware: ErrorMiddleware(routes: methods))
        let sessions = SessionStore()
        router.add(middleware: AuthMiddleware(tokens: configuration.tokens, sessions: sessions))
        router.add(
            middleware: WriteForwarding(
                cluster: cluster, maxBodyBytes: configuration.maxBodyBytes, timeout: configuration.bodyReadTimeout))
        router.add(middleware: ShardFreshness(cluster: cluster))
        ClusterRoutes(cluster: cluster, log: log, window: configuration.leaseTime * 3).register(on: router)
        ShardRoutes(cluster: cluster, host: host, pipeline: pipeline).register(on: router)
        APIRoutes(
            host: host, pipeline: pipeline, log: log, asOf: asOf, configuration: configuration, clock: clock
        )
        .register(on: router)
        ProfileRoutes(host: host, documents: documents, pipeline: pipeline, configuration: configuration, clock: clock)
            .register(on: router)
        SliceRoutes(host: host, clock: clock).register(on: router)
        let models = ModelRoutes(host: host, pipeline: pipeline, documents: documents, clock: clock)
        models.register(on: router)
        SLORoutes(slos: slos, log: log, asOf: asOf, configuration: configuration, clock: clock).register(on: router)
        DeploymentRoutes(host: host, deployments: deployments, log: log, configuration: configuration, clock: clock)
            .register(on: router)
        ComparisonRoutes(host: host, deployments: deployments, clock: clock).register(on: router)
        CanaryRoutes(host: host, deployments: deployments, configuration: configuration, clock: clock)
            .register(on: router)
        ShadowRoutes(host: host, deployments: deployments, clock: clock).register(on: router)
        LineageRoutes(log: log, configuration: configuration, clock: clock).register(on: router)
        GateRoutes(log: log, configuration: configuration, clock: clock).register(on: router)
        TraceRoutes(host: host, log: log, deployments: deployments).register(on: router)
        JobRoutes(log: log, clock: clock).register(on: router)
        FlagRoutes(host: host, log: log, clock: clock).register(on: router)
        BlameRoutes(host: host, log: log, deployments: deployments, clock: clock).register(on: router)
        MetricsExporter(slos: slos, log: log, clock: clock, cluster: cluster).register(on: router)
        let dashboard = DashboardSources(
            slos: slos, log: log, clock: clock, formsNeedToken: configuration.tokens.isEnabled)
        DashboardRoutes(sources: dashboard, deployments: deployments).register(on: router)
        ModelFormRoutes(
            sources: dashboard, models: models, tokens: configuration.tokens, timeout: configuration.bodyReadTimeout
        ).register(on: router)
        SignInRoutes(tokens: configuration.tokens, sessions: sessions, configuration: configuration).register(
            on: router)
        methods.record(router.routes)
        return router
    }

    /// The maintenance service (recovery, snapshots, retention) the application runs beside the HTTP server.
    public var maintenance: some Service {
        MaintenanceService(
            host: host, pipeline: pipeline, log: log, configuration: configuration, logger: logger, clock: clock,
            ready: ready, cluster: cluster)
    }

    var slos: LiveSLOs { LiveSLOs(host: host, registry: registry, documents: documents, log: log) }

    /// The alert loop (SLO evaluation, alert lifecycle, notifications).
    public var alerting: some Service {
        AlertService(
            slos: slos, log: log, notifier: notifier, configuration: configuration, logger: logger, clock: clock,
            cluster: cluster)
    }

    /// The application, ready to `runService()`.
    public func application() -> some ApplicationProtocol {
        let idle = configuration.idleTimeout.components
        var app = Application(
            router: router(),
            server: .http1(
                configuration: .init(
                    idleTimeout: .nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000))),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "vigil", backlog: 4096),
            onServerRunning: { [ready, configuration] channel in
                ready.listening(at: "http://\(configuration.host):\(channel.localAddress?.port ?? configuration.port)")
            },
            logger: logger)
        app.addServices(maintenance, alerting)
        if let shared = log as? any Store & ClusterStore {
            app.addServices(
                ClusterService(
                    cluster: cluster, store: shared, host: host, pipeline: pipeline, registry: registry,
                    documents: documents, leaseTime: configuration.leaseTime,
                    partitioned: configuration.partitionShards, peerSecret: configuration.tokens.peerSecret,
                    shardSnapshots: ShardSnapshotSaver(
                        log, partitioned: configuration.partitionShards, node: cluster.id, clock: clock,
                        logger: logger),
                    logger: logger))
        }
        if let mlflow = configuration.mlflow {
            app.addServices(
                MLflowPoller(
                    configuration: mlflow, sink: RegistryDeploymentSink(registry: deployments, clock: clock),
                    logger: logger))
        }
        return app
    }

    /// Runs the server until SIGTERM or SIGINT, then shuts down gracefully (a final snapshot included). A port
    /// in use is refused at once, before recovery, with a message that says what to do.
    public func run() async throws {
        try ListenCheck.check(host: configuration.host, port: configuration.port)
        try await application().runService()
    }
}
