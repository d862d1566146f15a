using OpsAgent.Backups.Files;
using OpsAgent.Backups.Verification;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary>The registered engines, found by a job's <c>Engine</c> or by a backup file's extension.</summary>
internal sealed class BackupEngines
{
    private readonly List<BackupEngineRegistration> _registrations;

    /// <exception cref="InvalidOperationException">An engine has no format, or an extension that cannot name a data file.</exception>
    public BackupEngines(IEnumerable<BackupEngineRegistration> registrations)
    {
        _registrations = [.. registrations];
        foreach (var (name, engine) in _registrations)
        {
            if (engine.Formats.Count == 0)
            {
                throw new InvalidOperationException($"backup engine '{name}' declares no format");
            }

            if (engine.Formats.FirstOrDefault(f => !BackupFileNames.IsValidExtension(f.Extension)) is { } bad)
            {
                throw new InvalidOperationException($"backup engine '{name}': format '{bad.Name}' has the extension '{bad.Extension}'; a data file's extension is a dot and one lower-case word, not a sidecar's or a compression's");
            }
        }
    }

    /// <summary>The registered names, in registration order.</summary>
    public IReadOnlyList<string> Names => [.. _registrations.Select(r => r.Name)];

    /// <summary>The engine registered as <paramref name="name"/> (any case), or null.</summary>
    public BackupEngineRegistration? Find(string? name)
        => _registrations.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The engine of a job the validator accepted.</summary>
    /// <exception cref="InvalidOperationException">The job names no registered engine (its configuration was never validated).</exception>
    public BackupEngineRegistration For(BackupJobOptions job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Find(job.Engine) ?? throw new InvalidOperationException($"no backup engine '{job.Engine}' is registered (registered: {string.Join(", ", Names)})");
    }

    /// <summary>The engine and format a backup file's name implies (<c>.dump.zst</c>: postgres, custom), or null when no engine writes that extension.</summary>
    public (BackupEngineRegistration Registration, BackupFormat Format)? ForFile(string path)
    {
        foreach (var registration in _registrations)
        {
            if (FormatOf(registration.Engine, path) is { } format)
            {
                return (registration, format);
            }
        }

        return null;
    }

    /// <summary>The format of <paramref name="engine"/> a backup file's name implies (a <c>.partial</c> and the compression suffix aside), or null.</summary>
    public static BackupFormat? FormatOf(IBackupEngine engine, string path)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path);
        if (name.EndsWith(BackupFileNames.PartialSuffix, StringComparison.Ordinal))
        {
            name = name[..^BackupFileNames.PartialSuffix.Length];
        }

        name = name[..^BackupFileNames.CompressionSuffix(BackupFileNames.CompressionOf(name)).Length];
        return engine.Formats.FirstOrDefault(f => name.EndsWith(f.Extension, StringComparison.Ordinal));
    }

    /// <summary>
    /// Verifies a published backup fully (<c>backup verify FILE</c>): its checksum, its decompression, the content check of
    /// the engine its extension names, and the engine's host checker when there is one.
    /// </summary>
    public Task<VerifyResult> VerifyFileAsync(string path, ToolRunner tools, CancellationToken cancellationToken)
    {
        // A file no engine claims still gets its checksum and decompression checked.
        var found = ForFile(path);
        var content = found is { } f ? f.Registration.Engine.CreateContentCheck(f.Format.Name, VerifyMode.Full) : null;
        content?.Expect(BackupMetadata.TryRead(path + ".json")?.Facts);
        var checker = found is { } g ? g.Registration.Engine.HostChecker(path, g.Format.Name) : null;
        return BackupVerifier.VerifyAsync(path, content, null, checker, tools, cancellationToken);
    }
}
