using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTelemetry.Metrics;
using OpsAgent.Backups;
using OpsAgent.Certificates;
using OpsAgent.Health;
using OpsAgent.Notifications;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Scheduling;
using OpsAgent.Core.Secrets;
using OpsAgent.Core.Status;
using OpsAgent.Journald;
using Serilog;
using Serilog.Core;
using ILogger = Microsoft.Extensions.Logging.ILogger;
using Serilog.Events;
using OpsAgent.Core.Logging;

namespace OpsAgent.Hosting;

/// <summary>The composition root: builds the daemon's host from a configuration path.</summary>
/// <remarks>
/// Logging and the listen address are needed before the container exists, so the foundation section is read once
/// up front (leniently); the authoritative, validated load happens through <see cref="AgentConfigurationManager"/>
/// before anything starts, and a failure there stops start-up with every error.
/// </remarks>
internal static class AgentHost
{
    /// <summary>Registers the capabilities (backups, probes, certificates) into the container and the configuration.</summary>
    public static void AddCapabilities(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddBackups();
        services.AddCertificates();
        services.AddProbes();
        services.AddNotifications();
    }

    /// <summary>The agent's Serilog logger: journald (or the console fallback), secrets redacted.</summary>
    internal static Serilog.Core.Logger CreateLogger(OpsAgentOptions bootstrap, AgentLogLevels levels, AgentEventTap? tap = null)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.ControlledBy(levels.Root)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.With(new EntryIdEnricher())
            .WriteTo.Sink(new JournaldSink(new JournaldSinkOptions
            {
                SocketPath = bootstrap.Logging.Journald.SocketPath,
                Redact = SecretRedactor.Shared.Redact,
                Fallback = new ConsoleFallbackSink(redact: SecretRedactor.Shared.Redact),
            }), levelSwitch: levels.Journal);
        if (tap is not null)
        {
            configuration.WriteTo.Sink(tap);
        }

