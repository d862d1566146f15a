using System.Globalization;
using System.Text;
using System.Text.Json;
using OpsAgent.Core.Events;
using OpsAgent.Notifications.Channels;
using OpsAgent.Notifications.Outbox;

namespace OpsAgent.Notifications.Alerting;

/// <summary>
/// Turns events into what people are told: one message per change of state (a problem, its level changing, its end), a
/// reminder every <c>RepeatEvery</c> while it stays, and the changes of a burst collapsed into one message. The open
/// problems are kept in <c>StateDirectory/notifications/alerts.json</c>, so a restart neither repeats nor forgets them, and
/// a burst not yet told in <c>pending.json</c>, so a restart inside its collapse window does not lose it.
/// </summary>
/// <remarks>Driven by one loop (events, then <see cref="Tick"/>); not thread-safe by design.</remarks>
internal sealed class AlertRouter(TimeProvider time)
{
    private static readonly string[] SeverityOrder = ["critical", "warning", "reminder", "info", "resolved"];

    private Dictionary<string, OpenProblem> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastFailureEntry = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<AlertLine> _pending = [];
    private DateTimeOffset? _flushAt;
    private string? _loadedFrom;

    /// <summary>Takes note of <paramref name="agentEvent"/>.</summary>
    public void Observe(AgentEvent agentEvent, AlertingOptions options, string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        ArgumentNullException.ThrowIfNull(options);
        Load(stateDirectory);
        if (AlertRules.IsRunFailureEntry(agentEvent) && agentEvent.Field("Job") is { } failedJob && agentEvent.Field(AgentEventNames.EntryIdField) is { } failedEntry)
        {
            _lastFailureEntry[failedJob] = failedEntry;
        }

        if (AlertRules.For(agentEvent) is not { } rule)
        {
            return;
        }

        var name = rule.SubjectField is null ? "" : agentEvent.Field(rule.SubjectField) ?? "?";
        var subject = name.Length == 0 ? rule.Kind : $"{rule.Kind} {name}";
        var reason = NullIfEmpty(agentEvent.Field("Reason"));
        var entry = agentEvent.Field(AgentEventNames.EntryIdField)
            ?? (agentEvent.Name == AgentEventNames.RunFinished && rule.Effect == AlertEffect.Problem ? _lastFailureEntry.GetValueOrDefault(name) : null);
        var now = agentEvent.At;
        var warnings = string.Equals(options.MinLevel, "warning", StringComparison.OrdinalIgnoreCase);
        switch (rule.Effect)
        {
            case AlertEffect.Problem:
            {
                var key = Key(rule.Kind, name);
                var existing = _open.GetValueOrDefault(key);
                if (existing is not null && existing.Critical == rule.Critical)
                {
                    return;
                }

                var tell = rule.Critical || warnings;
                _open[key] = new OpenProblem
                {
                    Subject = subject, Critical = rule.Critical, Reason = reason, Message = agentEvent.Message, EntryId = entry,
                    Since = existing?.Since ?? now, Told = tell || existing?.Told == true, LastTold = tell ? now : existing?.LastTold ?? now,
                };
                if (tell)
                {
                    var level = rule.Critical ? "critical" : "warning";
                    Add(new AlertLine(level, $"{level.ToUpperInvariant()} {subject} {rule.Says}{(reason is null ? "" : $" ({reason})")}", agentEvent.Message, entry, now), options);
                }

                // The line before the problem marked told: a kill between the two writes then tells it, never loses it.
                SavePending(stateDirectory);
                Save(stateDirectory);
                break;
            }

            case AlertEffect.Resolve:
                foreach (var kind in rule.AlsoResolves.Prepend(rule.Kind))
                {
                    if (_open.Remove(Key(kind, name), out var ended))
                    {
                        if (ended.Told)
                        {
                            Add(new AlertLine("resolved", $"RESOLVED {ended.Subject} {rule.Says} after {Human(now - ended.Since)}", agentEvent.Message, entry, now), options);
                        }

                        SavePending(stateDirectory);
                        Save(stateDirectory);
                    }
                }

                break;

            case AlertEffect.Notice:
                Add(new AlertLine("info", $"INFO {subject} {rule.Says}", agentEvent.Message, entry, now), options);
                SavePending(stateDirectory);
                break;
        }
    }

