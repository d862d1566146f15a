using Microsoft.Extensions.Options;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Health;

/// <summary>Validates <see cref="ProbesOptions"/>, reporting every problem with its configuration path.</summary>
public sealed class ProbesOptionsValidator : IValidateOptions<ProbesOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ProbesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationCollector();
        foreach (var (probe, o) in options.Probes)
        {
            var path = $"{ProbesOptions.SectionName}:{probe}";
            if (!NameRules.IsValid(probe))
            {
                errors.Add(path, NameRules.Rule);
            }

            ValidateTarget(path, o, errors);
            if (o.Every < TimeSpan.FromSeconds(1))
            {
                errors.Add($"{path}:Every", "must be at least 1 second");
            }

            if (o.Timeout <= TimeSpan.Zero)
            {
                errors.Add($"{path}:Timeout", "must be positive");
            }
            else if (o.Timeout > o.Every)
            {
                errors.Add($"{path}:Timeout", $"must not exceed Every ({o.Every})");
            }

            if (o.FailureThreshold < 1)
            {
                errors.Add($"{path}:FailureThreshold", "must be at least 1");
            }

            if (o.SuccessThreshold < 1)
            {
                errors.Add($"{path}:SuccessThreshold", "must be at least 1");
            }

            if (o.StartPeriod < TimeSpan.Zero)
            {
                errors.Add($"{path}:StartPeriod", "must not be negative");
            }

            for (var i = 0; i < o.DependsOn.Count; i++)
            {
                var dependency = o.DependsOn[i];
                if (string.Equals(dependency, probe, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{path}:DependsOn:{i}", "a probe cannot depend on itself");
                }
                else if (!options.Probes.ContainsKey(dependency))
                {
                    errors.Add($"{path}:DependsOn:{i}", $"no probe named '{dependency}' (configured: {string.Join(", ", options.Probes.Keys.Order(StringComparer.Ordinal))})");
                }
            }

            if (o.Restart is { } r)
            {
                ValidateRestart($"{path}:Restart", r, errors);
            }
        }

        ReportCycles(options, errors);
        return errors.ToResult();
    }

    /// <summary>
    /// A probe in a <c>DependsOn</c> cycle is never restarted (each waits for the other to be healthy), so a cycle is an
    /// error, reported once at the path of its alphabetically first member.
    /// </summary>
    private static void ReportCycles(ProbesOptions options, ValidationCollector errors)
    {
        var done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var stack = new List<string>();

        void Visit(string probe)
        {
            var onStack = stack.FindIndex(p => string.Equals(p, probe, StringComparison.OrdinalIgnoreCase));
            if (onStack >= 0)
            {
                var cycle = stack[onStack..];
                var first = cycle.IndexOf(cycle.Min(StringComparer.Ordinal)!);
                var ordered = cycle[first..].Concat(cycle[..first]).ToList();
                if (reported.Add(string.Join('\0', ordered)))
                {
                    errors.Add($"{ProbesOptions.SectionName}:{ordered[0]}:DependsOn", $"cycle {string.Join(" -> ", ordered.Append(ordered[0]))}");
                }

                return;
            }

            if (!done.Add(probe))
            {
                return;
            }

            stack.Add(probe);
            // Self-dependencies and unknown names are reported per entry above.
            foreach (var dependency in options.Probes[probe].DependsOn.Where(d => options.Probes.ContainsKey(d) && !string.Equals(d, probe, StringComparison.OrdinalIgnoreCase)))
            {
                Visit(options.Probes.Keys.First(k => string.Equals(k, dependency, StringComparison.OrdinalIgnoreCase)));
            }

            stack.RemoveAt(stack.Count - 1);
        }

        foreach (var probe in options.Probes.Keys.Order(StringComparer.Ordinal))
        {
            Visit(probe);
        }
    }

    private static void ValidateTarget(string path, ProbeOptions o, ValidationCollector errors)
    {
        switch (o.Type)
        {
            case null:
                errors.Add($"{path}:Type", "required: http, tcp, postgres, mongodb, docker or systemd");
                break;
            case ProbeType.Http:
                if (string.IsNullOrWhiteSpace(o.Url))
                {
                    errors.Add($"{path}:Url", "required for an http probe");
                }
                else if (!Uri.TryCreate(o.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"{path}:Url", $"'{o.Url}' is not an absolute http:// or https:// URL");
                }

                foreach (var status in o.ExpectStatus.Where(s => s is < 100 or > 599))
                {
                    errors.Add($"{path}:ExpectStatus", $"{status} is not an HTTP status code");
                }

                if (o.MaxBodyBytes is < 1 or > ProbeOptions.MaxBodyBytesCeiling)
                {
                    errors.Add($"{path}:MaxBodyBytes", $"must be 1-{ProbeOptions.MaxBodyBytesCeiling} (16 MiB): the body is held in memory");
                }

                break;
            case ProbeType.Tcp:
                if (string.IsNullOrWhiteSpace(o.Host))
                {
                    errors.Add($"{path}:Host", "required for a tcp probe");
                }

                if (o.Port is null or < 1 or > 65535)
                {
                    errors.Add($"{path}:Port", "required for a tcp probe: 1-65535");
                }

                break;
            case ProbeType.Postgres or ProbeType.MongoDb:
                if (o.Connection is null)
                {
                    errors.Add($"{path}:Connection", "required: the database connection (a secret: inline, File, FromEnvFile with Variable, or Environment)");
                }
                else
                {
                    foreach (var e in o.Connection.Validate($"{path}:Connection"))
                    {
                        errors.Add(e);
                    }

                    if (o.Type == ProbeType.Postgres && o.Connection.Value is { } inline && Core.Databases.PostgresConnection.Problem(inline) is { } problem)
                    {
                        errors.Add($"{path}:Connection", problem);
                    }
                }

                break;
            case ProbeType.Docker:
                if (string.IsNullOrWhiteSpace(o.Container))
                {
                    errors.Add($"{path}:Container", "required for a docker probe");
                }

                break;
            case ProbeType.Systemd:
                if (string.IsNullOrWhiteSpace(o.Unit))
                {
                    errors.Add($"{path}:Unit", "required for a systemd probe");
                }

                break;
        }
    }

    private static void ValidateRestart(string path, RestartOptions r, ValidationCollector errors)
    {
        var targets = new[] { r.Unit, r.Container, r.WindowsService }.Count(t => !string.IsNullOrWhiteSpace(t));
        if (targets != 1)
        {
            errors.Add(path, "set exactly one of Unit, Container or WindowsService");
        }

        if (r.WindowsService is not null && !OperatingSystem.IsWindows())
        {
            errors.Add($"{path}:WindowsService", "Windows services can only be restarted on Windows");
        }

        if (r.MaxRestarts < 1)
        {
            errors.Add($"{path}:MaxRestarts", "must be at least 1 (remove Restart to only report)");
        }

        if (r.Window <= TimeSpan.Zero)
        {
            errors.Add($"{path}:Window", "must be positive");
        }

        if (r.Backoff.Initial < TimeSpan.Zero || r.Backoff.Max < r.Backoff.Initial)
        {
            errors.Add($"{path}:Backoff", "Initial must not be negative and Max must be at least Initial");
        }

        if (r.VerifyTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{path}:VerifyTimeout", "must be positive");
        }

        if (r.CaptureLogLines is < 0 or > 100_000)
        {
            errors.Add($"{path}:CaptureLogLines", "must be between 0 and 100000");
        }
    }
}
