using OpsAgent.Backups.Engines;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Tests.Engines.Text;

/// <summary>
/// An engine the agent does not ship, to prove that one registration line adds one: it "dumps" its configured text with
/// the host's <c>sh</c>, ended by a completion line its content check looks for, as pg_dump's plain format is.
/// </summary>
internal sealed class TextEngine : IBackupEngine
{
    public const string Trailer = "-- text dump complete";

    private static readonly BackupFormat Text = new("text", ".txt");

    public IReadOnlyList<BackupFormat> Formats { get; } = [Text];

    public void CheckConnection(string path, string connection, HostCheckContext context)
    {
        // The text engine has no server.
    }

    public BackupFormat FormatFor(BackupJobOptions job) => Text;

    public void Validate(string path, BackupJobOptions job, ValidationCollector errors)
    {
        if (string.IsNullOrEmpty(job.EngineSettings<TextEngineOptions>().Text))
        {
            errors.Add($"{path}:{nameof(TextEngineOptions.Text)}", "required: what to dump");
        }
    }

    public void CheckHost(string path, BackupJobOptions job, HostCheckContext context)
    {
    }

    public Task<DumpPlan> PlanDumpAsync(EngineContext context, CancellationToken cancellationToken)
    {
        var settings = context.Options.EngineSettings<TextEngineOptions>();
        var text = settings.Text!;
        if (settings.InProcess)
        {
            return Task.FromResult(new DumpPlan(DumpSource.InProcess(new TextProducer(text, settings.FailAfterBytes)), "opsagent", null, Text.Name) { Database = "text" });
        }

        var dump = new ToolCommand("sh", ["-c", "printf '%s\\n' \"$1\"; echo \"$2\"", "sh", text, Trailer]);
        return Task.FromResult(new DumpPlan(dump, "sh", null, Text.Name) { Database = "text" });
    }

    public IDumpContentCheck CreateContentCheck(string format, VerifyMode depth) => new TrailerCheck();

    public ToolCommand? HostChecker(string path, string format) => null;

    public Task<RestorePlan> PlanRestoreAsync(EngineContext context, string format, RestoreTarget into, CancellationToken cancellationToken)
    {
        // The engine's own kind of target: a directory, where the text goes as restored.txt.
        var directory = into.Directory ?? throw new BackupFailedException(BackupReasons.WrongTarget, "text backups restore into a directory");
        return Task.FromResult<RestorePlan>(new ToolCommand("sh", ["-c", "cat > \"$1\"/restored.txt", "sh", directory]) { RedirectStandardInput = true });
    }

    /// <summary>The text written 64 KiB at a time (so a large one crosses the pipe's bounds), counting its lines for the <c>.json</c>.</summary>
    private sealed class TextProducer(string text, long? failAfterBytes) : IDumpProducer
    {
        public string Display => "text in process";

        public async Task<System.Text.Json.Nodes.JsonObject?> WriteAsync(Stream destination, CancellationToken cancellationToken)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text + "\n" + Trailer + "\n");
            for (var offset = 0; offset < bytes.Length; offset += 1 << 16)
            {
                if (failAfterBytes is { } limit && offset >= limit)
                {
                    throw new BackupFailedException(BackupReasons.PermissionDenied, "cannot read /srv/media/secret.jpg: permission denied");
                }

                await destination.WriteAsync(bytes.AsMemory(offset, Math.Min(1 << 16, bytes.Length - offset)), cancellationToken).ConfigureAwait(false);
            }

            return new System.Text.Json.Nodes.JsonObject { ["lines"] = bytes.Count(b => b == (byte)'\n') };
        }
    }

    private sealed class TrailerCheck : IDumpContentCheck
    {
        private readonly List<byte> _all = [];

        public string? Checks => "text trailer";

        public void Add(ReadOnlySpan<byte> bytes) => _all.AddRange(bytes.ToArray());

        public (string? Reason, string? Problem) Finish()
            => System.Text.Encoding.UTF8.GetString([.. _all]).TrimEnd().EndsWith(Trailer, StringComparison.Ordinal) ? (null, null) : (BackupReasons.Truncated, "no trailer");
    }
}