    /// <summary>Reminders that are due, and the burst's message once its collapse time is over (null while nothing is to be sent).</summary>
    public NotificationMessage? Tick(AlertingOptions options, TimeZoneInfo zone, string stateDirectory, string host)
    {
        ArgumentNullException.ThrowIfNull(options);
        Load(stateDirectory);
        var now = time.GetUtcNow();
        var quiet = QuietHours.Contains(options.QuietHours, TimeZoneInfo.ConvertTime(now, zone ?? TimeZoneInfo.Utc));
        if (options.RepeatEvery > TimeSpan.Zero && !quiet)
        {
            var reminded = false;
            foreach (var problem in _open.Values.Where(p => p.Told && now - p.LastTold >= options.RepeatEvery).OrderBy(p => p.Since))
            {
                problem.LastTold = now;
                reminded = true;
                Add(new AlertLine("reminder", $"REMINDER {problem.Subject} still {(problem.Critical ? "critical" : "in warning")} since {Stamp(problem.Since, zone)}{(problem.Reason is null ? "" : $" ({problem.Reason})")}",
                    problem.Message, problem.EntryId, now), options);
            }

            if (reminded)
            {
                SavePending(stateDirectory);
                Save(stateDirectory);
            }
        }

        if (_pending.Count == 0 || _flushAt > now)
        {
            return null;
        }

        var lines = quiet ? _pending.Where(l => l.Urgent).ToList() : [.. _pending];
        if (lines.Count == 0)
        {
            return null;
        }

        _pending.RemoveAll(lines.Contains);
        _flushAt = _pending.Count > 0 ? now + options.Collapse : null;
        SavePending(stateDirectory);
        return Compose(lines, host, zone);
    }

    /// <summary>One message for the lines: a single change reads as itself, a burst as a list.</summary>
    internal static NotificationMessage Compose(IReadOnlyList<AlertLine> lines, string host, TimeZoneInfo? zone)
    {
        var severity = SeverityOrder.First(s => lines.Any(l => l.Severity == s));
        severity = severity == "reminder" ? lines.Any(l => l.Headline.Contains("still critical", StringComparison.Ordinal)) ? "critical" : "warning" : severity;
        var body = new StringBuilder();
        string subject;
        if (lines.Count == 1)
        {
            var line = lines[0];
            subject = $"[opsagent {host}] {line.Headline}";
            body.Append(line.Headline).Append(" on ").Append(host).Append('\n').Append('\n').Append(line.Detail).Append('\n').Append('\n');
            body.Append("When: ").Append(Stamp(line.At, zone)).Append('\n');
            body.Append("Host: ").Append(host).Append('\n');
            if (line.EntryId is not null)
            {
                body.Append("Journal: journalctl -t opsagent OPSAGENT_ENTRY_ID=").Append(line.EntryId).Append(" -o verbose").Append('\n');
            }
        }
        else
        {
            var counts = lines.GroupBy(l => l.Severity).OrderBy(g => Array.IndexOf(SeverityOrder, g.Key))
                .Select(g => $"{g.Count()} {g.Key}");
            // The most severe change leads the subject, so an inbox (or a phone's lock screen) shows what happened.
            var lead = lines.First(l => l.Severity == SeverityOrder.First(s => lines.Any(x => x.Severity == s)));
            subject = $"[opsagent {host}] {lead.Headline} (+{lines.Count - 1} more: {string.Join(", ", counts)})";
            body.Append(lines.Count).Append(" changes on ").Append(host).Append(" between ").Append(Stamp(lines[0].At, zone)).Append(" and ").Append(Stamp(lines[^1].At, zone)).Append(":\n\n");
            foreach (var line in lines)
            {
                body.Append("- ").Append(line.Headline).Append('\n').Append("  ").Append(line.Detail.ReplaceLineEndings("\n  ")).Append('\n');
                if (line.EntryId is not null)
                {
                    body.Append("  journalctl -t opsagent OPSAGENT_ENTRY_ID=").Append(line.EntryId).Append('\n');
                }
            }
        }

        return new NotificationMessage(subject, body.ToString(), severity, host);
    }

