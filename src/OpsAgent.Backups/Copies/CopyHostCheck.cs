using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Copies;

/// <summary>
/// What the copies need from this host: each target's own check (its secrets resolve, its key files are readable; nothing
/// connects), and for a job whose copies are encrypted, <c>age</c> and the recipient and identity files.
/// </summary>
internal sealed class CopyHostCheck : IHostCheck
{
    /// <summary>The storage classes AWS documents for PutObject.</summary>
    internal static readonly string[] AwsStorageClasses =
        ["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE"];

    public async Task CheckAsync(AgentConfiguration configuration, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var (name, target) in configuration.Get<CopyTargetsOptions>().Targets.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (target.Settings is ICopyTargetSettings settings)
            {
                await settings.CheckHostAsync($"{CopyTargetsOptions.SectionName}:{name}", context, cancellationToken).ConfigureAwait(false);
            }
        }

        var targets = configuration.Get<CopyTargetsOptions>().Targets;
        foreach (var (job, options) in configuration.Get<BackupsOptions>().Jobs.OrderBy(j => j.Key, StringComparer.Ordinal))
        {
            foreach (var (copy, o) in options.Copies.Where(c => c.Value?.StorageClass is not null))
            {
                // A typo (GLACIERR) is only refused by the server, at the first upload, after the retries.
                if (targets.TryGetValue(CopyValidation.TargetOf(copy, o!), out var target) && target.Type == "s3" && !AwsStorageClasses.Contains(o!.StorageClass!))
                {
                    context.Warning($"{BackupsOptions.SectionName}:{job}:{nameof(BackupJobOptions.Copies)}:{copy}:{nameof(CopyOptions.StorageClass)}",
                        $"'{o.StorageClass}' is not one of AWS's storage classes ({string.Join(", ", AwsStorageClasses)}): fine if your provider documents it, else every upload fails with transfer_failed");
                }
            }
        }

        if (context.Offline)
        {
            return;
        }

        foreach (var (job, options) in configuration.Get<BackupsOptions>().Jobs.OrderBy(j => j.Key, StringComparer.Ordinal))
        {
            if (!options.Copies.Values.Any(c => c is { Encrypt: true }) || options.Encryption is not { } encryption)
            {
                continue;
            }

            var path = $"{BackupsOptions.SectionName}:{job}:{nameof(BackupJobOptions.Encryption)}";
            if (encryption.AgePath is { } agePath ? !File.Exists(agePath) : Executables.FindOnPath("age") is null)
            {
                context.Error($"{path}:{nameof(EncryptionOptions.AgePath)}", encryption.AgePath is null
                    ? "age is not on PATH: encrypted copies would fail with encryption_failed (apt install age)"
                    : $"{encryption.AgePath} does not exist: encrypted copies would fail with encryption_failed");
            }

            CheckReadable(context, $"{path}:{nameof(EncryptionOptions.RecipientsFile)}", encryption.RecipientsFile, "encrypted copies would fail with encryption_failed");
            CheckReadable(context, $"{path}:{nameof(EncryptionOptions.IdentityFile)}", encryption.IdentityFile, "backup restore --from would need --identity");
        }
    }

    private static void CheckReadable(HostCheckContext context, string path, string? file, string consequence)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return;
        }

        try
        {
            using var stream = File.OpenRead(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error(path, $"cannot read {file} ({ex.GetType().Name}: {ex.Message}): {consequence}");
        }
    }
}
