using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core.Events;
using OpsAgent.Core.Scheduling;
using Quartz;

namespace OpsAgent.Core.Tests.Events;

public sealed class AgentEventHubTests
{
    private sealed class Recording : IAgentEventListener
    {
        public List<AgentEvent> Events { get; } = [];

        public void OnEvent(AgentEvent agentEvent) => Events.Add(agentEvent);
    }

    private sealed class Throwing : IAgentEventListener
    {
        public void OnEvent(AgentEvent agentEvent) => throw new InvalidOperationException("listener bug");
    }

    /// <summary>A listener that publishes from inside its own call, as one that logged would.</summary>
    private sealed class Echoing(Func<AgentEventHub> hub) : IAgentEventListener
    {
        public int Calls { get; private set; }

        public void OnEvent(AgentEvent agentEvent)
        {
            Calls++;
            hub().Publish(agentEvent with { Name = "echo" });
        }
    }

    private static AgentEvent Event(string name) => new(name, 0, AgentEventLevel.Information, name, DateTimeOffset.UnixEpoch, new Dictionary<string, string>());

    [Test]
    public void Publish_OneListenerThrows_TheOthersAreStillToldAndThePublisherIsNot()
    {
        var recording = new Recording();
        using var services = new ServiceCollection()
            .AddSingleton<IAgentEventListener, Throwing>()
            .AddSingleton<IAgentEventListener>(recording)
            .BuildServiceProvider();
        var hub = new AgentEventHub(services);

        Assert.DoesNotThrow(() => hub.Publish(Event("backup_failed")));
        Assert.Multiple(() =>
        {
            Assert.That(recording.Events.Select(e => e.Name), Is.EqualTo(new[] { "backup_failed" }));
            Assert.That(hub.ListenerFailures, Is.EqualTo(1));
        });
    }

    [Test]
    public void Publish_FromInsideAListener_DroppedSoNothingLoops()
    {
        AgentEventHub? hub = null;
        var echoing = new Echoing(() => hub!);
        using var services = new ServiceCollection().AddSingleton<IAgentEventListener>(echoing).BuildServiceProvider();
        hub = new AgentEventHub(services);

        hub.Publish(Event("probe_failing"));

        Assert.That(echoing.Calls, Is.EqualTo(1));
    }

    [Test]
    public void JobStatusStore_RunStartedAndFinished_PublishedWithOneRunIdAndTheResult()
    {
        var recording = new Recording();
        using var services = new ServiceCollection().AddSingleton<IAgentEventListener>(recording).BuildServiceProvider();
        var store = new JobStatusStore([], new AgentEventHub(services));
        var key = new JobKey("sims-db", "backup");
        store.Upsert(new AgentJobDefinition("backup", "sims-db", ScheduleSpec.ParseCron("0 2 * * *"), typeof(object)));
        var start = new DateTimeOffset(2026, 12, 3, 2, 0, 0, TimeSpan.Zero);

        store.Started(key, start);
        store.Finished(key, JobOutcome.Fail("tool_failed", "pg_dump exited 1"), start.AddSeconds(42));

        Assert.That(recording.Events, Has.Count.EqualTo(2));
        var (started, finished) = (recording.Events[0], recording.Events[1]);
        Assert.Multiple(() =>
        {
            Assert.That(started.Name, Is.EqualTo(AgentEventNames.RunStarted));
            Assert.That(finished.Name, Is.EqualTo(AgentEventNames.RunFinished));
            Assert.That(Guid.TryParse(started.Field("RunId"), out _), Is.True);
            Assert.That(finished.Field("RunId"), Is.EqualTo(started.Field("RunId")));
            Assert.That(finished.Field("Result"), Is.EqualTo("failure"));
            Assert.That(finished.Field("Reason"), Is.EqualTo("tool_failed"));
            Assert.That(finished.Field("DurationSeconds"), Is.EqualTo("42.0"));
            Assert.That(finished.Message, Is.EqualTo("pg_dump exited 1"));
        });
    }
}
