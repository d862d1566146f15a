using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Events;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Metrics;
using OpsAgent.Notifications;
using OpsAgent.Notifications.Delivery;
using OpsAgent.Notifications.Outbox;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Notifications;

/// <summary>
/// The outbox, retries, fail-over and the alert rules on a fake clock, delivering over real HTTP to local receivers:
/// minutes of outage and a day of reminders pass in a moment, and nothing sleeps.
/// </summary>
[NonParallelizable]
public sealed class NotificationServiceTests
{
    private DirectoryInfo _dir = null!;
    private FakeTimeProvider _time = null!;
    private readonly List<ServiceProvider> _providers = [];

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-notify-");
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 1, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void TearDown()
    {
        _providers.ForEach(p => p.Dispose());
        _providers.Clear();
        _dir.Delete(recursive: true);
    }

    private string State => Path.Combine(_dir.FullName, "state");

    /// <summary>A service as the daemon builds it, over <paramref name="notifications"/> and <paramref name="alerting"/>, on the fake clock.</summary>
    private NotificationService Service(string notifications, string alerting, string timeZone = "UTC")
    {
        var config = Path.Combine(_dir.FullName, "appsettings.json");
        File.WriteAllText(config, $$"""
            { "OpsAgent": { "TimeZone": "{{timeZone}}", "StateDirectory": "{{State}}",
              "Notifications": { {{notifications}} }, "Alerting": { {{alerting}} } } }
            """);
        var provider = OpsAgent.Cli.CliServices.Load(config, TextWriter.Null, out _) ?? throw new AssertionException("the configuration did not load");
        _providers.Add(provider);
        var manager = provider.GetRequiredService<AgentConfigurationManager>();
        var outbox = provider.GetRequiredService<NotificationOutbox>();
        return new NotificationService(manager, outbox, provider.GetRequiredService<NotificationSender>(),
            new NotificationMetrics(provider.GetRequiredService<AgentMetrics>(), manager), _time, NullLogger<NotificationService>.Instance);
    }

    private static string Hook(string name, string url) => $$"""
        "{{name}}": { "Type": "webhook", "Url": "{{url}}/hook", "Timeout": "00:00:05" }
        """;

    private AgentEvent Event(int id, string name, string probe, string reason = "connection_refused") => new(name, id,
        id == EventIds.Probes.Failing ? AgentEventLevel.Error : AgentEventLevel.Information, $"Probe {probe}: {name} ({reason})", _time.GetUtcNow(),
        new Dictionary<string, string> { ["Probe"] = probe, ["Reason"] = reason, [AgentEventNames.EntryIdField] = $"entry-{probe}-{id}" });

    private static async Task StepAsync(NotificationService service)
    {
        service.Step(CancellationToken.None);
        await service.InFlightAsync();
    }

