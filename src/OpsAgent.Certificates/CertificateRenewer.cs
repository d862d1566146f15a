using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Certificates;

/// <summary>Runs <c>OnCritical</c> commands at most once a day per configured certificate, and counts them.</summary>
/// <remarks>
/// The last attempt is kept in <c>StateDirectory/certificate-renewals.json</c> and written before the command runs, so an
/// agent restarted every few minutes (or crashing inside the command) still does not hammer the CA's rate limits.
/// </remarks>
public sealed class CertificateRenewer(ToolRunner tools, SecretRedactor redactor, TimeProvider time, ILogger<CertificateRenewer> logger)
{
    /// <summary>Captured output kept in the journal entry.</summary>
    internal const int MaxOutputChars = 32 * 1024;

    /// <summary>The reason of a renewal not run because its attempt could not be recorded.</summary>
    internal const string StateUnwritable = "state_unwritable";

    private readonly ConcurrentDictionary<string, (long Success, long Failure)> _counts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Dictionary<string, DateTimeOffset>? _lastAttempts;

    /// <summary>Renewal counts per configured name.</summary>
    public (long Success, long Failure) Counts(string entry) => _counts.TryGetValue(entry, out var c) ? c : default;

    /// <summary>Runs <paramref name="options"/> for <paramref name="entry"/> unless it ran less than a day ago; null when skipped, else whether it succeeded.</summary>
    public async Task<bool?> RenewAsync(string entry, OnCriticalOptions options, string stateDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = time.GetUtcNow();
        var statePath = Path.Combine(stateDirectory, "certificate-renewals.json");
        string? persistError;
        lock (_lock)
        {
            _lastAttempts ??= Load(statePath);
            if (_lastAttempts.TryGetValue(entry, out var last) && now - last < TimeSpan.FromDays(1))
            {
                CertificateLog.RenewalSkipped(logger, entry, last);
                return null;
            }

            var hadLast = _lastAttempts.Remove(entry, out var previous);
            _lastAttempts[entry] = now;
            persistError = Save(statePath, _lastAttempts);
            if (persistError is not null)
            {
                // Not remembered either: the next check tries again (and says so again) once the directory is repaired.
                _lastAttempts.Remove(entry);
                if (hadLast)
                {
                    _lastAttempts[entry] = previous;
                }
            }
        }

        if (persistError is not null)
        {
            // Without the record an agent in a restart loop would run the command at every start, against the CA's rate limits.
            _counts.AddOrUpdate(entry, _ => (0, 1), (_, c) => (c.Success, c.Failure + 1));
            using (EventScope.Begin(logger, "certificate_renewal", ("Result", "failure"), ("Reason", StateUnwritable)))
            {
                CertificateLog.RenewalNotRun(logger, entry, options.Command!, statePath, persistError);
            }

            return false;
        }

        var output = new StringBuilder();
        var (ok, reason, error) = await RunAsync(options.Command!, options.Timeout, output, cancellationToken).ConfigureAwait(false);
        var display = options.Command!;
        if (ok && !string.IsNullOrWhiteSpace(options.Then))
        {
            display = $"{options.Command} then {options.Then}";
            (ok, reason, error) = await RunAsync(options.Then, options.Timeout, output, cancellationToken).ConfigureAwait(false);
        }

        _counts.AddOrUpdate(entry, _ => ok ? (1, 0) : (0, 1), (_, c) => ok ? (c.Success + 1, c.Failure) : (c.Success, c.Failure + 1));
        var captured = redactor.Redact(output.Length > MaxOutputChars ? output.ToString(output.Length - MaxOutputChars, MaxOutputChars) : output.ToString());
        using (EventScope.Begin(logger, "certificate_renewal", ("Output", captured), ("Result", ok ? "success" : "failure")))
        {
            if (ok)
            {
                CertificateLog.RenewalSucceeded(logger, entry, display);
            }
            else
            {
                CertificateLog.RenewalFailed(logger, entry, display, reason!, redactor.Redact(error!));
            }
        }

        return ok;
    }

    private async Task<(bool Ok, string? Reason, string? Error)> RunAsync(string commandLine, TimeSpan timeout, StringBuilder output, CancellationToken cancellationToken)
    {
        if (!ShellWords.TrySplitCommand(commandLine, out var words, out var parseError))
        {
            return (false, "bad_command", parseError);
        }

        output.Append("$ ").AppendLine(commandLine);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var (exit, stdout) = await tools.RunAsync(new ToolCommand(words[0], [.. words.Skip(1)]), limit.Token).ConfigureAwait(false);
            output.Append(stdout);
            if (exit.StandardError.Length > 0)
            {
                output.AppendLine(exit.StandardError.TrimEnd());
            }

            return exit.ExitCode == 0 ? (true, null, null) : (false, "exit_code", $"{words[0]} exited with {exit.ExitCode}: {exit.Summary}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, "timeout", $"{words[0]} was killed after {timeout}");
        }
        catch (ToolStartException ex)
        {
            return (false, "tool_missing", ex.Message);
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
