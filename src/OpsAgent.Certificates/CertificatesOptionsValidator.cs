using Microsoft.Extensions.Options;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Certificates;

/// <summary>Validates <see cref="CertificatesOptions"/>, reporting every problem with its configuration path.</summary>
public sealed class CertificatesOptionsValidator : IValidateOptions<CertificatesOptions>
{
    private const string Section = CertificatesOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CertificatesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationCollector();
        if (string.IsNullOrWhiteSpace(options.Schedule))
        {
            errors.Add($"{Section}:{nameof(CertificatesOptions.Schedule)}", "required (for example \"0 */6 * * *\")");
        }
        else if (!ScheduleSpec.TryParseCron(options.Schedule, out _, out var error))
        {
            errors.Add($"{Section}:{nameof(CertificatesOptions.Schedule)}", error!);
        }

        if (options.CriticalDays < 0)
        {
            errors.Add($"{Section}:{nameof(CertificatesOptions.CriticalDays)}", "must not be negative");
        }

        if (options.WarningDays < options.CriticalDays)
        {
            errors.Add($"{Section}:{nameof(CertificatesOptions.WarningDays)}", $"must be at least CriticalDays ({options.CriticalDays})");
        }

        foreach (var (entry, o) in options.Endpoints)
        {
            var path = $"{Section}:{nameof(CertificatesOptions.Endpoints)}:{entry}";
            CheckName(path, entry, errors);
            if (options.Files.ContainsKey(entry))
            {
                errors.Add(path, $"the name '{entry}' is also used under Files; names label metrics and must be unique");
            }

            if (string.IsNullOrWhiteSpace(o.Host))
            {
                errors.Add($"{path}:{nameof(CertificateEndpointOptions.Host)}", "required: the host name or address to connect to");
            }

            if (o.Port is < 1 or > 65535)
            {
                errors.Add($"{path}:{nameof(CertificateEndpointOptions.Port)}", $"{o.Port} is not a TCP port (1-65535)");
            }

            if (o.Timeout <= TimeSpan.Zero)
            {
                errors.Add($"{path}:{nameof(CertificateEndpointOptions.Timeout)}", "must be positive");
            }

            if (o.TrustedCa is not null && !Path.IsPathFullyQualified(o.TrustedCa))
            {
                errors.Add($"{path}:{nameof(CertificateEndpointOptions.TrustedCa)}", $"'{o.TrustedCa}' must be an absolute path");
            }

            CheckOnCritical($"{path}:{nameof(CertificateEndpointOptions.OnCritical)}", o.OnCritical, fileEntry: false, errors);
        }

        if (options.MaxFileBytes is < 1024 or > MaxFileBytesCeiling)
        {
            errors.Add($"{Section}:{nameof(CertificatesOptions.MaxFileBytes)}", $"must be 1024-{MaxFileBytesCeiling} bytes");
        }

        if (options.MaxCertificatesPerFile is < 1 or > 10_000)
        {
            errors.Add($"{Section}:{nameof(CertificatesOptions.MaxCertificatesPerFile)}", "must be 1-10000");
        }

        if (options.FileTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:{nameof(CertificatesOptions.FileTimeout)}", "must be positive");
        }

        foreach (var (entry, o) in options.Files)
        {
            var path = $"{Section}:{nameof(CertificatesOptions.Files)}:{entry}";
            CheckName(path, entry, errors);
            if (string.IsNullOrWhiteSpace(o.Path))
            {
                errors.Add($"{path}:{nameof(CertificateFileOptions.Path)}", "required: an absolute path or glob such as /etc/letsencrypt/live/*/fullchain.pem");
            }
            else if (!System.IO.Path.IsPathFullyQualified(o.Path))
            {
                errors.Add($"{path}:{nameof(CertificateFileOptions.Path)}", $"'{o.Path}' must be an absolute path or glob");
            }

            CheckOnCritical($"{path}:{nameof(CertificateFileOptions.OnCritical)}", o.OnCritical, fileEntry: true, errors);
        }

        return errors.ToResult();
    }

    /// <summary>64 MiB: a certificate file is read whole into memory.</summary>
    private const long MaxFileBytesCeiling = 64L << 20;

    private static void CheckName(string path, string entry, ValidationCollector errors)
    {
        if (!NameRules.IsValid(entry))
        {
            errors.Add(path, NameRules.Rule);
        }
    }

    private static void CheckOnCritical(string path, OnCriticalOptions? o, bool fileEntry, ValidationCollector errors)
    {
        if (o is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(o.Command))
        {
            errors.Add($"{path}:{nameof(OnCriticalOptions.Command)}", "required: the renewal command, such as \"certbot renew --cert-name example.com\"");
        }

        foreach (var (key, text) in new[] { (nameof(o.Command), o.Command), (nameof(o.Then), o.Then) })
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (RenewalPlaceholders.Unknown(text).ToList() is { Count: > 0 } unknown)
            {
                errors.Add($"{path}:{key}", $"unknown placeholder {string.Join(", ", unknown.Select(n => $"{{{n}}}"))}: only {{{RenewalPlaceholders.CertName}}} and {{{RenewalPlaceholders.Path}}} (the matched file) are substituted");
            }
            else if (!fileEntry && RenewalPlaceholders.Used(new OnCriticalOptions { Command = text }))
            {
                errors.Add($"{path}:{key}", $"{{{RenewalPlaceholders.CertName}}} and {{{RenewalPlaceholders.Path}}} name a matched file: they are for Files entries, not Endpoints");
            }

            if (!ShellWords.TrySplitCommand(text, out var words, out var error))
            {
                errors.Add($"{path}:{key}", error!);
            }
            else if (words.Any(w => w.StartsWith("--force-renew", StringComparison.Ordinal)))
            {
                // Forcing a renewal on every critical check would burn the CA's rate limits; certbot renews what is due by itself.
                errors.Add($"{path}:{key}", "--force-renewal is not allowed: certbot renew already renews certificates that are due");
            }
        }

        if (o.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{path}:{nameof(OnCriticalOptions.Timeout)}", "must be positive");
        }
    }
}
