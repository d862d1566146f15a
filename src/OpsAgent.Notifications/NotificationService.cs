using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Events;
using OpsAgent.Core.Logging;
using OpsAgent.Notifications.Alerting;
using OpsAgent.Notifications.Channels;
using OpsAgent.Notifications.Delivery;
using OpsAgent.Notifications.Outbox;
using OpsAgent.Notifications.Pings;

namespace OpsAgent.Notifications;

/// <summary>
/// Takes the agent's events, turns them into alerts and pings in the durable outbox, and delivers the outbox: each queue in
/// order, each delivery with its timeout, failures retried with back-off and alerts handed to the next channel. None of it
/// runs inside a job: the event is only noted where it happens, so a channel that hangs never delays a backup or a restart.
/// </summary>
internal sealed class NotificationService(AgentConfigurationManager configuration, NotificationOutbox outbox, NotificationSender sender, NotificationMetrics metrics,
    TimeProvider time, ILogger<NotificationService> logger) : BackgroundService, IAgentEventListener
{
    /// <summary>How often the outbox and the reminders are looked at when nothing wakes the loop.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly Channel<AgentEvent> _events = System.Threading.Channels.Channel.CreateBounded<AgentEvent>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly AlertRouter _router = new(time);
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failing = new(StringComparer.Ordinal);

    // What the outbox could not take (the state directory unusable, the very problem an alert may be about): held in
    // memory, offered to the outbox again each step, and delivered from here meanwhile. Lost on a restart, as nothing
    // else can keep it.
    private readonly List<(string Queue, OutboxItem Item)> _unqueued = [];
    private const int MaxUnqueued = 200;

    // Outbox files delivered or handed on that could not be deleted (a read-only state directory): their queue waits
    // until the delete succeeds, instead of sending the same message again every second.
    private readonly HashSet<string> _undeleted = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);

    public void OnEvent(AgentEvent agentEvent) => _events.Writer.TryWrite(agentEvent);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var events = ReadEventsAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    Step(stoppingToken);
                }
                catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
                {
                    // A defect here must never stop the agent (a BackgroundService that throws stops the host).
                    NotificationLog.NotQueued(logger, "-", "-", $"{ex.GetType().Name}: {ex.Message}");
                }

                using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delay = Task.Delay(Poll, time, poll.Token);
                await Task.WhenAny(delay, _wake.WaitAsync(poll.Token)).ConfigureAwait(false);
                await poll.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await events.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // In-flight deliveries were cancelled with the token; what they did not finish stays queued for the next start.
        await Task.WhenAll(_inFlight.Values).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReadEventsAsync(CancellationToken cancellationToken)
    {
        await foreach (var agentEvent in _events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                Route(agentEvent);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                NotificationLog.NotQueued(logger, agentEvent.Name, "-", $"{ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>One event: its ping, if its job or probe has one, and its alert, if it is told.</summary>
    internal void Route(AgentEvent agentEvent)
    {
        var current = configuration.Current;
        var state = current.Agent.StateDirectory;
        if (PingFor(current, agentEvent) is { } ping)
        {
            Enqueue(state, Queues.Ping(ping.Owner), new OutboxItem { Created = agentEvent.At, Kind = OutboxKind.Ping, Ping = ping, NextAttempt = agentEvent.At });
        }

        var alerting = current.Get<AlertingOptions>();
        if (alerting.Enabled)
        {
            // Events are read on their own loop while Step ticks the router on the delivery loop.
            lock (_router)
            {
                _router.Observe(agentEvent, alerting, state);
            }
        }
    }

    private PingRequest? PingFor(AgentConfiguration current, AgentEvent agentEvent)
    {
        var (owner, signal, message, milliseconds) = agentEvent.Name switch
        {
            AgentEventNames.RunStarted when agentEvent.Field("Kind") == "backup" => ($"backup:{agentEvent.Field("Job")}", PingSignal.Start, "started", (double?)null),
            AgentEventNames.RunFinished when agentEvent.Field("Kind") == "backup" => ($"backup:{agentEvent.Field("Job")}",
                agentEvent.Field("Result") == "success" ? PingSignal.Success : PingSignal.Failure,
                agentEvent.Field("Result") == "success" ? $"{agentEvent.Message}\nin {agentEvent.Field("DurationSeconds")} s"
                    : $"{agentEvent.Field("Reason")}: {agentEvent.Message}\nafter {agentEvent.Field("DurationSeconds")} s",
                double.TryParse(agentEvent.Field("DurationSeconds"), System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds * 1000 : null),
            AgentEventNames.ProbeAttempt => ($"probe:{agentEvent.Field("Probe")}", agentEvent.Field("Result") == "success" ? PingSignal.Success : PingSignal.Failure,
                agentEvent.Field("Result") == "success" ? "ok" : $"{agentEvent.Field("Reason")}: {agentEvent.Message}",
                double.TryParse(agentEvent.Field("Milliseconds"), System.Globalization.CultureInfo.InvariantCulture, out var ms) ? ms : null),
            _ => (null, PingSignal.Success, "", null),
        };
        return owner is not null && sender.Ping(current, owner) is { } ping
            ? PingBuilder.Build(owner, ping, signal, agentEvent.Field("RunId"), message, milliseconds)
            : null;
    }

    private void Enqueue(string stateDirectory, string queue, OutboxItem item)
    {
        if (outbox.Enqueue(stateDirectory, queue, item, out var problem))
        {
            _wake.Release();
        }
        else
        {
            NotificationLog.NotQueued(logger, Queues.Display(queue), NotificationOutbox.Root(stateDirectory), problem ?? "");
            Hold(queue, item);
        }
    }

    private void Hold(string queue, OutboxItem item, bool first = false)
    {
        lock (_unqueued)
        {
            // A retry goes back in front of its queue, so held pings and alerts keep their order.
            _unqueued.Insert(first ? 0 : _unqueued.Count, (queue, item));
            if (_unqueued.Count > MaxUnqueued)
            {
                var (oldestQueue, oldest) = _unqueued[0];
                _unqueued.RemoveAt(0);
                NotificationLog.Dropped(logger, Queues.Display(oldestQueue), oldest.Created, $"more than {MaxUnqueued} held in memory while the state directory is unusable");
            }
        }
    }

    /// <summary>
    /// Held items back to the outbox once it can take them; meanwhile the oldest due one of each queue is delivered from
    /// memory, one at a time per queue as the outbox does it.
    /// </summary>
    private void DeliverHeld(AgentConfiguration current, string state, AlertingOptions alerting, DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<(string Queue, OutboxItem Item)> held;
        lock (_unqueued)
        {
            held = [.. _unqueued];
            _unqueued.Clear();
        }

        var started = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (queue, item) in held)
        {
            var key = $"held:{queue}";
            if (_inFlight.ContainsKey(key) || started.Contains(queue) || item.NextAttempt > now)
            {
                // Behind a delivery of its queue, or not due: it keeps its place.
                started.Add(queue);
                Hold(queue, item);
            }
            else if (outbox.Enqueue(state, queue, item, out _))
            {
                _wake.Release();
            }
            else
            {
                started.Add(queue);
                _inFlight[key] = Task.Run(() => DeliverHeldAsync(current, queue, item, alerting, cancellationToken), CancellationToken.None);
            }
        }
    }

    private async Task DeliverHeldAsync(AgentConfiguration current, string queue, OutboxItem item, AlertingOptions alerting, CancellationToken cancellationToken)
    {
        var display = Queues.Display(queue);
        try
        {
            if (await sender.DeliverAsync(current, queue, item, cancellationToken).ConfigureAwait(false) is { } answer)
            {
                metrics.Delivered(display, success: true);
                NotificationLog.Sent(logger, display, answer);
            }
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            metrics.Delivered(display, success: false);
            item.Attempts++;
            var reason = ex is NotificationDeliveryException delivery ? delivery.Reason : NotificationReasons.DeliveryError;
            item.LastError = $"{reason}: {ex.Message}";
            var channel = Queues.ChannelOf(queue);
            if (item.Kind == OutboxKind.Alert && channel is not null && item.Attempts >= alerting.FailoverAfter
                && FirstChannel(current, alerting, [.. item.Tried, channel]) is { } next)
            {
                using (EventScope.Begin(logger, "notification_handed_on", ("Reason", reason), ("Channel", channel)))
                {
                    NotificationLog.HandedOn(logger, channel, item.Attempts, reason, item.Message?.Subject ?? "", next);
                }

                Hold(Queues.Channel(next), new OutboxItem
                {
                    Id = item.Id, Created = item.Created, Kind = item.Kind, Message = item.Message, Tried = [.. item.Tried, channel], NextAttempt = time.GetUtcNow(),
                }, first: true);
                return;
            }

            var delay = Backoff(item.Attempts);
            item.NextAttempt = time.GetUtcNow() + delay;
            if (item.Attempts == 1)
            {
                using (EventScope.Begin(logger, "notification_failed", ("Reason", reason), ("Channel", display)))
                {
                    NotificationLog.Failed(logger, display, reason, ex.Message, 1, delay);
                }
            }

            Hold(queue, item, first: true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Due reminders and bursts to the outbox, then a delivery started for each queue whose head is due and that has none running.</summary>
    internal void Step(CancellationToken cancellationToken)
    {
        var current = configuration.Current;
        var state = current.Agent.StateDirectory;
        var alerting = current.Get<AlertingOptions>();
        Channels.NotificationMessage? message = null;
        if (alerting.Enabled)
        {
            lock (_router)
            {
                message = _router.Tick(alerting, current.TimeZone, state, Environment.MachineName);
            }
        }

        if (message is not null)
        {
            if (FirstChannel(current, alerting, []) is { } channel)
            {
                Enqueue(state, Queues.Channel(channel), new OutboxItem { Created = time.GetUtcNow(), Kind = OutboxKind.Alert, Message = message, NextAttempt = time.GetUtcNow() });
            }
        }

        foreach (var done in _inFlight.Where(p => p.Value.IsCompleted).Select(p => p.Key).ToList())
        {
            _inFlight.Remove(done);
        }

        var now = time.GetUtcNow();
        lock (_undeleted)
        {
            _undeleted.RemoveWhere(NotificationOutbox.Remove);
        }

        DeliverHeld(current, state, alerting, now, cancellationToken);
        foreach (var queue in NotificationOutbox.Queues(state))
        {
            if (_inFlight.ContainsKey(queue) || NotificationOutbox.Peek(state, queue) is not { } head || head.Item.NextAttempt > now || Undeleted(head.File))
            {
                continue;
            }

            _inFlight[queue] = Task.Run(() => DeliverAsync(current, state, queue, head.File, head.Item, alerting, cancellationToken), CancellationToken.None);
        }
    }

    private bool Undeleted(string file)
    {
        lock (_undeleted)
        {
            return _undeleted.Contains(file);
        }
    }

    private void Forget(string file)
    {
        if (!NotificationOutbox.Remove(file))
        {
            lock (_undeleted)
            {
                _undeleted.Add(file);
            }
        }
    }

    /// <summary>Waits for the deliveries under way (tests drive <see cref="Step"/> on a fake clock).</summary>
    internal Task InFlightAsync() => Task.WhenAll(_inFlight.Values);

    private static string? FirstChannel(AgentConfiguration current, AlertingOptions alerting, IReadOnlyCollection<string> tried)
        => alerting.Channels.FirstOrDefault(c => !tried.Contains(c, StringComparer.OrdinalIgnoreCase) && current.Get<NotificationsOptions>().Channels.ContainsKey(c));

    private async Task DeliverAsync(AgentConfiguration current, string state, string queue, string file, OutboxItem item, AlertingOptions alerting, CancellationToken cancellationToken)
    {
        var display = Queues.Display(queue);
        try
        {
            string? answer;
            try
            {
                answer = await sender.DeliverAsync(current, queue, item, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (NotificationDeliveryException or OperationCanceledException or OutOfMemoryException))
            {
                // A channel type's unexpected exception is still a failed delivery: retried with back-off, never a loop every second.
                throw new NotificationDeliveryException(NotificationReasons.DeliveryError, $"{ex.GetType().Name}: {ex.Message}", ex);
            }

            Forget(file);
            if (answer is null)
            {
                NotificationLog.Dropped(logger, display, item.Created, "its channel or ping is no longer configured");
                return;
            }

            metrics.Delivered(display, success: true);
            if (_failing.Remove(queue))
            {
                using (EventScope.Begin(logger, "notification_recovered"))
                {
                    NotificationLog.Recovered(logger, display, answer);
                }
            }
            else
            {
                NotificationLog.Sent(logger, display, answer);
            }
        }
        catch (NotificationDeliveryException ex) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.Delivered(display, success: false);
            item.Attempts++;
            item.LastError = $"{ex.Reason}: {ex.Message}";
            var channel = Queues.ChannelOf(queue);
            if (item.Kind == OutboxKind.Alert && channel is not null && item.Attempts >= alerting.FailoverAfter
                && FirstChannel(current, alerting, [.. item.Tried, channel]) is { } next)
            {
                using (EventScope.Begin(logger, "notification_handed_on", ("Reason", ex.Reason), ("Channel", channel)))
                {
                    NotificationLog.HandedOn(logger, channel, item.Attempts, ex.Reason, item.Message?.Subject ?? "", next);
                }

                Enqueue(state, Queues.Channel(next), new OutboxItem
                {
                    Id = item.Id, Created = item.Created, Kind = item.Kind, Message = item.Message, Tried = [.. item.Tried, channel], NextAttempt = time.GetUtcNow(),
                });
                Forget(file);
                return;
            }

            var delay = Backoff(item.Attempts);
            item.NextAttempt = time.GetUtcNow() + delay;
            NotificationOutbox.Update(file, item);
            if (_failing.Add(queue))
            {
                using (EventScope.Begin(logger, "notification_failed", ("Reason", ex.Reason), ("Channel", display)))
                {
                    NotificationLog.Failed(logger, display, ex.Reason, ex.Message, NotificationOutbox.Lengths(state).GetValueOrDefault(queue), delay);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            NotificationLog.NotQueued(logger, display, NotificationOutbox.Root(state), ex.Message);
        }
    }

    /// <summary>5 s, 10 s, 20 s, ... up to 5 minutes between attempts.</summary>
    internal static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(2, Math.Max(0, attempts - 1))));

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
