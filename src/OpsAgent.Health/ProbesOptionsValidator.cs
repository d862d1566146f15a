using Microsoft.Extensions.Options;
using OpsAgent.Core.Configuration;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health;

/// <summary>Validates <see cref="ProbesOptions"/>, reporting every problem with its configuration path.</summary>
/// <remarks>The settings of each probe type and restart target are validated by the type itself.</remarks>
internal sealed class ProbesOptionsValidator(IEnumerable<ConfigurationKind> kinds) : IValidateOptions<ProbesOptions>
{
    private readonly List<string> _types = [.. kinds.Where(k => k.EntryType == typeof(ProbeOptions)).Select(k => k.Name)];
    private readonly List<string> _targets = [.. kinds.Where(k => k.EntryType == typeof(RestartOptions)).Select(k => k.Name)];

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
            o.Ping?.Validate($"{path}:{nameof(o.Ping)}", errors);
            if (o.Every < TimeSpan.FromSeconds(1))
            {
                errors.Add($"{path}:{nameof(o.Every)}", "must be at least 1 second");
            }

            if (o.Timeout <= TimeSpan.Zero)
            {
                errors.Add($"{path}:{nameof(o.Timeout)}", "must be positive");
            }
            else if (o.Timeout > o.Every)
            {
                errors.Add($"{path}:{nameof(o.Timeout)}", $"must not exceed Every ({o.Every})");
            }

            if (o.FailureThreshold < 1)
            {
                errors.Add($"{path}:{nameof(o.FailureThreshold)}", "must be at least 1");
            }

            if (o.SuccessThreshold < 1)
            {
                errors.Add($"{path}:{nameof(o.SuccessThreshold)}", "must be at least 1");
            }

            if (o.StartPeriod < TimeSpan.Zero)
            {
                errors.Add($"{path}:{nameof(o.StartPeriod)}", "must not be negative");
            }

            for (var i = 0; i < o.DependsOn.Count; i++)
            {
                var dependency = o.DependsOn[i];
                if (string.Equals(dependency, probe, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{path}:{nameof(o.DependsOn)}:{i}", "a probe cannot depend on itself");
                }
                else if (!options.Probes.ContainsKey(dependency))
                {
                    errors.Add($"{path}:{nameof(o.DependsOn)}:{i}", $"no probe named '{dependency}' (configured: {string.Join(", ", options.Probes.Keys.Order(StringComparer.Ordinal))})");
                }
            }

            if (o.Restart is { } r)
            {
                ValidateRestart($"{path}:{nameof(o.Restart)}", r, errors);
            }

            if (o.OnCritical is { } command)
            {
                var at = $"{path}:{nameof(o.OnCritical)}";
                if (string.IsNullOrWhiteSpace(command.Command))
                {
                    errors.Add($"{at}:{nameof(command.Command)}", "required: the command to run");
                }
                else if (!Core.Processes.ShellWords.TrySplitCommand(command.Command, out _, out var problem))
                {
                    errors.Add($"{at}:{nameof(command.Command)}", $"cannot be split into words: {problem}");
                }

                if (command.Timeout <= TimeSpan.Zero)
                {
                    errors.Add($"{at}:{nameof(command.Timeout)}", "must be positive");
                }

                if (command.Window <= TimeSpan.Zero)
                {
                    errors.Add($"{at}:{nameof(command.Window)}", "must be positive");
                }
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

    private void ValidateTarget(string path, ProbeOptions o, ValidationCollector errors)
    {
        if (o.Settings is IProbeSettings settings)
        {
            settings.Validate(path, errors);
            settings.ValidateEntry(path, o, errors);
        }
        else
        {
            errors.Add($"{path}:{nameof(o.Type)}", ConfigurationKind.Unknown(o.Type, _types));
        }
    }

    private void ValidateRestart(string path, RestartOptions r, ValidationCollector errors)
    {
        if (r.Target is IRestartTargetSettings target)
        {
            target.Validate(path, errors);
        }
        else
        {
            errors.Add(path, $"set exactly one of {string.Join(", ", _targets.SkipLast(1))} or {_targets[^1]}");
        }

        if (r.MaxRestarts < 1)
        {
            errors.Add($"{path}:{nameof(r.MaxRestarts)}", "must be at least 1 (remove Restart to only report)");
        }

        if (r.Window <= TimeSpan.Zero)
        {
            errors.Add($"{path}:{nameof(r.Window)}", "must be positive");
        }

        if (r.Backoff.Initial < TimeSpan.Zero || r.Backoff.Max < r.Backoff.Initial)
        {
            errors.Add($"{path}:{nameof(r.Backoff)}", "Initial must not be negative and Max must be at least Initial");
        }

        if (r.VerifyTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{path}:{nameof(r.VerifyTimeout)}", "must be positive");
        }

        if (r.CaptureLogLines is < 0 or > 100_000)
        {
            errors.Add($"{path}:{nameof(r.CaptureLogLines)}", "must be between 0 and 100000");
        }
    }
}
