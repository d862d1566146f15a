using System.Net.Sockets;
using System.Text;
using OpsAgent.Core.Scheduling;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Hosting;

public sealed class NotifyTests
{
    [Test]
    public async Task Start_WithNotifySocketAndWatchdog_ReadyThenPingsWhichStopWhenSchedulerFreezes()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-notify-");
        var path = Path.Combine(dir.FullName, "notify");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        var messages = new List<(DateTime At, string Text)>();
        var readCts = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, readCts.Token);
                    lock (messages)
                    {
                        messages.Add((DateTime.UtcNow, Encoding.UTF8.GetString(buffer, 0, n)));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        List<string> Snapshot()
        {
            lock (messages)
            {
                return [.. messages.Select(m => m.Text)];
            }
        }

        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
        Environment.SetEnvironmentVariable("WATCHDOG_USEC", "400000");
        TestAgent agent;
        try
        {
            agent = await TestAgent.StartAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
        }

        await using (agent)
        {
            await Eventually.WaitAsync(() => Task.FromResult(Snapshot().Count(m => m.Contains("WATCHDOG=1", StringComparison.Ordinal)) >= 3), "three watchdog pings");
            var all = Snapshot();
            var ready = all.FindIndex(m => m.StartsWith("READY=1", StringComparison.Ordinal));
            Assert.That(ready, Is.GreaterThanOrEqualTo(0), "READY=1 was sent");
            Assert.That(all[ready], Does.Contain("STATUS="));
            Assert.That(all.FindLastIndex(m => m.Contains("WATCHDOG=1", StringComparison.Ordinal)), Is.GreaterThan(ready));

            // Freeze the scheduler: its heartbeat job stops firing, so the pings must stop and systemd would restart us.
            await agent.Scheduler.Scheduler!.Standby(CancellationToken.None);
            var countAtFreeze = Snapshot().Count(m => m.Contains("WATCHDOG=1", StringComparison.Ordinal));
            // Until the agent itself judges the heartbeat stale (no beat for three periods and a second), no ping but the
            // one of a heartbeat that was under way when the scheduler froze.
            var heartbeat = agent.Service<SchedulerHeartbeat>();
            await Eventually.WaitAsync(() => !heartbeat.IsFresh, "the heartbeat to go stale");
            Assert.That(Snapshot().Count(m => m.Contains("WATCHDOG=1", StringComparison.Ordinal)), Is.InRange(countAtFreeze, countAtFreeze + 1));
        }

        Assert.That(Snapshot().Last(), Does.Contain("STOPPING=1"));
        await readCts.CancelAsync();
        await reader;
        dir.Delete(recursive: true);
    }
}
