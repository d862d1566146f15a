using System.Runtime.InteropServices;
using OpsAgent.Backups.Engines;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Backups;

/// <summary>
/// What a backup job needs from this host: its connection secret, no example host in it, the dump tool when it runs on
/// the host, its container, and a directory the agent can write, under the unit's sandbox too.
/// </summary>
internal sealed partial class BackupHostCheck : IHostCheck
{
    private const int WriteAccess = 2;

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Access(string path, int mode);

    public async Task CheckAsync(AgentConfiguration configuration, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var (name, job) in configuration.Get<BackupsOptions>().Jobs.OrderBy(j => j.Key, StringComparer.Ordinal))
        {
            var path = $"{BackupsOptions.SectionName}:{name}";
            if (job.Connection is not null && await context.ResolveSecretAsync(job.Connection, $"{path}:Connection", cancellationToken).ConfigureAwait(false) is { } connection)
            {
                context.CheckConnectionHosts($"{path}:Connection", connection, job.Engine == BackupEngine.MongoDb);
            }

            if (job.Container is { } container)
            {
                await context.CheckContainerAsync($"{path}:Container", container, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                CheckTool(context, path, job);
            }

            if (job.Directory is { } directory)
            {
                await CheckDirectoryAsync(context, $"{path}:Directory", directory, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The dump tool for a job that runs it on this host; PostgreSQL's client is chosen per server version at run time, so any will do here.</summary>
    private static void CheckTool(HostCheckContext context, string path, BackupJobOptions job)
    {
        if (job.Engine == BackupEngine.MongoDb)
        {
            if (job.MongodumpPath is { } explicitPath ? !File.Exists(explicitPath) : EngineTools.FindOnPath("mongodump") is null)
            {
                context.Error($"{path}:MongodumpPath", job.MongodumpPath is null
                    ? "mongodump is not on this host's PATH and the job has no Container: install the MongoDB Database Tools (package mongodb-database-tools), set MongodumpPath, or set Container to run it in the MongoDB container"
                    : $"{job.MongodumpPath} does not exist on this host");
            }
        }
        else if (job.Engine == BackupEngine.Postgres)
        {
            if (job.PgDumpPath is { } explicitPath ? !File.Exists(explicitPath) : !AnyPgDump())
            {
                context.Error($"{path}:PgDumpPath", job.PgDumpPath is null
                    ? $"pg_dump is neither on this host's PATH nor in {PostgresEngine.DebianClientRoot}/*/bin and the job has no Container: install the PostgreSQL client matching the server (Debian/Ubuntu: postgresql-client-<version>), set PgDumpPath, or set Container to run it in the database's container"
                    : $"{job.PgDumpPath} does not exist on this host");
            }
        }
    }

    private static bool AnyPgDump()
    {
        if (EngineTools.FindOnPath("pg_dump") is not null)
        {
            return true;
        }

        return Directory.Exists(PostgresEngine.DebianClientRoot)
            && Directory.EnumerateDirectories(PostgresEngine.DebianClientRoot).Any(d => File.Exists(Path.Combine(d, "bin", "pg_dump")));
    }

    private static async Task CheckDirectoryAsync(HostCheckContext context, string path, string directory, CancellationToken cancellationToken)
    {
        if (await context.AgentSandboxAsync(cancellationToken).ConfigureAwait(false) is { } sandbox
            && sandbox.WhyNotWritable(directory, HostCheckContext.AgentUnit, Directory.Exists) is { } problem)
        {
            context.Error(path, problem);
        }

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var existing = directory;
        while (!Directory.Exists(existing) && !File.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        var user = Environment.UserName;
        if (File.Exists(existing))
        {
            context.Error(path, existing == directory ? $"{directory} is a file, not a directory" : $"{directory} cannot be created: {existing} is a file");
        }
        else if (Access(existing, WriteAccess) != 0)
        {
            var reason = Marshal.GetLastPInvokeErrorMessage();
            context.Error(path, existing == directory
                ? $"{directory} is not writable by {user} on this host ({reason})"
                : $"{directory} does not exist and cannot be created by {user}: {existing} is not writable ({reason})");
        }
    }
}
