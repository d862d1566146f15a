using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Core.Processes;

/// <summary>Runs commands the operator configured for the host (renewal hooks, cleanup commands) outside the agent's sandbox.</summary>
/// <remarks>
/// The agent's unit is hardened (a read-only <c>/etc</c> and <c>/var</c>, no capability to bind port 80...), and a host
/// command such as <c>certbot renew</c> needs the host as the operator's shell sees it. Under systemd as a system service
/// each command therefore runs as a transient unit started by PID 1 (<c>systemd-run --wait</c>): it gets none of the
/// agent's sandbox, its output goes to the journal under the unit's own name (<c>journalctl -u opsagent-*</c>), and is read
/// back from there for the caller once the unit has ended (stdout and stderr merged, as the journal keeps them).
/// <c>--pipe</c> would hand the output to the agent directly, but then the journal would not have it under the unit.
/// Elsewhere (development, no systemd, Windows) the command is a child process, as a shell would run it.
/// The transient unit's cgroup is not the agent's, so the agent's <c>KillMode=</c> does not reach it: a cancelled or
/// timed-out run stops it with <c>systemctl stop</c>, and <c>RuntimeMaxSec=</c> ends one that outlives a killed agent.
/// </remarks>
public sealed partial class HostCommandRunner
{
    /// <summary>How long a stopped unit's command has between SIGTERM and SIGKILL.</summary>
    internal static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Added to the caller's timeout for <c>RuntimeMaxSec=</c>: the agent stops the unit first; systemd only when the agent is gone.</summary>
    internal static readonly TimeSpan RuntimeMargin = TimeSpan.FromMinutes(1);

    // systemd-run's own errors (systemd 252), told apart from the command's output: the command never ran.
    private static readonly string[] RefusalPrefixes =
    [
        "Failed to create bus connection", "Failed to connect to bus", "Failed to start transient service unit", "Failed to find executable",
        "Failed to get D-Bus connection", "Unit name is not valid",
    ];

    /// <summary>The most output lines read back from the journal (the caller keeps the end of it).</summary>
    private const string MaxOutputLines = "2000";

    private readonly ToolRunner _tools;
    private readonly TimeProvider _time;
    private readonly ILogger<HostCommandRunner> _logger;
    private readonly string? _systemdRun;

    /// <summary>Creates a runner that uses transient units when the agent runs as a systemd system service.</summary>
    public HostCommandRunner(ToolRunner tools, TimeProvider time, ILogger<HostCommandRunner> logger)
        : this(tools, time, logger, DetectSystemdRun())
    {
    }

    /// <summary>Creates a runner; <paramref name="systemdRun"/> is the <c>systemd-run</c> to wrap commands with, or null to run them directly.</summary>
    internal HostCommandRunner(ToolRunner tools, TimeProvider time, ILogger<HostCommandRunner> logger, string? systemdRun)
    {
        _tools = tools;
        _time = time;
        _logger = logger;
        _systemdRun = systemdRun;
    }

    /// <summary>Whether commands run as transient units.</summary>
    public bool UsesTransientUnits => _systemdRun is not null;

    /// <summary>Runs <paramref name="command"/> to completion: its exit, its stdout, and the transient unit it ran as (null when run directly).</summary>
    /// <remarks>In a transient unit stdout and stderr come back merged in <see cref="ToolExit.StandardError"/>, and the stdout returned is empty.</remarks>
    /// <param name="purpose">What runs it, for the unit name (<c>cert-renew</c>).</param>
    /// <param name="name">The configured entry, for the unit name.</param>
    /// <param name="command">The command; its <see cref="ToolCommand.Environment"/> reaches the unit without appearing in any command line.</param>
    /// <param name="timeout">The caller's limit (it cancels <paramref name="cancellationToken"/>); bounds the unit's run time too.</param>
    /// <param name="cancellationToken">Stops the command, and its unit.</param>
    /// <exception cref="ToolStartException">The program is not installed, or systemd refused the unit: the command did not run.</exception>
    public async Task<(ToolExit Exit, string Output, string? Unit)> RunAsync(string purpose, string name, ToolCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_systemdRun is null)
        {
            Log.RunningDirectly(_logger, command.FileName, purpose, name);
            var (directExit, directOutput) = await _tools.RunAsync(command, cancellationToken).ConfigureAwait(false);
            return (directExit, directOutput, null);
        }

        // Resolved here, with the agent's PATH: PID 1's may differ, and "not installed" must not look like the command's exit code.
        var program = Executables.FindOnPath(command.FileName)
            ?? throw new ToolStartException(ToolStartReasons.ToolMissing, $"cannot run {command.FileName}: not found on PATH ({Environment.GetEnvironmentVariable("PATH")})", null);
        var unit = UnitName(purpose, name, _time.GetUtcNow());
        var wrapped = Wrap(_systemdRun, unit, $"OpsAgent {purpose} for {name}: {command.Display}", command with { FileName = program }, timeout);
        ToolExit exit;
        try
        {
            (exit, _) = await _tools.RunAsync(wrapped, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Killing systemd-run only ends the client; the unit is PID 1's and goes on unless stopped.
            await StopAsync(unit).ConfigureAwait(false);
            throw;
        }

        if (exit.ExitCode != 0 && Refusal(exit.StandardError) is { } refusal)
        {
            throw new ToolStartException(ToolStartReasons.TransientUnitFailed, $"systemd did not start {command.FileName} as {unit}: {refusal}", null);
        }

        var output = await ReadOutputAsync(unit, cancellationToken).ConfigureAwait(false);
        return (exit with { StandardError = output }, string.Empty, unit);
    }

