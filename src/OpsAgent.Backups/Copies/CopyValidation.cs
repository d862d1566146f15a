using System.Text.RegularExpressions;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Copies;

/// <summary>The checks of a job's <c>Copies</c>, <c>Encryption</c> and <c>KeepUncopiedDays</c> that need nothing outside the job.</summary>
internal static partial class CopyValidation
{
    [GeneratedRegex(@"^age1[02-9ac-hj-np-z]{58,}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AgeRecipient();

    [GeneratedRegex(@"^(ssh-ed25519|ssh-rsa) AAAA[A-Za-z0-9+/]+={0,2}( .*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex SshRecipient();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex FolderSegment();

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex StorageClassPattern();

    /// <summary>True when <paramref name="recipient"/> is an <c>age</c> X25519 or plugin recipient, or an SSH public key <c>age</c> accepts.</summary>
    public static bool IsRecipient(string recipient) => AgeRecipient().IsMatch(recipient) || SshRecipient().IsMatch(recipient);

    /// <summary>True when <paramref name="value"/> looks like a private key (an age identity <c>AGE-SECRET-KEY-1…</c>, <c>AGE-PLUGIN-…</c>, or a PEM/OpenSSH key): never echoed in a message.</summary>
    private static bool IsPrivateKey(string value)
        => value.TrimStart().StartsWith("AGE-", StringComparison.OrdinalIgnoreCase) || value.Contains("PRIVATE KEY", StringComparison.OrdinalIgnoreCase);

    /// <summary>The target a copy goes to: its <c>Target</c>, or the copy's own name.</summary>
    public static string TargetOf(string copy, CopyOptions options) => string.IsNullOrWhiteSpace(options.Target) ? copy : options.Target;

    public static void ValidateJob(string path, BackupJobOptions job, ValidationCollector errors)
    {
        if (job.KeepUncopiedDays is < 0 or > 3660)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.KeepUncopiedDays)}", "must be 0-3660 days (0: local retention alone decides, even for a backup no target has yet)");
        }

        var anyEncrypted = false;
        foreach (var (copy, o) in job.Copies)
        {
            var at = $"{path}:{nameof(BackupJobOptions.Copies)}:{copy}";
            if (!NameRules.IsValid(copy))
            {
                errors.Add(at, NameRules.Rule);
            }

            if (o is null)
            {
                errors.Add(at, "must be an object such as {} (the target's defaults) or { \"Retention\": { \"KeepWeekly\": 4 } }");
                continue;
            }

            if (o.Folder is { } folder && (folder.Length == 0 || folder.Length > 200 || !folder.Split('/').All(s => FolderSegment().IsMatch(s) && s != ".." && s != ".")))
            {
                errors.Add($"{at}:{nameof(CopyOptions.Folder)}", $"'{StrictBinder.Truncate(folder)}' must be a relative path of plain segments (letters, digits, '.', '_', '-') joined by '/', such as \"cold\"");
            }

            if (o.StorageClass is { } storageClass && !StorageClassPattern().IsMatch(storageClass))
            {
                errors.Add($"{at}:{nameof(CopyOptions.StorageClass)}", $"'{StrictBinder.Truncate(storageClass)}' is not a storage class name (upper case, such as STANDARD_IA or GLACIER)");
            }

            if (o.Retries is < 0 or > 10)
            {
                errors.Add($"{at}:{nameof(CopyOptions.Retries)}", "must be 0-10");
            }

            if (o.RetryDelay < TimeSpan.Zero || o.RetryDelay > TimeSpan.FromHours(1))
            {
                errors.Add($"{at}:{nameof(CopyOptions.RetryDelay)}", "must be 0 to 1 hour (it doubles for each further retry; the next run retries anyway)");
            }

            BackupsOptionsValidator.ValidateRetention($"{at}:{nameof(CopyOptions.Retention)}", o.Retention, errors);
            anyEncrypted |= o.Encrypt;
        }

        var encryption = job.Encryption;
        if (anyEncrypted && encryption?.HasRecipients != true)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Encryption)}", "a copy has Encrypt: true, so Encryption needs Recipients (age1… public keys) or a RecipientsFile; nothing is ever uploaded unencrypted in its place");
        }

        if (encryption is null)
        {
            return;
        }

        var enc = $"{path}:{nameof(BackupJobOptions.Encryption)}";
        for (var i = 0; i < encryption.Recipients.Count; i++)
        {
            var recipient = encryption.Recipients[i];
            if (recipient is null || !IsRecipient(recipient))
            {
                errors.Add($"{enc}:{nameof(EncryptionOptions.Recipients)}:{i}", recipient is not null && IsPrivateKey(recipient)
                    ? "is a private key (not repeated here), not a recipient: give its public key (age-keygen -y FILE, ssh-keygen -y -f FILE) and remove the private key from the configuration"
                    : $"'{StrictBinder.Truncate(recipient ?? string.Empty)}' is not an age recipient (age1… from age-keygen -y, or an ssh-ed25519/ssh-rsa public key); a private key (AGE-SECRET-KEY-…) never belongs here");
            }
        }

        foreach (var (key, file) in new[] { (nameof(EncryptionOptions.RecipientsFile), encryption.RecipientsFile), (nameof(EncryptionOptions.IdentityFile), encryption.IdentityFile), (nameof(EncryptionOptions.AgePath), encryption.AgePath) })
        {
            if (file is not null && (file.Any(char.IsControl) || !Path.IsPathFullyQualified(file)))
            {
                errors.Add($"{enc}:{key}", IsPrivateKey(file)
                    ? "is a private key (not repeated here), not a file: give the absolute path of a file, and remove the private key from the configuration"
                    : $"'{StrictBinder.Truncate(file)}' must be an absolute path");
            }
        }
    }
}
