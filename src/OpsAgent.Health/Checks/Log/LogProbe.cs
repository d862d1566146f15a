using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Processes;

namespace OpsAgent.Health.Checks.Log;

/// <summary>Counts the lines of a file or a unit's journal that match a pattern over a sliding window, against count or share thresholds.</summary>
/// <remarks>
/// Each check reads only what is new since the last one; where it stopped (the file's offset, the journal's cursor) is
/// kept in <c>StateDirectory/logs/&lt;probe&gt;.json</c> so an agent restart neither recounts old lines nor skips new ones.
/// </remarks>
internal sealed class LogProbe : ProbeType<LogProbeOptions>, IDisposable
{
    private readonly ConcurrentDictionary<string, Source> _sources = new(StringComparer.OrdinalIgnoreCase);
    private readonly ToolRunner _tools;
    private readonly Func<string> _stateDirectory;
    private readonly TimeProvider _time;

    /// <summary>As the agent builds it: positions under the configuration's <c>StateDirectory</c>.</summary>
    public LogProbe(ToolRunner tools, AgentConfigurationManager configuration, TimeProvider time)
        : this(tools, () => configuration.Current.Agent.StateDirectory, time)
    {
    }

    /// <summary>With the state directory given (tests).</summary>
    internal LogProbe(ToolRunner tools, Func<string> stateDirectory, TimeProvider time)
    {
        _tools = tools;
        _stateDirectory = stateDirectory;
        _time = time;
    }

    public void Dispose()
    {
        foreach (var source in _sources.Values)
        {
            source.Follower?.Dispose();
        }
    }

    protected override async Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, LogProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var key = options.File ?? $"unit:{options.Unit}";
        var source = _sources.AddOrUpdate(probe, _ => Load(probe, key, options), (_, old) => old.Key == key && old.Pattern == options.Pattern && old.Total == options.TotalPattern ? old : Replace(old, probe, key, options));
        var pattern = new Regex(options.Pattern!, RegexOptions.CultureInvariant, LogProbeOptions.MatchTimeout);
        var total = options.TotalPattern is null ? null : new Regex(options.TotalPattern, RegexOptions.CultureInvariant, LogProbeOptions.MatchTimeout);
        var now = _time.GetUtcNow();
        var slow = 0;
        void Count(string line)
        {
            try
            {
                source.Window.Add(now, pattern.IsMatch(line), total?.IsMatch(line) ?? true, line);
            }
            catch (RegexMatchTimeoutException)
            {
                slow++;
            }
        }

        lock (source)
        {
            if (options.File is not null && !source.Follower!.Read(Count))
            {
                return ProbeResult.Fail(ProbeReasons.NotFound, $"{options.File} does not exist", clock.Elapsed);
            }
        }

        if (options.Unit is { } unit)
        {
            var failure = await ReadJournalAsync(source, unit, Count, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return ProbeResult.Fail(ProbeReasons.ProbeError, failure, clock.Elapsed);
            }
        }

        Save(probe, source);
        var (matches, totals) = source.Window.Count(now, options.Window);
        var measures = new List<ProbeMeasure>(2) { new("matches", matches, options.WarningCount, options.CriticalCount) };
        if (options.TotalPattern is not null)
        {
            measures.Add(new("match_ratio", totals == 0 ? 0 : matches / (double)totals, Percentages.Ratio(options.WarningPercent), Percentages.Ratio(options.CriticalPercent)));
        }

        var what = string.Create(CultureInfo.InvariantCulture, $"{matches} of {(options.TotalPattern is null ? "" : $"{totals} ")}lines in the last {options.Window} matched{(slow > 0 ? $" ({slow} lines skipped: the pattern took over {LogProbeOptions.MatchTimeout.TotalMilliseconds} ms)" : "")}");
        var result = ProbeResult.Measured(clock.Elapsed, what, measures);
        return result.Level == ProbeLevel.Ok ? result : result with { Lines = source.Window.LastLines };
    }

    private async Task<string?> ReadJournalAsync(Source source, string unit, Action<string> line, CancellationToken cancellationToken)
    {
        // The first read only takes a cursor at the end: lines before the agent started are not counted.
        string[] arguments = source.Cursor is null
            ? ["-u", unit, "-n", "0", "--show-cursor", "-o", "cat", "--no-pager", "-q"]
            : ["-u", unit, "--after-cursor", source.Cursor, "--show-cursor", "-o", "cat", "--no-pager", "-q"];
        var (exit, output) = await _tools.RunAsync(new ToolCommand("journalctl", arguments), cancellationToken).ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            return $"journalctl -u {unit} exited with {exit.ExitCode}: {exit.Summary}";
        }

        foreach (var text in output.Split('\n'))
        {
            if (text.StartsWith("-- cursor: ", StringComparison.Ordinal))
            {
                source.Cursor = text["-- cursor: ".Length..].Trim();
            }
            else if (text.Length > 0)
            {
                line(text);
            }
        }

        return null;
    }

    private Source Load(string probe, string key, LogProbeOptions options)
    {
        var source = new Source(key, options.Pattern, options.TotalPattern, options.File is null ? null : new LogFollower(options.File));
        try
        {
            var saved = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(StatePath(probe)));
            if (saved is not null && saved.TryGetValue("source", out var s) && s.GetString() == key)
            {
                if (saved.TryGetValue("offset", out var offset) && offset.TryGetInt64(out var o) && o >= 0)
                {
                    source.Follower?.Resume(o);
                }

                if (saved.TryGetValue("cursor", out var cursor) && cursor.ValueKind == JsonValueKind.String)
                {
                    source.Cursor = cursor.GetString();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            // No position (first start, or a damaged file): count from now on.
        }

        return source;
    }

    private Source Replace(Source old, string probe, string key, LogProbeOptions options)
    {
        old.Follower?.Dispose();
        return Load(probe, key, options);
    }

    private void Save(string probe, Source source)
    {
        var path = StatePath(probe);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var state = new Dictionary<string, object?> { ["source"] = source.Key, ["offset"] = source.Follower?.Position, ["cursor"] = source.Cursor };
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(state));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The count is still right in this process; only a restart would recount.
        }
    }

    private string StatePath(string probe) => Path.Combine(_stateDirectory(), "logs", probe + ".json");

    private sealed class Source(string key, string? pattern, string? total, LogFollower? follower)
    {
        public string Key { get; } = key;

        public string? Pattern { get; } = pattern;

        public string? Total { get; } = total;

        public LogFollower? Follower { get; } = follower;

        public LogWindow Window { get; } = new();

        public string? Cursor { get; set; }
    }
}
