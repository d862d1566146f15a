using System.Text.Json.Serialization;

namespace OpsAgent.Control;

/// <summary>One verb the CLI asks the daemon to run (one JSON line on the control socket).</summary>
/// <param name="Verb">One of <see cref="ControlVerbs"/>.</param>
/// <param name="Name">The job, probe or certificate entry, when the verb takes one.</param>
/// <param name="Duration">For <c>pause</c>: how long.</param>
/// <param name="Json">For <c>cert check</c>: print JSON.</param>
/// <param name="Target">For <c>backup copy</c>: only this copy.</param>
/// <param name="Config">The configuration file the CLI was given (or defaults to), full path: a daemon running another one refuses the verb.</param>
internal sealed record ControlRequest(string Verb, string? Name = null, string? Duration = null, bool Json = false, string? Target = null, string? Config = null);

/// <summary>One JSON line from the daemon: a line of output, or the verb's exit code (the last message).</summary>
/// <param name="Out">A line the verb printed.</param>
/// <param name="Exit">The exit code, once the verb is done.</param>
/// <param name="Runs">Instead of running the verb: the configuration file the daemon runs, when it is not the one the CLI was given.</param>
internal sealed record ControlMessage(string? Out = null, int? Exit = null, string? Runs = null);

/// <summary>What the daemon answered: the verb's exit code, or the configuration file it runs when that is another one.</summary>
internal sealed record ControlAnswer(int? Exit, string? DaemonRuns = null);

/// <summary>The verbs the daemon runs for the CLI.</summary>
internal static class ControlVerbs
{
    public const string BackupRun = "backup-run";
    public const string BackupCopy = "backup-copy";
    public const string ProbeRun = "probe-run";
    public const string CertCheck = "cert-check";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Reload = "reload";
}

/// <summary>Source-generated JSON for the control protocol.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlMessage))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
