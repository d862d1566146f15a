using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Certificates;

/// <summary>Runs <c>OnCritical</c> commands at most once a day per configured certificate (or per matched file), and counts them.</summary>
/// <remarks>
/// The last attempt is kept in <c>StateDirectory/certificate-renewals.json</c> and written before the command runs, so an
/// agent restarted every few minutes (or crashing inside the command) still does not hammer the CA's rate limits. An
/// attempt whose command could not start at all (not installed, refused by systemd) is forgotten again: it cannot have
/// reached the CA, and the next check should try once the host is repaired rather than a day later.
/// Commands run through <see cref="HostCommandRunner"/>: as transient units outside the agent's sandbox under systemd.
/// </remarks>
public sealed class CertificateRenewer(HostCommandRunner commands, SecretRedactor redactor, TimeProvider time, ILogger<CertificateRenewer> logger)
{
    /// <summary>Captured output kept in the journal entry.</summary>
    internal const int MaxOutputChars = 32 * 1024;





    /// <summary>The unit name's purpose part: <c>opsagent-cert-renew-ENTRY-TIME.service</c>.</summary>
    internal const string Purpose = "cert-renew";

    private readonly ConcurrentDictionary<string, (long Success, long Failure)> _counts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Dictionary<string, DateTimeOffset>? _lastAttempts;

    /// <summary>Renewal counts per configured name.</summary>
    public (long Success, long Failure) Counts(string entry) => _counts.TryGetValue(entry, out var c) ? c : default;

    /// <summary>Runs <paramref name="options"/> for <paramref name="entry"/> unless it ran less than a day ago; null when skipped, else whether it succeeded.</summary>
    /// <param name="entry">The configured name.</param>
    /// <param name="options">The commands.</param>
    /// <param name="file">The critical matched file when the commands name it (<c>{CertName}</c>, <c>{Path}</c>): they run once a day per file; else null.</param>
    /// <param name="stateDirectory">Where the attempts are kept.</param>
    /// <param name="cancellationToken">Stops the commands.</param>
    public async Task<bool?> RenewAsync(string entry, OnCriticalOptions options, string? file, string stateDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = time.GetUtcNow();
        var statePath = Path.Combine(stateDirectory, "certificate-renewals.json");
        var key = file is null ? entry : $"{entry}:{file}";
        var label = file is null ? entry : $"{entry} ({file})";
        string? persistError;
        bool hadLast;
        DateTimeOffset previous;
        lock (_lock)
        {
            _lastAttempts ??= Load(statePath);
            if (_lastAttempts.TryGetValue(key, out var last) && now - last < TimeSpan.FromDays(1))
            {
                CertificateLog.RenewalSkipped(logger, label, last);
                return null;
            }

            hadLast = _lastAttempts.Remove(key, out previous);
            _lastAttempts[key] = now;
            persistError = Save(statePath, _lastAttempts);
            if (persistError is not null)
            {
                // Not remembered either: the next check tries again (and says so again) once the directory is repaired.
                Forget(key, hadLast, previous);
            }
        }

        if (persistError is not null)
        {
            // Without the record an agent in a restart loop would run the command at every start, against the CA's rate limits.
            _counts.AddOrUpdate(entry, _ => (0, 1), (_, c) => (c.Success, c.Failure + 1));
            using (EventScope.Begin(logger, "certificate_renewal", ("Result", "failure"), ("Reason", CertificateReasons.StateUnwritable)))
            {
                CertificateLog.RenewalNotRun(logger, label, options.Command!, statePath, persistError);
            }

            return false;
        }

        var output = new StringBuilder();
        var (ok, reason, error, started) = await RunAsync(entry, options.Command!, file, options.Timeout, output, cancellationToken).ConfigureAwait(false);
        var display = options.Command!;
        if (ok && !string.IsNullOrWhiteSpace(options.Then))
        {
            display = $"{options.Command} then {options.Then}";
            (ok, reason, error, _) = await RunAsync(entry, options.Then, file, options.Timeout, output, cancellationToken).ConfigureAwait(false);
        }

        if (!started)
        {
            lock (_lock)
            {
                Forget(key, hadLast, previous);
                if (Save(statePath, _lastAttempts) is { } forgetError)
                {
                    CertificateLog.StateFileProblem(logger, statePath, forgetError);
                }
            }
        }

        _counts.AddOrUpdate(entry, _ => ok ? (1, 0) : (0, 1), (_, c) => ok ? (c.Success + 1, c.Failure) : (c.Success, c.Failure + 1));
        var captured = redactor.Redact(output.Length > MaxOutputChars ? output.ToString(output.Length - MaxOutputChars, MaxOutputChars) : output.ToString());
        using (EventScope.Begin(logger, "certificate_renewal", ("Output", captured), ("Result", ok ? "success" : "failure")))
        {
            if (ok)
            {
                CertificateLog.RenewalSucceeded(logger, label, display);
            }
            else if (!started)
            {
                CertificateLog.RenewalNotStarted(logger, label, display, reason!, redactor.Redact(error!));
            }
            else
            {
                CertificateLog.RenewalFailed(logger, label, display, reason!, redactor.Redact(error!));
            }
        }

        return ok;
    }

    /// <summary>Restores the attempt recorded before <paramref name="key"/>'s (call under the lock).</summary>
    private void Forget(string key, bool hadLast, DateTimeOffset previous)
    {
        _lastAttempts!.Remove(key);
        if (hadLast)
        {
            _lastAttempts[key] = previous;
        }
    }

    private async Task<(bool Ok, string? Reason, string? Error, bool Started)> RunAsync(string entry, string commandLine, string? file, TimeSpan timeout, StringBuilder output,
        CancellationToken cancellationToken)
    {
        if (!ShellWords.TrySplitCommand(commandLine, out var parsed, out var parseError))
        {
            return (false, CertificateReasons.BadCommand, parseError, false);
        }

        var words = RenewalPlaceholders.Substitute(parsed, file);
        var command = new ToolCommand(words[0], [.. words.Skip(1)]);
        output.Append("$ ").AppendLine(command.Display);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var (exit, stdout, unit) = await commands.RunAsync(Purpose, entry, command, timeout, limit.Token).ConfigureAwait(false);
            if (unit is not null)
            {
                output.Append("(ran as ").Append(unit).AppendLine(")");
            }

            output.Append(stdout);
            if (exit.StandardError.Length > 0)
            {
                output.AppendLine(exit.StandardError.TrimEnd());
            }

            return exit.ExitCode == 0 ? (true, null, null, true) : (false, CertificateReasons.ExitCode, $"{words[0]} exited with {exit.ExitCode}: {exit.Summary}", true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, CertificateReasons.Timeout, $"{words[0]} was killed after {timeout}", true);
        }
        catch (ToolStartException ex)
        {
            return (false, ex.Reason, ex.Message, false);
        }
    }

    private Dictionary<string, DateTimeOffset> Load(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                return JsonSerializer.Deserialize(File.ReadAllText(path), RenewalStateJsonContext.Default.DictionaryStringDateTimeOffset)
                    ?? new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            CertificateLog.StateFileProblem(logger, path, ex.Message);
        }

        return new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
    }

    /// <summary>Writes the attempts; returns why it could not, or null.</summary>
    private static string? Save(string path, Dictionary<string, DateTimeOffset> attempts)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(attempts, RenewalStateJsonContext.Default.DictionaryStringDateTimeOffset));
            File.Move(temporary, path, overwrite: true);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }
}

/// <summary>Source-generated JSON for the renewal state file.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, DateTimeOffset>))]
internal sealed partial class RenewalStateJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
