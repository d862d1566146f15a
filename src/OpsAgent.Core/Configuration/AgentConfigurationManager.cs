using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Scheduling;
using OpsAgent.Core.Secrets;
using OpsAgent.Core.Logging;

namespace OpsAgent.Core.Configuration;

/// <summary>Loads, validates and publishes the configuration; the single owner of "the configuration in force".</summary>
/// <remarks>
/// Modelled on YARP's configuration manager: a bad first load fails start-up; a bad reload is rejected whole and the last
/// good configuration stays; reloads never overlap (a request arriving during a reload is coalesced into one more pass).
/// A reload is awaited end to end: validated, published, applied (<see cref="IConfigurationApplier"/>: the scheduler), and
/// only then logged and counted as a success and told to each <see cref="IConfigurationChangeListener"/>.
/// </remarks>
public sealed partial class AgentConfigurationManager : IDisposable
{
    private readonly ConfigurationFiles _files;
    private readonly IReadOnlyList<IAgentSection> _sections;
    private readonly IReadOnlyList<IJobSource> _jobSources;
    private readonly IReadOnlyList<IConfigurationCheck> _checks;
    private readonly AgentMetrics _metrics;
    private readonly SecretRedactor _redactor;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentConfigurationManager> _logger;
    private readonly IServiceProvider _services;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private AgentConfiguration? _current;
    private string? _lastAttemptFingerprint;
    private long _highestGeneration;
    private volatile TaskCompletionSource _settled = Settled();

    /// <summary>Creates the manager; nothing is loaded until <see cref="LoadInitial"/>.</summary>
    public AgentConfigurationManager(ConfigurationFiles files, IEnumerable<IAgentSection> sections, IEnumerable<IJobSource> jobSources, IEnumerable<IConfigurationCheck> checks,
        AgentMetrics metrics, SecretRedactor redactor, TimeProvider time, ILogger<AgentConfigurationManager> logger, IServiceProvider services)
    {
        _services = services;
        _files = files;
        _sections = [.. sections];
        _jobSources = [.. jobSources];
        _checks = [.. checks];
        _metrics = metrics;
        _redactor = redactor;
        _time = time;
        _logger = logger;
    }

    /// <summary>The configuration source.</summary>
    public ConfigurationFiles Files => _files;

    /// <summary>The configuration in force.</summary>
    public AgentConfiguration Current => _current ?? throw new InvalidOperationException("the configuration has not been loaded");

