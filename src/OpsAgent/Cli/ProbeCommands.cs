using System.CommandLine;
using OpsAgent.Control;
using System.Globalization;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;
using OpsAgent.Core.Status;
using OpsAgent.Health;

namespace OpsAgent.Cli;

/// <summary><c>opsagent probe run|list</c>, <c>pause</c> and <c>resume</c>.</summary>
internal static class ProbeCommands
{
    public static IEnumerable<Command> Build(Option<string?> config)
    {
        var probe = new Command("probe", "Run probes and show their state");
        var name = new Argument<string>("NAME") { Description = "The probe (a key under OpsAgent:Probes)" };
        var run = new Command("run", "Run one probe now (no restart): result, reason, latency; exit 0 when it succeeds") { name };
        run.SetAction((parse, ct) => RunAsync(parse.GetValue(config), parse.GetValue(name)!, Console.Out, ct));
        probe.Subcommands.Add(run);

        var url = new Option<string?>("--url") { Description = "The agent's HTTP endpoint (default: Http:Listen from the configuration)" };
        var list = new Command("list", "The state of every probe in the running agent") { url };
        list.SetAction((parse, ct) => ListAsync(parse.GetValue(config), parse.GetValue(url), Console.Out, Console.Error, ct));
        probe.Subcommands.Add(list);
        yield return probe;

        var target = new Argument<string>("PROBE") { Description = "A probe name, or all" };
        var duration = new Option<string>("--for") { Description = "How long (30m, 2h, 1d, 01:30:00)", Required = true };
        var pause = new Command("pause", "Stop restarts by a probe (or all) for a while, e.g. during maintenance; probing goes on") { target, duration };
        pause.SetAction((parse, ct) => PauseAsync(parse.GetValue(config), parse.GetValue(target)!, parse.GetValue(duration)!, Console.Out, ct));
        yield return pause;

        var optionalTarget = new Argument<string?>("PROBE") { Description = "The probe to resume (default: every pause)", Arity = ArgumentArity.ZeroOrOne };
        var resume = new Command("resume", "End a pause now") { optionalTarget };
        resume.SetAction((parse, ct) => ResumeAsync(parse.GetValue(config), parse.GetValue(optionalTarget), Console.Out, ct));
        yield return resume;
    }

    internal static Task<int> RunAsync(string? configPath, string probe, TextWriter output, CancellationToken cancellationToken)
        => ControlClient.RunAsync(configPath, new ControlRequest(ControlVerbs.ProbeRun, probe), output, Console.Error,
            (services, configuration) => RunAsync(services, configuration, probe, output, cancellationToken), cancellationToken);

    internal static async Task<int> RunAsync(IServiceProvider services, AgentConfiguration configuration, string probe, TextWriter output, CancellationToken cancellationToken)
    {
        if (Find(configuration, probe, output) is not { } options)
        {
            return 1;
        }

        var result = await services.GetRequiredService<ProbeRunner>().RunAsync(probe, options, cancellationToken).ConfigureAwait(false);
        var latency = result.Latency.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        var message = SecretRedactor.Shared.Redact(result.Message ?? "");
        // A warning is not a failure (exit 0), but it is said: the message carries each measured value with its thresholds.
        output.WriteLine(result.Level switch
        {
            Health.Checks.ProbeLevel.Ok => $"{probe}: ok in {latency} ms: {message}",
            Health.Checks.ProbeLevel.Warning => $"{probe}: warning ({result.Reason}) in {latency} ms: {message}",
            _ => $"{probe}: failed ({result.Reason}) in {latency} ms: {message}",
        });
        return result.Success ? 0 : 1;
    }

