namespace OpsAgent.Health.Checks.Log;

/// <summary>Matching and total lines per second over a sliding window, and the last matching lines (bounded whatever the volume).</summary>
internal sealed class LogWindow
{
    /// <summary>How many matching lines the journal entry carries.</summary>
    public const int KeptLines = 20;

    private readonly Queue<(long Second, long Matches, long Totals)> _seconds = new();
    private readonly Queue<string> _lines = new();
    private (long Second, long Matches, long Totals) _current = (long.MinValue, 0, 0);

    public void Add(DateTimeOffset at, bool match, bool total, string line)
    {
        var second = at.ToUnixTimeSeconds();
        if (second != _current.Second)
        {
            Flush();
            _current = (second, 0, 0);
        }

        _current = (second, _current.Matches + (match ? 1 : 0), _current.Totals + (total ? 1 : 0));
        if (match)
        {
            _lines.Enqueue(line.Length > 500 ? line[..500] + "…" : line);
            while (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }
    }

    private void Flush()
    {
        if (_current.Second != long.MinValue && (_current.Matches > 0 || _current.Totals > 0))
        {
            _seconds.Enqueue(_current);
        }

        _current = (long.MinValue, 0, 0);
    }

    /// <summary>The counts within <paramref name="window"/> before <paramref name="now"/>; older seconds are dropped.</summary>
    public (long Matches, long Totals) Count(DateTimeOffset now, TimeSpan window)
    {
        Flush();
        var oldest = (now - window).ToUnixTimeSeconds();
        while (_seconds.Count > 0 && _seconds.Peek().Second <= oldest)
        {
            _seconds.Dequeue();
        }

        long matches = 0, totals = 0;
        foreach (var (_, m, t) in _seconds)
        {
            matches += m;
            totals += t;
        }

        return (matches, totals);
    }

    /// <summary>The last matching lines, oldest first.</summary>
    public string LastLines => string.Join('\n', _lines);
}