    private void Add(AlertLine line, AlertingOptions options)
    {
        if (_pending.Count == 0)
        {
            _flushAt = time.GetUtcNow() + options.Collapse;
        }

        _pending.Add(line);
    }

    private static string Key(string kind, string name) => $"{kind}:{name}";

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static string Stamp(DateTimeOffset at, TimeZoneInfo? zone)
        => TimeZoneInfo.ConvertTime(at, zone ?? TimeZoneInfo.Utc).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static string Human(TimeSpan span) => span.TotalSeconds < 90 ? $"{Math.Max(0, span.TotalSeconds):0} s"
        : span.TotalMinutes < 90 ? $"{span.TotalMinutes:0} min" : span.TotalHours < 48 ? $"{span.TotalHours:0.0} h" : $"{span.TotalDays:0.0} days";

    private static string FileOf(string stateDirectory) => Path.Combine(stateDirectory, "notifications", "alerts.json");

    // The changes of a burst not yet told: a restart or kill -9 inside the collapse window must not forget them.
    private static string PendingOf(string stateDirectory) => Path.Combine(stateDirectory, "notifications", "pending.json");

    private void Load(string stateDirectory)
    {
        if (_loadedFrom == stateDirectory)
        {
            return;
        }

        _loadedFrom = stateDirectory;
        try
        {
            var file = FileOf(stateDirectory);
            _open = File.Exists(file)
                ? new Dictionary<string, OpenProblem>(JsonSerializer.Deserialize(File.ReadAllBytes(file), OutboxJsonContext.Default.DictionaryStringOpenProblem) ?? [], StringComparer.Ordinal)
                : new(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            _open = new(StringComparer.Ordinal);
        }

        // A reload that moves StateDirectory keeps the burst in memory; the new directory gets it at the next save.
        try
        {
            var pending = PendingOf(stateDirectory);
            if (_pending.Count == 0 && File.Exists(pending))
            {
                // A hand-edited or damaged file may hold lines without their text: those are dropped, never sent as a crash.
                _pending.AddRange((JsonSerializer.Deserialize(File.ReadAllBytes(pending), OutboxJsonContext.Default.ListAlertLine) ?? [])
                    .Where(l => l is { Severity: not null, Headline: not null, Detail: not null }));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // An unreadable burst is lost, not retried forever; the problems themselves are still open above.
        }

        // What an earlier run left untold goes out at the next tick: its collapse window is long over.
        _flushAt = _pending.Count > 0 ? time.GetUtcNow() : null;
    }

    private void SavePending(string stateDirectory)
    {
        try
        {
            var file = PendingOf(stateDirectory);
            if (_pending.Count == 0)
            {
                File.Delete(file);
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = file + ".tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(_pending, OutboxJsonContext.Default.ListAlertLine));
            File.Move(temporary, file, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // As for alerts.json: the state directory's own alert says so, and the burst stays in memory.
        }
    }

    private void Save(string stateDirectory)
    {
        try
        {
            var file = FileOf(stateDirectory);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = file + ".tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(_open, OutboxJsonContext.Default.DictionaryStringOpenProblem));
            File.Move(temporary, file, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The state directory's own alert says so; the problems stay known in memory.
        }
    }
}