    private static List<string> Subjects(HttpRecorder receiver)
        => [.. receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("subject").GetString() ?? "")];

    private int Queued(string channel) => NotificationOutbox.Lengths(State).GetValueOrDefault(Queues.Channel(channel));

    [Test]
    public async Task Outbox_ReceiverDownTenMinutesAndTheAgentRestarted_QueuedThenDeliveredInOrder()
    {
        var port = HttpRecorder.FreePort();
        var first = Service(Hook("hook", $"http://127.0.0.1:{port}"), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:00\", \"RepeatEvery\": \"00:00:00\"");
        foreach (var probe in new[] { "alpha", "bravo", "charlie" })
        {
            first.Route(Event(EventIds.Probes.Failing, "probe_failing", probe));
            await StepAsync(first);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(10); elapsed += TimeSpan.FromSeconds(30))
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            await StepAsync(first);
        }

        Assert.That(Queued("hook"), Is.EqualTo(3), "nothing lost while the receiver is down");

        // The agent restarts (a new service over the same state directory), then the receiver comes back.
        var second = Service(Hook("hook", $"http://127.0.0.1:{port}"), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:00\", \"RepeatEvery\": \"00:00:00\"");
        using var receiver = HttpRecorder.Start(port);
        for (var i = 0; i < 10 && receiver.Requests.Count < 3; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(5));
            await StepAsync(second);
        }

        var host = Environment.MachineName;
        Assert.Multiple(() =>
        {
            Assert.That(Subjects(receiver), Is.EqualTo(new[]
            {
                $"[opsagent {host}] CRITICAL probe alpha is failing (connection_refused)",
                $"[opsagent {host}] CRITICAL probe bravo is failing (connection_refused)",
                $"[opsagent {host}] CRITICAL probe charlie is failing (connection_refused)",
            }), "each delivered once, in the order queued");
            Assert.That(Queued("hook"), Is.Zero);
        });

        // The restarted agent knows these problems are open and told: the same failure again is no news.
        second.Route(Event(EventIds.Probes.Failing, "probe_failing", "alpha"));
        _time.Advance(TimeSpan.FromMinutes(1));
        await StepAsync(second);
        Assert.That(receiver.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Alerts_AgentKilledInsideTheCollapseWindow_TheBurstIsToldOnceAfterTheRestart()
    {
        // A backup fails, then the operator restarts the agent (a drop-in, an upgrade) before the 10 s burst window is over.
        using var receiver = HttpRecorder.Start();
        const string Alerting = "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:10\"";
        var first = Service(Hook("hook", receiver.Url), Alerting);
        first.Route(Event(EventIds.Probes.Failing, "probe_failing", "alpha"));
        first.Route(Event(EventIds.Probes.Failing, "probe_failing", "bravo"));
        _time.Advance(TimeSpan.FromSeconds(3));
        await StepAsync(first);
        Assert.That(receiver.Requests, Is.Empty, "still collapsing");

        // kill -9: the first service is never stepped again; a new one starts over the same state directory.
        var second = Service(Hook("hook", receiver.Url), Alerting);
        await StepAsync(second);
        _time.Advance(TimeSpan.FromSeconds(30));
        await StepAsync(second);
        await StepAsync(second);

        Assert.That(Subjects(receiver), Is.EqualTo(new[] { $"[opsagent {Environment.MachineName}] CRITICAL probe alpha is failing (connection_refused) (+1 more: 2 critical)" }), "told once, after the restart, not lost");
    }

    [Test]
    public async Task Delivery_ReceiverAnswers500_RetriedWithBackoffThenHandedToTheNextChannel()
    {
        using var broken = HttpRecorder.Start();
        broken.Mode = HttpRecorder.Answer.ServerError;
        using var spare = HttpRecorder.Start();
        var service = Service($"{Hook("first", broken.Url)}, {Hook("second", spare.Url)}",
            "\"Channels\": [ \"first\", \"second\" ], \"Collapse\": \"00:00:00\", \"FailoverAfter\": 3");
        service.Route(Event(EventIds.Probes.Failing, "probe_failing", "alpha"));
        await StepAsync(service);
        Assert.That(broken.Requests, Has.Count.EqualTo(1));

        _time.Advance(TimeSpan.FromSeconds(4));
        await StepAsync(service);
        Assert.That(broken.Requests, Has.Count.EqualTo(1), "not again before the 5 s back-off");
        _time.Advance(TimeSpan.FromSeconds(2));
        await StepAsync(service);
        Assert.That(broken.Requests, Has.Count.EqualTo(2), "the second attempt after 5 s");
        _time.Advance(TimeSpan.FromSeconds(9));
        await StepAsync(service);
        Assert.That(broken.Requests, Has.Count.EqualTo(2), "the third not before 10 s more");
        _time.Advance(TimeSpan.FromSeconds(2));
        await StepAsync(service);
        await StepAsync(service);

        Assert.Multiple(() =>
        {
            Assert.That(broken.Requests, Has.Count.EqualTo(3), "FailoverAfter attempts on the first channel");
            Assert.That(Subjects(spare), Is.EqualTo(new[] { $"[opsagent {Environment.MachineName}] CRITICAL probe alpha is failing (connection_refused)" }), "then the next channel");
            Assert.That(Queued("first") + Queued("second"), Is.Zero);
        });
    }

    [Test]
    public async Task Alerts_ProblemStaysADay_OneMessageThenAReminderThenTheRecovery()
    {
        using var receiver = HttpRecorder.Start();
        var service = Service(Hook("hook", receiver.Url), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:00\", \"RepeatEvery\": \"1.00:00:00\"");
        service.Route(Event(EventIds.Probes.Failing, "probe_failing", "alpha"));
        await StepAsync(service);
        _time.Advance(TimeSpan.FromHours(23));
        await StepAsync(service);
        Assert.That(receiver.Requests, Has.Count.EqualTo(1), "no reminder before RepeatEvery");

        _time.Advance(TimeSpan.FromHours(1));
        await StepAsync(service);
        _time.Advance(TimeSpan.FromHours(2));
        service.Route(Event(EventIds.Probes.Recovered, "probe_recovered", "alpha", ""));
        await StepAsync(service);
        _time.Advance(TimeSpan.FromDays(2));
        await StepAsync(service);

        var host = Environment.MachineName;
        var subjects = Subjects(receiver);
        Assert.Multiple(() =>
        {
            Assert.That(subjects, Has.Count.EqualTo(3), string.Join("\n", subjects));
            Assert.That(subjects[0], Is.EqualTo($"[opsagent {host}] CRITICAL probe alpha is failing (connection_refused)"));
            Assert.That(subjects[1], Is.EqualTo($"[opsagent {host}] REMINDER probe alpha still critical since 2026-12-03 01:00:00 +00:00 (connection_refused)"));
            Assert.That(subjects[2], Is.EqualTo($"[opsagent {host}] RESOLVED probe alpha recovered after 26.0 h"), "the recovery, then no more reminders");
            Assert.That(receiver.Requests.First().Body, Does.Contain("OPSAGENT_ENTRY_ID=entry-alpha-4000"));
        });
    }

    [Test]
    public async Task Alerts_ThirtyProbesFailAtOnce_OneMessageListingThemAll()
    {
        using var receiver = HttpRecorder.Start();
        var service = Service(Hook("hook", receiver.Url), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:10\"");
        var probes = Enumerable.Range(1, 30).Select(i => $"api-{i:00}").ToList();
        foreach (var probe in probes)
        {
            service.Route(Event(EventIds.Probes.Failing, "probe_failing", probe));
        }

        await StepAsync(service);
        Assert.That(receiver.Requests, Is.Empty, "the burst is collected for Collapse");
        _time.Advance(TimeSpan.FromSeconds(10));
        await StepAsync(service);
        await StepAsync(service);

        Assert.That(receiver.Requests, Has.Count.EqualTo(1), "one message, not 30");
        var body = JsonDocument.Parse(receiver.Requests.Single().Body).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("subject").GetString(), Does.Match($@"^\[opsagent {Environment.MachineName}\] CRITICAL probe \S+ is failing \(\S+\) \(\+29 more: 30 critical\)$"));
            Assert.That(probes.Where(p => !body.GetProperty("text").GetString()!.Contains($"CRITICAL probe {p} is failing", StringComparison.Ordinal)), Is.Empty, "every probe listed");
        });
    }

    [Test]
    public async Task Alerts_MinLevel_WarningsToldOnlyWhenAsked()
    {
        using var receiver = HttpRecorder.Start();
        var quiet = Service(Hook("hook", receiver.Url), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:00\"");
        quiet.Route(Event(EventIds.Probes.Warning, "probe_warning", "disk", "used_ratio_warning"));
        await StepAsync(quiet);
        quiet.Route(Event(EventIds.Probes.Ok, "probe_ok", "disk", ""));
        await StepAsync(quiet);
        Assert.That(receiver.Requests, Is.Empty, "MinLevel critical: a warning and its end are not told");

        var told = Service(Hook("hook", receiver.Url), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:00\", \"MinLevel\": \"warning\"");
        told.Route(Event(EventIds.Probes.Warning, "probe_warning", "disk", "used_ratio_warning"));
        await StepAsync(told);
        told.Route(Event(EventIds.Probes.Ok, "probe_ok", "disk", ""));
        await StepAsync(told);
        await StepAsync(told);
        Assert.That(Subjects(receiver).Select(s => s.Split("] ")[1].Split(" after ")[0]), Is.EqualTo(new[] { "WARNING probe disk is in warning (used_ratio_warning)", "RESOLVED probe disk is ok again" }));
    }

    [Test]
    public async Task Alerts_QuietHoursOverTheAutumnChange_WarningHeldUntilSevenOnTheWallClock()
    {
        // Berlin, the night of 25 October 2026: 03:00 CEST becomes 02:00 CET, so 07:00 is 06:00 UTC, not 05:00.
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 10, 24, 21, 0, 0, TimeSpan.Zero)); // 23:00 CEST
        using var receiver = HttpRecorder.Start();
        var service = Service(Hook("hook", receiver.Url), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:00\", \"MinLevel\": \"warning\", \"QuietHours\": \"22:00-07:00\"",
            "Europe/Berlin");
        service.Route(Event(EventIds.Probes.Warning, "probe_warning", "disk", "used_ratio_warning"));
        service.Route(Event(EventIds.Probes.Failing, "probe_failing", "web"));
        await StepAsync(service);
        Assert.That(Subjects(receiver).Select(s => s.Split("] ")[1]), Is.EqualTo(new[] { "CRITICAL probe web is failing (connection_refused)" }), "a critical problem is not held");

        while (_time.GetUtcNow() < new DateTimeOffset(2026, 10, 25, 5, 59, 0, TimeSpan.Zero))
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await StepAsync(service);
        }

        Assert.That(receiver.Requests, Has.Count.EqualTo(1), "06:59 CET is still quiet (a clock a day's offset behind would have sent it at 05:00 UTC)");
        _time.Advance(TimeSpan.FromMinutes(1));
        await StepAsync(service);
        Assert.That(Subjects(receiver).Select(s => s.Split("] ")[1]).Last(), Is.EqualTo("WARNING probe disk is in warning (used_ratio_warning)"), "told at 07:00 on the wall clock");
    }

    [Test]
    public async Task Alerts_StateDirectoryUnusable_ToldAnywayFromMemory()
    {
        // The outbox lives in the state directory: the alert about that directory cannot wait in it.
        using var receiver = HttpRecorder.Start();
        File.WriteAllText(State, "a file where the directory should be");
        var service = Service(Hook("hook", receiver.Url), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:00\"");
        service.Route(new AgentEvent("state_unwritable", EventIds.Host.StateUnwritable, AgentEventLevel.Error, $"State directory {State} is not a directory", _time.GetUtcNow(),
            new Dictionary<string, string> { [AgentEventNames.EntryIdField] = "entry-state" }));
        await StepAsync(service);
        await StepAsync(service);

        Assert.That(Subjects(receiver), Is.EqualTo(new[] { $"[opsagent {Environment.MachineName}] CRITICAL state-directory is unusable" }));
    }

    [Test]
    public async Task Alerts_StateDirectoryUnusableAndTheMailRelayDown_HandedToTheNextChannelFromMemory()
    {
        using var backup = HttpRecorder.Start();
        File.WriteAllText(State, "a file where the directory should be");
        var service = Service(Hook("down", $"http://127.0.0.1:{HttpRecorder.FreePort()}") + ", " + Hook("backup", backup.Url),
            "\"Channels\": [ \"down\", \"backup\" ], \"Collapse\": \"00:00:00\", \"FailoverAfter\": 2");
        service.Route(new AgentEvent("state_unwritable", EventIds.Host.StateUnwritable, AgentEventLevel.Error, $"State directory {State} is not a directory", _time.GetUtcNow(),
            new Dictionary<string, string> { [AgentEventNames.EntryIdField] = "entry-state" }));
        for (var i = 0; i < 10 && backup.Requests.IsEmpty; i++)
        {
            await StepAsync(service);
            _time.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.That(Subjects(backup), Is.EqualTo(new[] { $"[opsagent {Environment.MachineName}] CRITICAL state-directory is unusable" }), "the next channel of Alerting:Channels, once");
    }

    [Test]
    public async Task Alerts_RestartStormSuppressedThenHealthy_TheRestartsTheSuppressionAndTheEndEachToldOnce()
    {
        using var receiver = HttpRecorder.Start();
        var service = Service(Hook("hook", receiver.Url), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:00\"");
        async Task SayAsync(int id, string name, string reason = "connection_refused")
        {
            service.Route(Event(id, name, "web", reason));
            await StepAsync(service);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        await SayAsync(EventIds.Probes.Failing, "probe_failing");
        await SayAsync(EventIds.Probes.RestartStarted, "restart_started");
        await SayAsync(EventIds.Probes.RestartStarted, "restart_started");
        await SayAsync(EventIds.Probes.Suppressed, "restarts_suppressed", "");
        await SayAsync(EventIds.Probes.Suppressed, "restarts_suppressed", "");
        await SayAsync(EventIds.Probes.Recovered, "probe_recovered", "");
        await StepAsync(service);

        Assert.That(Subjects(receiver).Select(s => s.Split("] ")[1].Split(" after ")[0]), Is.EqualTo(new[]
        {
            "CRITICAL probe web is failing (connection_refused)",
            "INFO probe web is being restarted",
            "INFO probe web is being restarted",
            "CRITICAL restarts web are suppressed by storm control",
            "RESOLVED probe web recovered",
        }), "each restart is news; the suppression once; the recovery ends both problems, in one message");
        Assert.That(JsonDocument.Parse(receiver.Requests.Last().Body).RootElement.GetProperty("text").GetString(), Does.Contain("RESOLVED restarts web recovered"));
    }

    [Test]
    [Platform("Linux")]
    public async Task Outbox_DeliveredButTheQueueCannotBeDeleted_SentOnceNotEverySecond()
    {
        // A state directory that went read-only (ext4 remounted after errors) while an alert waited for its receiver.
        var port = HttpRecorder.FreePort();
        var service = Service(Hook("hook", $"http://127.0.0.1:{port}"), "\"Channels\": [ \"hook\" ], \"Collapse\": \"00:00:00\"");
        service.Route(Event(EventIds.Probes.Failing, "probe_failing", "web"));
        await StepAsync(service);
        Assert.That(Queued("hook"), Is.EqualTo(1), "waiting for the receiver");

        var queue = Path.Combine(NotificationOutbox.Root(State), Queues.Channel("hook"));
        if (!Chattr("+i", queue))
        {
            Assert.Ignore("chattr +i is refused here (not root, or a file system without the immutable flag): the test needs a directory nothing can delete from");
        }

        try
        {
            using var receiver = HttpRecorder.Start(port);
            for (var i = 0; i < 20; i++)
            {
                _time.Advance(TimeSpan.FromSeconds(10));
                await StepAsync(service);
            }

            Assert.That(receiver.Requests, Has.Count.EqualTo(1), "delivered once; the file that could not be deleted is not sent again");
            Chattr("-i", queue);
            await StepAsync(service);
            Assert.That(Queued("hook"), Is.Zero, "deleted once the directory takes deletes again");
            Assert.That(receiver.Requests, Has.Count.EqualTo(1));
        }
        finally
        {
            Chattr("-i", queue);
        }
    }

    private static bool Chattr(string flag, string path)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
