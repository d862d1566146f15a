using System.Text;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary><c>mongodump --archive</c> on the host or in a container.</summary>
/// <remarks>
/// The URI carries the password, so it goes to mongodump through <c>--config</c> (a YAML file readable by the agent only)
/// instead of <c>--uri</c> on the command line. In a container the file is written by a small shell wrapper from stdin, so
/// it never touches the host's disk or the exec's argument list.
/// </remarks>
public sealed class MongoEngine : IDumpEngine
{
    private const string ContainerWrapper =
        "umask 077; f=$(mktemp); cat > \"$f\"; \"$0\" --config=\"$f\" \"$@\"; rc=$?; rm -f \"$f\"; exit $rc";

    /// <inheritdoc />
    public async Task<DumpPlan> PlanDumpAsync(EngineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = context.Options;
        var tool = ResolveTool(context, o.MongodumpPath, "mongodump");
        var version = await EngineTools.VersionAsync(context.Tools, tool, o.Container, cancellationToken).ConfigureAwait(false)
            ?? throw new BackupFailedException("tool_missing", o.Container is null
                ? $"{tool} cannot be run on this host"
                : $"mongodump cannot be run in container '{o.Container}': use a container that has the MongoDB Database Tools, or set MongodumpPath");
        var arguments = new List<string> { "--archive", "--quiet" };
        if (!string.IsNullOrEmpty(o.Database))
        {
            arguments.Add($"--db={o.Database}");
        }

        var (command, stdin, temporary) = WithConfig(context, tool, arguments);
        return new DumpPlan(command, tool, version, "archive")
        {
            Database = o.Database,
            Host = HostOf(context.Connection),
            StandardInput = stdin,
            TemporaryFiles = temporary,
        };
    }

    /// <inheritdoc />
    public Task<ToolCommand> PlanRestoreAsync(EngineContext context, string format, string? targetDatabase, bool intoOriginal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = context.Options;
        var tool = ResolveTool(context, o.MongodumpPath is null ? null : EngineTools.Sibling(o.MongodumpPath, "mongorestore"), "mongorestore");
        var arguments = new List<string> { "--archive", "--quiet" };
        if (targetDatabase is not null && o.Database is not null && !intoOriginal)
        {
            arguments.Add($"--nsFrom={o.Database}.*");
            arguments.Add($"--nsTo={targetDatabase}.*");
        }
        else if (intoOriginal)
        {
            arguments.Add("--drop");
        }

        var (command, stdin, _) = WithConfig(context, tool, arguments);
        if (stdin is not null)
        {
            throw new BackupFailedException("unsupported", "restoring MongoDB inside a container needs the archive on stdin; run mongorestore there by hand with the file from 'backup list'");
        }

        return Task.FromResult(command with { RedirectStandardInput = true });
    }

    private static string ResolveTool(EngineContext context, string? explicitPath, string name)
    {
        if (explicitPath is not null || context.Options.Container is not null)
        {
            return explicitPath ?? name;
        }

        return EngineTools.FindOnPath(name) ?? throw new BackupFailedException("tool_missing",
            $"{name} is not installed on this host: install the MongoDB Database Tools (package mongodb-database-tools), or set Container to run {name} inside the MongoDB container");
    }

    private static (ToolCommand Command, string? Stdin, IReadOnlyList<string> Temporary) WithConfig(EngineContext context, string tool, List<string> arguments)
    {
        var o = context.Options;
        var yaml = context.Connection is null ? null : $"uri: \"{EscapeYaml(context.Connection)}\"\n";
        if (yaml is null)
        {
            return (new ToolCommand(tool, arguments) { Container = o.Container }, null, []);
        }

        if (o.Container is not null)
        {
            return (new ToolCommand("sh", ["-c", ContainerWrapper, tool, .. arguments]) { Container = o.Container, RedirectStandardInput = true }, yaml, []);
        }

        Directory.CreateDirectory(context.TemporaryDirectory);
        var file = Path.Combine(context.TemporaryDirectory, $"{context.Job}-{Guid.NewGuid():N}.yaml");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(file, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(yaml));
        }

        return (new ToolCommand(tool, [$"--config={file}", .. arguments]), null, [file]);
    }

    private static string EscapeYaml(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static string? HostOf(string? uri)
    {
        if (uri is null)
        {
            return null;
        }

        var start = uri.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var rest = uri[(start + 3)..];
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            rest = rest[(at + 1)..];
        }

        var end = rest.IndexOfAny(['/', '?']);
        return end < 0 ? rest : rest[..end];
    }
}
