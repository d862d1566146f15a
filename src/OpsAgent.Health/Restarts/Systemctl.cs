using OpsAgent.Core.Processes;

namespace OpsAgent.Health.Restarts;

/// <summary>The agent's use of <c>systemctl</c> and <c>journalctl</c>.</summary>
/// <param name="tools">Runs the commands.</param>
internal sealed class Systemctl(ToolRunner tools)
{
    /// <summary>The unit's state.</summary>
    public async Task<UnitState> ShowAsync(string unit, CancellationToken cancellationToken)
    {
        var (exit, output) = await tools.RunAsync(new ToolCommand("systemctl", ["show", unit, "--property=LoadState,ActiveState,SubState,Result", "--no-pager"]), cancellationToken)
            .ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            throw new InvalidOperationException($"systemctl show {unit} exited with {exit.ExitCode}: {exit.Summary}");
        }

        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
        return new UnitState(values.GetValueOrDefault("LoadState", "unknown"), values.GetValueOrDefault("ActiveState", "unknown"),
            values.GetValueOrDefault("SubState", "unknown"), values.GetValueOrDefault("Result", "unknown"));
    }

    /// <summary>One property of the unit (<c>ControlGroup</c>), empty when systemd has none for it.</summary>
    public async Task<string> PropertyAsync(string unit, string property, CancellationToken cancellationToken)
    {
        var (exit, output) = await tools.RunAsync(new ToolCommand("systemctl", ["show", unit, $"--property={property}", "--value", "--no-pager"]), cancellationToken).ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            throw new InvalidOperationException($"systemctl show {unit} exited with {exit.ExitCode}: {exit.Summary}");
        }

        return output.Trim();
    }

    /// <summary><c>systemctl VERB UNIT</c>; throws with systemctl's message on failure.</summary>
    public async Task RunAsync(string verb, string unit, CancellationToken cancellationToken)
    {
        var (exit, _) = await tools.RunAsync(new ToolCommand("systemctl", [verb, unit]), cancellationToken).ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            throw new InvalidOperationException($"systemctl {verb} {unit} exited with {exit.ExitCode}: {exit.Summary}");
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of the unit's journal.</summary>
    public async Task<string> JournalAsync(string unit, int lines, CancellationToken cancellationToken)
    {
        var (exit, output) = await tools.RunAsync(new ToolCommand("journalctl", ["-u", unit, "-n", lines.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-pager", "-o", "short-iso"]), cancellationToken)
            .ConfigureAwait(false);
        return exit.ExitCode == 0 ? output : $"journalctl -u {unit} exited with {exit.ExitCode}: {exit.Summary}\n{output}";
    }
}
