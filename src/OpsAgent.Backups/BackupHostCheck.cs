using System.Runtime.InteropServices;
using OpsAgent.Backups.Engines;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Backups;

/// <summary>
/// What a backup job needs from this host: its connection secret, no example host in it, the dump tool when it runs on
/// the host, its container, and a directory the agent can write, under the unit's sandbox too.
/// </summary>
internal sealed partial class BackupHostCheck(BackupEngines engines) : IHostCheck
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
            // Host checks run on a configuration that loaded, so every job names a registered engine.
            var engine = engines.For(job).Engine;
            var connectionPath = $"{path}:{nameof(BackupJobOptions.Connection)}";
            if (job.Connection is not null && await context.ResolveSecretAsync(job.Connection, connectionPath, cancellationToken).ConfigureAwait(false) is { } connection)
            {
                engine.CheckConnection(connectionPath, connection, context);
            }

            if (job.Container is { } container)
            {
                await context.CheckContainerAsync($"{path}:{nameof(BackupJobOptions.Container)}", container, cancellationToken).ConfigureAwait(false);
            }
            else if (!context.Offline)
            {
                engine.CheckHost(path, job, context);
                if (engine is IAsyncHostCheck asynchronous)
                {
                    await asynchronous.CheckHostAsync(path, job, context, cancellationToken).ConfigureAwait(false);
                }
            }

            var stops = job.Restore?.Stop ?? [];
            for (var i = 0; i < stops.Count; i++)
            {
                var at = $"{path}:{nameof(BackupJobOptions.Restore)}:{nameof(Restore.RestoreOptions.Stop)}:{i}";
                if (stops[i].Container is { } stopContainer)
                {
                    await context.CheckContainerAsync($"{at}:{nameof(Stops.StopTargetOptions.Container)}", stopContainer, cancellationToken).ConfigureAwait(false);
                }
                else if (stops[i].Unit is { } unit)
                {
                    await context.CheckUnitAsync($"{at}:{nameof(Stops.StopTargetOptions.Unit)}", unit, cancellationToken).ConfigureAwait(false);
                }
            }

            if (job.Ping is { } ping)
            {
                await ping.CheckHostAsync($"{path}:{nameof(BackupJobOptions.Ping)}", context, cancellationToken).ConfigureAwait(false);
            }

            if (job.Directory is { } directory && !context.Offline)
            {
                await CheckDirectoryAsync(context, $"{path}:{nameof(BackupJobOptions.Directory)}", directory, cancellationToken).ConfigureAwait(false);
            }
        }
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