        return configuration.CreateLogger();
    }

    /// <summary>The largest request body Kestrel accepts; no endpoint reads one.</summary>
    internal const long MaxRequestBodyBytes = 4096;

    /// <summary>The Prometheus text exposition format, the only one <c>/metrics</c> answers in.</summary>
    private const string PrometheusTextFormat = "text/plain; version=0.0.4";

    /// <summary>Builds the host; throws <see cref="ConfigurationInvalidException"/> when the configuration is invalid.</summary>
    /// <param name="configPath">The <c>--config</c> value, or null for the default.</param>
    /// <param name="configureServices">Extra registrations (tests add job sources here).</param>
    public static WebApplication Build(string? configPath, Action<IServiceCollection>? configureServices = null)
    {
        var files = ConfigurationFiles.Resolve(configPath);
        var bootstrap = ConfigurationLoader.ReadFoundationLeniently(files);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // The agent's own configuration stack is managed by AgentConfigurationManager; keep the web host's empty so
        // appsettings.json is not loaded (and watched) twice.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Host.UseSystemd();
        builder.Host.UseWindowsService(o => o.ServiceName = "OpsAgent");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var levels = new AgentLogLevels(ParseLevel(bootstrap.Logging.Level));
        var redactor = SecretRedactor.Shared;
        var tap = new AgentEventTap(redactor);
        builder.Services.AddSerilog(CreateLogger(bootstrap, levels, tap), dispose: true);
        builder.Services.AddSingleton(levels);
        builder.WebHost.UseUrls(bootstrap.Http.Listen);
        // No endpoint takes a body: a client that sends one must not make the agent read megabytes.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        builder.Services.AddAgentConfiguration(files);
        AddCapabilities(builder.Services);
        configureServices?.Invoke(builder.Services);
        builder.Services.AddAgentRuntime();
        builder.Services.AddSingleton<StateDirectoryCheck>();
        builder.Services.AddSingleton<Core.Notifications.IAgentHealth, AgentHealth>();
        builder.Services.AddSingleton<IConfigurationChangeListener>(sp => new HostSettingsListener(levels, sp.GetRequiredService<StateDirectoryCheck>(),
            bootstrap.Http.Listen, sp.GetRequiredService<ILogger<HostSettingsListener>>()));
        builder.Services.AddSingleton<Control.ControlVerbRunner>();
        builder.Services.AddHostedService<Control.ControlServer>();
        builder.Services.AddSingleton<MetricOverflowMonitor>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(AgentMetrics.MeterName, AgentMetrics.MeterName + ".*")
            .ConfigureCardinality()
            .AddReader(services => services.GetRequiredService<MetricOverflowMonitor>().Reader)
            .AddPrometheusExporter(o =>
            {
                // The names in docs/metrics.md are the contract: no otel_scope_* labels, no target_info series.
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
                o.ScrapeResponseCacheDurationMilliseconds = 0;
            }));

        var app = builder.Build();
        tap.Attach(app.Services.GetRequiredService<Core.Events.AgentEventHub>());
        var manager = app.Services.GetRequiredService<AgentConfigurationManager>();
        manager.LoadInitial();

        // The exporter answers any method; only GET and HEAD are scrapes, others get 405 from routing.
        // Prometheus asks for OpenMetrics first, and the exporter then adds a *_created series per counter (no option
        // turns it off), which Prometheus 2.x stores as one more series each. Its text format has none and carries
        // everything the agent exports (no exemplars are recorded), so the scrape is always answered in it.
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use((context, next) =>
        {
            context.Request.Headers.Accept = PrometheusTextFormat;
            return next(context);
        }), optionsName: null).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        app.MapGet("/healthz", (Core.Notifications.IAgentHealth health) =>
        {
            var text = health.Problem() ?? "";
            return text.Length == 0
                ? Results.Text("ok\n", "text/plain")
                : Results.Text(text + "\n", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/status", async (StatusReporter reporter, CancellationToken ct) =>
        {
            var report = await reporter.BuildAsync(ct).ConfigureAwait(false);
            var json = JsonSerializer.Serialize(report, StatusJsonContext.Default.StatusReport);
            return Results.Text(redactor.Redact(json), "application/json");
        });
        return app;
    }

    /// <summary>Starts the host and tells systemd it is ready once the scheduler runs and the endpoint listens.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.GetRequiredService<StateDirectoryCheck>().Check(app.Services.GetRequiredService<AgentConfigurationManager>().Current.Agent.StateDirectory);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var notifier = app.Services.GetRequiredService<Core.Systemd.SystemdNotifier>();
        var status = await app.Services.GetRequiredService<StatusLine>().BuildAsync(cancellationToken).ConfigureAwait(false);
        notifier.Ready(status);
        var addresses = ListenAddresses(app);
        HostLog.Started(app.Logger, AgentMetrics.Version, addresses, status);
    }

    /// <summary>The addresses Kestrel actually bound (port 0 resolved).</summary>
    public static IReadOnlyList<string> ListenAddresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
    }

    internal static LogEventLevel ParseLevel(string? level)
        => Enum.TryParse<LogEventLevel>(level, ignoreCase: true, out var parsed) ? parsed : LogEventLevel.Information;
}

/// <summary>Host-level log messages.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = EventIds.Host.Started, Level = LogLevel.Information, Message = "OpsAgent {Version} started; listening on {Listen}; {Status}")]
    public static partial void Started(ILogger logger, string version, IReadOnlyList<string> listen, string status);

    [LoggerMessage(EventId = EventIds.Host.ListenNeedsRestart, Level = LogLevel.Warning, Message = "Http:Listen changed from {OldListen} to {Listen}; the endpoint moves at the next restart")]
    public static partial void ListenNeedsRestart(ILogger logger, string oldListen, string listen);

    [LoggerMessage(EventId = EventIds.Host.StateUnwritable, Level = LogLevel.Error, Message = "State directory {Path} ({ConfigPath}) {Problem}; backups are refused (state_unwritable) and pauses, incidents and renewal attempts cannot be kept")]
    public static partial void StateUnwritable(ILogger logger, string path, string configPath, string problem);

    [LoggerMessage(EventId = EventIds.Host.StateWritableAgain, Level = LogLevel.Information, Message = "State directory {Path} is writable again")]
    public static partial void StateWritableAgain(ILogger logger, string path);

    [LoggerMessage(EventId = EventIds.Metrics.SeriesOverflow, Level = LogLevel.Error, Message = "Metric {Metric} has more series than its limit: the rest are merged into one otel_metric_overflow=\"true\" series and lost from /metrics; the limit is sized from the configuration at start, so restart the agent")]
    public static partial void MetricSeriesOverflow(ILogger logger, string metric);
}