    /// <summary>
    /// The configuration in force once no reload is being applied: a job that fires while the scheduler reconciles waits,
    /// and then runs on the generation that stays (the new one, or the previous one after a rollback).
    /// </summary>
    public async Task<AgentConfiguration> SettledAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var settled = _settled;
            await settled.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var current = Current;
            // A reload that began between the wait and the read may have published a generation it can still roll back.
            if (ReferenceEquals(settled, _settled))
            {
                return current;
            }
        }
    }

    private static TaskCompletionSource Settled()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    /// <summary>The errors of the last rejected load, empty after a success.</summary>
    public IReadOnlyList<ConfigError> LastErrors { get; private set; } = [];

    /// <summary>Loads and validates without publishing anything: the check behind start-up, reload and <c>check-config</c>.</summary>
    /// <param name="unlessFingerprint">When the files still have this fingerprint, stop before parsing and return no configuration and no errors.</param>
    public (AgentConfiguration? Configuration, IReadOnlyList<ConfigError> Errors, string Fingerprint) TryLoad(string? unlessFingerprint = null)
    {
        var errors = new List<ConfigError>();
        var (root, files, fingerprint) = ConfigurationLoader.Build(_files, errors, unlessFingerprint: unlessFingerprint,
            sections: _sections.ToDictionary(s => s.Path, s => s.OptionsType, StringComparer.OrdinalIgnoreCase));
        if (root is null)
        {
            return (null, Redact(errors), fingerprint);
        }

        if (!root.GetSection(OpsAgentOptions.SectionName).GetChildren().Any())
        {
            errors.Add(new ConfigError(OpsAgentOptions.SectionName, $"section missing in {string.Join(", ", files)}"));
        }

        var known = _sections.Select(s => s.Path.Split(':')).Where(p => p.Length == 2)
            .Select(p => p[1]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var sections = new Dictionary<Type, object>();
        var snapshot = ConfigurationSnapshot.Of(root);
        foreach (var section in _sections)
        {
            sections[section.OptionsType] = section.Load(snapshot, errors);
        }

        var bound = new ConfigurationSections(sections);
        foreach (var check in _checks)
        {
            var collected = new ValidationCollector();
            try
            {
                check.Check(bound, collected);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A check never throws by contract; one that does is reported like a failure, never as a crashed load.
                collected.Add(OpsAgentOptions.SectionName, $"{check.GetType().Name}: {ex.GetType().Name}: {ex.Message}");
            }

            errors.AddRange(collected.Failures.Select(AgentSection<OpsAgentOptions>.ParseFailure));
        }

        // Capability sections live beside the foundation keys; the foundation binder reports them as unknown, so drop those.
        errors.RemoveAll(e => e.Message.StartsWith("unknown setting", StringComparison.Ordinal)
            && e.Path.Split(':') is [_, var key] && known.Contains(key));

        AgentConfiguration? configuration = null;
        if (errors.Count == 0)
        {
            // Never a number already used: after a rollback the rejected generation's number stays its own.
            configuration = new AgentConfiguration(Interlocked.Read(ref _highestGeneration) + 1, root, files, sections, _time.GetUtcNow());
            var jobs = new List<AgentJobDefinition>();
            foreach (var source in _jobSources)
            {
                try
                {
                    jobs.AddRange(source.GetJobs(configuration));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    errors.Add(new ConfigError(OpsAgentOptions.SectionName, $"{source.GetType().Name}: {ex.Message}"));
                }
            }

            foreach (var duplicate in jobs.GroupBy(j => j.JobKey).Where(g => g.Count() > 1))
            {
                errors.Add(new ConfigError($"{OpsAgentOptions.SectionName}:{duplicate.Key.Group}:{duplicate.Key.Name}", "defined twice"));
            }

            configuration.Jobs = jobs;
        }

        return errors.Count == 0 ? (configuration, [], fingerprint) : (null, Redact(errors), fingerprint);
    }

    /// <summary>The first load; throws <see cref="ConfigurationInvalidException"/> listing every error.</summary>
    public AgentConfiguration LoadInitial()
    {
        var (configuration, errors, fingerprint) = TryLoad();
        _lastAttemptFingerprint = fingerprint;
        if (configuration is null)
        {
            _metrics.ReloadFailed();
            LastErrors = errors;
            throw new ConfigurationInvalidException(errors);
        }

        Publish(configuration);
        _metrics.ReloadSucceeded();
        LogLoaded(_logger, configuration.Files, configuration.Jobs.Count, configuration.Generation);
        return configuration;
    }

    /// <summary>
    /// Reloads. A file-change trigger whose files are byte-identical to the last attempt is ignored (editors and
    /// <c>cp</c> fire several events); <paramref name="force"/> (SIGHUP) always reloads.
    /// </summary>
    /// <returns>True when a new configuration was published.</returns>
    /// <remarks>
    /// <paramref name="cancellationToken"/> (the caller: a CLI client that goes away, ExecReload's timeout) can cancel the
    /// wait for a reload in progress, not the reload itself: publish, apply, restore and listeners are one unit that only
    /// the agent's own stop (<paramref name="stopping"/>) cuts short, and then the agent stops.
    /// </remarks>
    public async Task<bool> ReloadAsync(string trigger, bool force, CancellationToken cancellationToken, CancellationToken stopping = default)
    {
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Unchanged files are detected before anything is parsed or validated: the poll asks every two seconds.
            var (configuration, errors, fingerprint) = TryLoad(force ? null : _lastAttemptFingerprint);
            if (!force && fingerprint == _lastAttemptFingerprint)
            {
                return false;
            }

            if (configuration is null)
            {
                _lastAttemptFingerprint = fingerprint;
                _metrics.ReloadFailed();
                LastErrors = errors;
                // The first error in the entry itself: the alert mailed from it then says what is wrong, not only that something is.
                var first = errors.Count == 0 ? "-" : $"{errors[0].Path}: {errors[0].Message}";
                LogReloadRejected(_logger, trigger, errors.Count, first.Length > 300 ? first[..300] + "..." : first, Current.Generation);
                foreach (var error in errors)
                {
                    LogConfigError(_logger, error.Path, error.Message);
                }

                return false;
            }

            var stop = stopping.CanBeCanceled ? stopping
                : _services.GetService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
            var applied = await PublishAndApplyAsync(configuration, trigger, stop).ConfigureAwait(false);
            // Only once the outcome is known: a reload cut short by the agent's stop is tried again by the next start.
            _lastAttemptFingerprint = fingerprint;
            return applied;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    private async Task<bool> PublishAndApplyAsync(AgentConfiguration configuration, string trigger, CancellationToken stopping)
    {
        var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _settled = settled;
        try
        {
            var previous = Current;
            Publish(configuration);
            try
            {
                foreach (var applier in _services.GetServices<IConfigurationApplier>())
                {
                    await applier.ApplyAsync(configuration, stopping).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                await RestoreAsync(previous, configuration, trigger, ex, stopping).ConfigureAwait(false);
                return false;
            }

            _metrics.ReloadSucceeded();
            LogReloaded(_logger, trigger, configuration.Jobs.Count, configuration.Generation);
        }
        finally
        {
            // Jobs waiting on the reconcile run now, on whatever generation is in force.
            settled.TrySetResult();
        }

        foreach (var listener in _services.GetServices<IConfigurationChangeListener>())
        {
            try
            {
                await listener.ConfigurationAppliedAsync(configuration, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                LogListenerFailed(_logger, listener.GetType().Name, configuration.Generation, ex);
            }
        }

        return true;
    }

    private void Publish(AgentConfiguration configuration)
    {
        Volatile.Write(ref _current, configuration);
        if (configuration.Generation > Interlocked.Read(ref _highestGeneration))
        {
            Interlocked.Exchange(ref _highestGeneration, configuration.Generation);
        }

        LastErrors = [];
    }

    /// <summary>After <paramref name="rejected"/> could not be applied: <paramref name="previous"/> is in force again, and applied again.</summary>
    private async Task RestoreAsync(AgentConfiguration previous, AgentConfiguration rejected, string trigger, Exception cause, CancellationToken cancellationToken)
    {
        Publish(previous);
        _metrics.ReloadFailed();
        LastErrors = [new ConfigError(OpsAgentOptions.SectionName, _redactor.Redact($"applying the configuration failed ({cause.GetType().Name}: {cause.Message})"))];
        LogApplyFailed(_logger, trigger, rejected.Generation, previous.Generation, cause);
        try
        {
            // A failure half-way may have removed or replaced some of the previous jobs: put them back.
            foreach (var applier in _services.GetServices<IConfigurationApplier>())
            {
                await applier.ApplyAsync(previous, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRestoreFailed(_logger, previous.Generation, ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reloadGate.Dispose();

    private List<ConfigError> Redact(List<ConfigError> errors)
        => errors.ConvertAll(e => new ConfigError(ConfigErrorText.Printable(e.Path, 300), ConfigErrorText.Printable(_redactor.Redact(e.Message), 1000)));

    [LoggerMessage(EventId = EventIds.Configuration.Loaded, Level = LogLevel.Information, Message = "Configuration loaded from {ConfigFiles}: {JobCount} jobs (generation {Generation})")]
    private static partial void LogLoaded(ILogger logger, IReadOnlyList<string> configFiles, int jobCount, long generation);

    [LoggerMessage(EventId = EventIds.Configuration.Reloaded, Level = LogLevel.Information, Message = "Configuration reloaded ({Trigger}): {JobCount} jobs (generation {Generation})")]
    private static partial void LogReloaded(ILogger logger, string trigger, int jobCount, long generation);

    [LoggerMessage(EventId = EventIds.Configuration.ReloadRejected, Level = LogLevel.Error, Message = "Configuration reload ({Trigger}) rejected with {ErrorCount} errors (the first: {FirstError}); generation {Generation} stays in force")]
    private static partial void LogReloadRejected(ILogger logger, string trigger, int errorCount, string firstError, long generation);

    [LoggerMessage(EventId = EventIds.Configuration.ConfigError, Level = LogLevel.Error, Message = "{ConfigPath}: {Problem}")]
    private static partial void LogConfigError(ILogger logger, string configPath, string problem);

    [LoggerMessage(EventId = EventIds.Configuration.ApplyFailed, Level = LogLevel.Error, Message = "Configuration reload ({Trigger}) could not be applied; generation {Rejected} rejected, generation {Generation} stays in force")]
    private static partial void LogApplyFailed(ILogger logger, string trigger, long rejected, long generation, Exception exception);

    [LoggerMessage(EventId = EventIds.Configuration.RestoreFailed, Level = LogLevel.Critical, Message = "Generation {Generation} could not be applied again after a failed reload: some of its jobs may not be scheduled until the next reload or restart")]
    private static partial void LogRestoreFailed(ILogger logger, long generation, Exception exception);

    [LoggerMessage(EventId = EventIds.Configuration.ListenerFailed, Level = LogLevel.Error, Message = "{Listener} failed on configuration generation {Generation}; the configuration stays in force")]
    private static partial void LogListenerFailed(ILogger logger, string listener, long generation, Exception exception);
}