    internal static async Task<int> ListAsync(string? configPath, string? url, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (await StatusCommand.FetchAsync(configPath, url, error, cancellationToken).ConfigureAwait(false) is not { } body)
        {
            return 2;
        }

        var report = System.Text.Json.JsonSerializer.Deserialize(body, StatusJsonContext.Default.StatusReport)!;
        var probes = report.Items.Where(i => i.Kind == "probe").ToList();
        output.WriteLine(string.Join('\t', "PROBE", "STATE", "REASON", "LATENCY_MS", "FAILURES", "LAST_RUN_UTC", "MESSAGE"));
        foreach (var item in probes)
        {
            output.WriteLine(string.Join('\t', item.Name, item.State, item.Reason ?? "-", item.Details.GetValueOrDefault("latencyMs", "-"),
                item.Details.GetValueOrDefault("consecutiveFailures", "0"), item.CheckedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-", item.Message ?? ""));
        }

        return probes.All(p => p.State is "healthy" or "unknown") ? 0 : 1;
    }

    internal static Task<int> PauseAsync(string? configPath, string probe, string duration, TextWriter output, CancellationToken cancellationToken)
        => ControlClient.RunAsync(configPath, new ControlRequest(ControlVerbs.Pause, probe, duration), output, Console.Error,
            (services, configuration) => Task.FromResult(Pause(services, configuration, probe, duration, output)), cancellationToken);

    internal static int Pause(IServiceProvider services, AgentConfiguration configuration, string probe, string duration, TextWriter output)
    {
        if (!Duration.TryParse(duration, out var span) || span <= TimeSpan.Zero)
        {
            output.WriteLine($"--for: '{duration}' is not a positive duration (use 30m, 2h, 1d or 01:30:00)");
            return 1;
        }

        if (!string.Equals(probe, PauseStore.All, StringComparison.OrdinalIgnoreCase) && Find(configuration, probe, output) is null)
        {
            return 1;
        }

        var until = services.GetRequiredService<TimeProvider>().GetUtcNow() + span;
        var stateDirectory = configuration.Agent.StateDirectory;
        if (!TryUpdate(stateDirectory, output, () => services.GetRequiredService<PauseStore>().Pause(stateDirectory, probe.ToLowerInvariant(), until)))
        {
            return 1;
        }

        output.WriteLine($"{probe} paused until {until.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC: probed, never restarted (opsagent resume {probe} ends it)");
        return 0;
    }

    internal static Task<int> ResumeAsync(string? configPath, string? probe, TextWriter output, CancellationToken cancellationToken)
        => ControlClient.RunAsync(configPath, new ControlRequest(ControlVerbs.Resume, probe), output, Console.Error,
            (services, configuration) => Task.FromResult(Resume(services, configuration, probe, output)), cancellationToken);

    internal static int Resume(IServiceProvider services, AgentConfiguration configuration, string? probe, TextWriter output)
    {
        IReadOnlyList<string> removed = [];
        var stateDirectory = configuration.Agent.StateDirectory;
        if (!TryUpdate(stateDirectory, output, () => removed = services.GetRequiredService<PauseStore>().Resume(stateDirectory, probe)))
        {
            return 1;
        }

        output.WriteLine(removed.Count == 0 ? $"nothing was paused{(probe is null ? "" : $" for {probe}")}" : $"resumed: {string.Join(", ", removed)}");
        return 0;
    }

    /// <summary>Runs a change of the pause file; false, with the reason printed, when the state directory refuses it.</summary>
    private static bool TryUpdate(string stateDirectory, TextWriter output, Action update)
    {
        try
        {
            update();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"cannot write the pause file in the state directory {stateDirectory} (OpsAgent:StateDirectory): {ex.Message}; nothing was changed");
            return false;
        }
    }

    private static ProbeOptions? Find(AgentConfiguration configuration, string probe, TextWriter output)
    {
        var probes = configuration.Get<ProbesOptions>().Probes;
        if (probes.TryGetValue(probe, out var options))
        {
            return options;
        }

        var known = string.Join(", ", probes.Keys.Order(StringComparer.Ordinal));
        output.WriteLine($"no probe '{probe}' (configured: {(known.Length == 0 ? "none" : known)})");
        return null;
    }
}
