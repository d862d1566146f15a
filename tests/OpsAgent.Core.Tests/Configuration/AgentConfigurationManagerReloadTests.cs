using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Tests.Configuration;

/// <summary>Reloads that a caller abandons or an applier rejects: never half-applied, generations never reused.</summary>
public sealed class AgentConfigurationManagerReloadTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("opsagent-reload-");

    [TearDown]
    public void TearDown() => _dir.Delete(recursive: true);

    private string MainFile => Path.Combine(_dir.FullName, "appsettings.json");

    private void Write(string stateDirectory) => File.WriteAllText(MainFile, $$"""{ "OpsAgent": { "TimeZone": "UTC", "StateDirectory": "{{stateDirectory}}" } }""");

    /// <summary>Applies after <see cref="Release"/>; fails a generation listed in <see cref="Refuse"/>.</summary>
    private sealed class GatedApplier : IConfigurationApplier
    {
        public TaskCompletionSource Entered { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; set; } = Done();

        public HashSet<long> Refuse { get; } = [];

        public List<long> Applied { get; } = [];

        public static TaskCompletionSource Done()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }

        public async Task ApplyAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            if (Refuse.Contains(configuration.Generation))
            {
                throw new InvalidOperationException($"generation {configuration.Generation} refused");
            }

            Applied.Add(configuration.Generation);
        }
    }

    private sealed class RecordingListener : IConfigurationChangeListener
    {
        public List<long> Told { get; } = [];

        public Task ConfigurationAppliedAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
        {
            Told.Add(configuration.Generation);
            return Task.CompletedTask;
        }
    }

    private (AgentConfigurationManager Manager, GatedApplier Applier, RecordingListener Listener) Build()
    {
        var applier = new GatedApplier();
        var listener = new RecordingListener();
        var services = new ServiceCollection().AddLogging().AddAgentConfiguration(new ConfigurationFiles(MainFile))
            .AddSingleton<IConfigurationApplier>(applier).AddSingleton<IConfigurationChangeListener>(listener);
        return (services.BuildServiceProvider().GetRequiredService<AgentConfigurationManager>(), applier, listener);
    }

    [Test]
    public async Task ReloadAsync_CallerGoesAwayWhileApplying_ApplyFinishesAndListenersAreTold()
    {
        Write("/var/lib/opsagent-a");
        var (manager, applier, listener) = Build();
        manager.LoadInitial();
        Write("/var/lib/opsagent-b");
        applier.Release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new CancellationTokenSource();

        var reload = manager.ReloadAsync("opsagent reload", force: true, client.Token);
        await applier.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await client.CancelAsync(); // the opsagent reload client is killed (Ctrl-C, ExecReload's timeout)
        applier.Release.SetResult();
        var published = await reload.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(published, Is.True, "the reload completes as one unit");
        Assert.That(applier.Applied, Is.EqualTo(new[] { 2L }), "the scheduler reconciled generation 2 to the end");
        Assert.That(listener.Told, Is.EqualTo(new[] { 2L }), "listeners told");
        Assert.That(manager.Current.Generation, Is.EqualTo(2));
        Assert.That(manager.Current.Agent.StateDirectory, Is.EqualTo("/var/lib/opsagent-b"));
    }

    [Test]
    public async Task ReloadAsync_ApplyFailsThenNextSucceeds_GenerationNumberNotReused()
    {
        Write("/var/lib/opsagent-a");
        var (manager, applier, _) = Build();
        manager.LoadInitial();
        applier.Refuse.Add(2);
        Write("/var/lib/opsagent-b");
        Assert.That(await manager.ReloadAsync("test", force: true, CancellationToken.None), Is.False);
        Assert.That(manager.Current.Generation, Is.EqualTo(1), "rolled back");

        Write("/var/lib/opsagent-c");
        Assert.That(await manager.ReloadAsync("test", force: true, CancellationToken.None), Is.True);

        // Generation 2 is the rejected one in the journal; the next accepted configuration must not carry its number.
        Assert.That(manager.Current.Generation, Is.EqualTo(3));
        Assert.That(manager.Current.Agent.StateDirectory, Is.EqualTo("/var/lib/opsagent-c"));
    }

    [Test]
    public async Task SettledAsync_JobFiresDuringARolledBackReconcile_RunsOnTheGenerationThatStays()
    {
        Write("/var/lib/opsagent-a");
        var (manager, applier, _) = Build();
        manager.LoadInitial();
        applier.Refuse.Add(2);
        applier.Release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Write("/var/lib/opsagent-b");

        var reload = manager.ReloadAsync("test", force: true, CancellationToken.None);
        await applier.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var job = manager.SettledAsync(CancellationToken.None); // a job fires while the scheduler reconciles
        Assert.That(job.IsCompleted, Is.False, "the job waits for the reconcile");
        applier.Release.SetResult();
        await reload.WaitAsync(TimeSpan.FromSeconds(20));
        var configuration = await job.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(configuration.Generation, Is.EqualTo(1), "generation 2 was rolled back: the job runs on generation 1");
        Assert.That(configuration.Agent.StateDirectory, Is.EqualTo("/var/lib/opsagent-a"));
    }
}
