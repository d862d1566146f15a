using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Scheduling;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Tests.Support;

/// <summary>The <c>OpsAgent:Test</c> section: jobs that exercise the foundation the way capability jobs will.</summary>
public sealed class TestJobsOptions
{
    public Dictionary<string, TestJobOptions> Jobs { get; set; } = [];

    /// <summary>Makes <see cref="ThrowingListener"/> throw when it is told about this configuration.</summary>
    public bool ListenerThrows { get; set; }
}

public sealed class TestJobOptions
{
    public string? Schedule { get; set; }

    public SecretReference? Connection { get; set; }

    /// <summary>Block until the test releases the gate named after the job.</summary>
    public bool Block { get; set; }

    /// <summary>The job's class is not a Quartz job: valid configuration that the scheduler refuses while applying it.</summary>
    public bool Unschedulable { get; set; }
}

public sealed class TestJobsOptionsValidator : IValidateOptions<TestJobsOptions>
{
    public ValidateOptionsResult Validate(string? name, TestJobsOptions options)
    {
        var errors = new ValidationCollector();
        foreach (var (job, o) in options.Jobs)
        {
            var path = $"OpsAgent:Test:Jobs:{job}";
            if (!NameRules.IsValid(job))
            {
                errors.Add(path, NameRules.Rule);
            }

            if (!ScheduleSpec.TryParseCron(o.Schedule, out _, out var error))
            {
                errors.Add($"{path}:Schedule", error!);
            }

            foreach (var e in o.Connection?.Validate($"{path}:Connection") ?? [])
            {
                errors.Add(e);
            }
        }

        return errors.ToResult();
    }
}

public sealed class TestJobSource(TestJobMetrics metrics) : IJobSource
{
    public TestJobMetrics Metrics { get; } = metrics;

    public IEnumerable<AgentJobDefinition> GetJobs(AgentConfiguration configuration)
        => configuration.Get<TestJobsOptions>().Jobs.Select(j =>
            new AgentJobDefinition("test", j.Key, ScheduleSpec.ParseCron(j.Value.Schedule!), j.Value.Unschedulable ? typeof(TestJobsOptions) : typeof(TestJob))
            {
                Description = j.Value.Connection?.Describe(),
            });
}

/// <summary>Gates that blocking test jobs wait on.</summary>
public static class TestJobGates
{
    public static ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();

    public static ConcurrentDictionary<string, TaskCompletionSource> Started { get; } = new();
}

/// <summary>Resolves its connection secret and, like a dump tool that echoes its connection string, fails with it in the message.</summary>
public sealed partial class TestJob(AgentJobServices services, SecretResolver secrets) : AgentJob(services)
{
    protected override async Task<JobOutcome> RunAsync(JobRunContext run, CancellationToken cancellationToken)
    {
        var options = run.Configuration.Get<TestJobsOptions>().Jobs[run.Name];
        TestJobGates.Started.GetOrAdd(run.Name, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (options.Block)
        {
            var gate = TestJobGates.Gates.GetOrAdd(run.Name, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
            await gate.Task.WaitAsync(cancellationToken);
            return JobOutcome.Ok("released");
        }

        if (options.Connection is { } reference)
        {
            var connection = await secrets.ResolveAsync(reference, $"OpsAgent:Test:Jobs:{run.Name}:Connection", cancellationToken);
            LogConnecting(Logger, run.Name, connection);
            throw new InvalidOperationException($"could not connect to {connection}");
        }

        return JobOutcome.Ok();
    }

    [LoggerMessage(EventId = 9000, Level = LogLevel.Warning, Message = "Test job {Job} connecting with {Connection}")]
    private static partial void LogConnecting(ILogger logger, string job, string connection);
}

/// <summary>A per-job gauge read from the status store, as capability metrics are, so removed jobs vanish from /metrics.</summary>
public sealed class TestJobMetrics : IDisposable
{
    private readonly Meter _meter = new("OpsAgent.Tests");

    public TestJobMetrics(JobStatusStore store)
        => _meter.CreateObservableGauge("opsagent_test_job_last_run_timestamp_seconds", () => store.OfKind("test")
            .Select(j => new Measurement<double>(j.LastEnd?.ToUnixTimeMilliseconds() / 1000.0 ?? 0, new KeyValuePair<string, object?>("job", j.Definition.Name))));

    public void Dispose() => _meter.Dispose();
}

/// <summary>A configuration listener that fails when the configuration says so, registered before the host's own.</summary>
public sealed class ThrowingListener : IConfigurationChangeListener
{
    public Task ConfigurationAppliedAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
        => configuration.Get<TestJobsOptions>().ListenerThrows ? throw new InvalidOperationException("the test listener failed on purpose") : Task.CompletedTask;
}

/// <summary>Registered after <see cref="ThrowingListener"/>: records the generations it was told about.</summary>
public sealed class RecordingListener : IConfigurationChangeListener
{
    public ConcurrentQueue<long> Generations { get; } = new();

    public Task ConfigurationAppliedAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
    {
        Generations.Enqueue(configuration.Generation);
        return Task.CompletedTask;
    }
}

public static class TestJobRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.AddAgentSection<TestJobsOptions, TestJobsOptionsValidator>("OpsAgent:Test");
        services.AddJobSource<TestJobSource>();
        services.AddSingleton<TestJobMetrics>();
        services.AddConfigurationListener<ThrowingListener>();
        services.AddConfigurationListener<RecordingListener>();
    }
}