    /// <summary>What <paramref name="unit"/> wrote, from the journal (empty, with a warning, when it cannot be read).</summary>
    private async Task<string> ReadOutputAsync(string unit, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            // journald reads a stream asynchronously: the unit may have ended before its last lines were stored.
            await _tools.RunAsync(new ToolCommand("journalctl", ["--sync"]), limit.Token).ConfigureAwait(false);
            var (exit, output) = await _tools.RunAsync(new ToolCommand("journalctl", [$"_SYSTEMD_UNIT={unit}", "-o", "cat", "--no-pager", "-n", MaxOutputLines]), limit.Token)
                .ConfigureAwait(false);
            if (exit.ExitCode == 0)
            {
                return output;
            }

            Log.OutputUnreadable(_logger, unit, exit.Summary);
        }
        catch (Exception ex) when (ex is ToolStartException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.OutputUnreadable(_logger, unit, ex.Message);
        }

        return string.Empty;
    }

    /// <summary>The <c>systemd-run</c> command that runs <paramref name="command"/> as <paramref name="unit"/> and returns its exit status.</summary>
    internal static ToolCommand Wrap(string systemdRun, string unit, string description, ToolCommand command, TimeSpan timeout)
    {
        var seconds = (long)Math.Ceiling((timeout + RuntimeMargin).TotalSeconds);
        var arguments = new List<string>
        {
            "--wait", "--collect", "--quiet", "--service-type=exec",
            $"--unit={unit}",
            $"--description={description}",
            $"--property=TimeoutStopSec={(long)StopTimeout.TotalSeconds}s",
            $"--property=RuntimeMaxSec={seconds.ToString(CultureInfo.InvariantCulture)}s",
        };

        // NAME alone makes systemd-run copy the value from its own environment: secrets stay out of every command line.
        arguments.AddRange(command.Environment.Keys.Order(StringComparer.Ordinal).Select(variable => $"--setenv={variable}"));
        arguments.Add("--");
        arguments.Add(command.FileName);
        arguments.AddRange(command.Arguments);
        return new ToolCommand(systemdRun, arguments) { Environment = command.Environment };
    }

    /// <summary><c>opsagent-PURPOSE-NAME-TIMESTAMP.service</c>, with anything systemd does not allow in a unit name replaced.</summary>
    internal static string UnitName(string purpose, string name, DateTimeOffset now)
    {
        var text = new StringBuilder("opsagent-");
        foreach (var c in $"{purpose}-{name}")
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return text.Append('-').Append(now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture)).Append(".service").ToString();
    }

    /// <summary>The line in which systemd-run reported that it could not start the unit, or null.</summary>
    internal static string? Refusal(string standardError)
        => standardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(line => RefusalPrefixes.Any(p => line.StartsWith(p, StringComparison.Ordinal)));

    private async Task StopAsync(string unit)
    {
        using var limit = new CancellationTokenSource(StopTimeout + TimeSpan.FromSeconds(20));
        try
        {
            var (exit, _) = await _tools.RunAsync(new ToolCommand("systemctl", ["stop", unit]), limit.Token).ConfigureAwait(false);
            if (exit.ExitCode != 0)
            {
                Log.StopFailed(_logger, unit, exit.Summary);
            }
        }
        catch (Exception ex) when (ex is ToolStartException or OperationCanceledException)
        {
            Log.StopFailed(_logger, unit, ex.Message);
        }
    }

    /// <summary><c>systemd-run</c> when the agent is a systemd system service running as root, else null.</summary>
    private static string? DetectSystemdRun()
        => OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess && Environment.GetEnvironmentVariable("INVOCATION_ID") is { Length: > 0 }
           && Directory.Exists("/run/systemd/system")
            ? Executables.FindOnPath("systemd-run")
            : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.HostCommands.RunningDirectly, Level = LogLevel.Debug, Message = "Running {Program} for {Purpose} {Name} directly, as a child process: the agent is not a systemd system service (or systemd-run is missing)")]
        public static partial void RunningDirectly(ILogger logger, string program, string purpose, string name);

        [LoggerMessage(EventId = EventIds.HostCommands.StopFailed, Level = LogLevel.Warning, Message = "Transient unit {Unit} could not be stopped: {Error}; systemd ends it at its RuntimeMaxSec=")]
        public static partial void StopFailed(ILogger logger, string unit, string error);

        [LoggerMessage(EventId = EventIds.HostCommands.OutputUnreadable, Level = LogLevel.Warning, Message = "The output of transient unit {Unit} cannot be read from the journal: {Error}; see journalctl -u {Unit}")]
        public static partial void OutputUnreadable(ILogger logger, string unit, string error);
    }
}
