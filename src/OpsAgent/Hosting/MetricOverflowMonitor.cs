using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Metrics;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace OpsAgent.Hosting;

/// <summary>Exports <c>opsagent_metric_series_overflow</c>: how many instruments are dropping series past their limit.</summary>
/// <remarks>
/// The SDK counts nothing when it folds series into <c>otel_metric_overflow="true"</c>; the only evidence is that series.
/// A second reader looks for it in what the SDK collected, once a minute (a scrape is not slowed down), and the journal
/// names each instrument once when it starts overflowing.
/// </remarks>
internal sealed class MetricOverflowMonitor
{
    /// <summary>The attribute the SDK puts on the series that takes what is over the limit.</summary>
    internal const string OverflowAttribute = "otel.metric.overflow";

    /// <summary>How often the collected series are looked at.</summary>
    internal const int CheckIntervalMilliseconds = 60_000;

    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private HashSet<string> _overflowing = new(StringComparer.Ordinal);

    /// <summary>Registers the gauge and creates the reader.</summary>
    public MetricOverflowMonitor(AgentMetrics metrics, ILogger<MetricOverflowMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _logger = logger;
        Reader = new PeriodicExportingMetricReader(new OverflowExporter(this), CheckIntervalMilliseconds);
        metrics.Meter.CreateObservableGauge("opsagent_metric_series_overflow", () =>
        {
            lock (_lock)
            {
                return (long)_overflowing.Count;
            }
        }, description: "Instruments dropping series past their series limit into one overflow series; 0 when every series is exported.");
    }

    /// <summary>The reader the meter provider owns (and disposes).</summary>
    public MetricReader Reader { get; }

    /// <summary>Looks now rather than at the next interval.</summary>
    internal void Check() => Reader.Collect();

    private void Record(HashSet<string> overflowing)
    {
        List<string> started;
        lock (_lock)
        {
            started = [.. overflowing.Except(_overflowing)];
            _overflowing = overflowing;
        }

        foreach (var name in started)
        {
            using (EventScope.Begin(_logger, "metric_series_overflow", ("Metric", name)))
            {
                HostLog.MetricSeriesOverflow(_logger, name);
            }
        }
    }

    private sealed class OverflowExporter(MetricOverflowMonitor owner) : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            var overflowing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var metric in batch)
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    foreach (var tag in point.Tags)
                    {
                        if (tag.Key == OverflowAttribute)
                        {
                            overflowing.Add(metric.Name);
                        }
                    }
                }
            }

            owner.Record(overflowing);
            return ExportResult.Success;
        }
    }
}
