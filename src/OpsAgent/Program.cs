using System.CommandLine;
using OpsAgent.Cli;
using OpsAgent.Control;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Secrets;
using OpsAgent.Hosting;

namespace OpsAgent;

/// <summary>The <c>opsagent</c> command line.</summary>
internal static class Program
{
    /// <summary>How long a CLI verb has to clean up after SIGTERM or SIGINT before the process exits regardless.</summary>
    internal static readonly TimeSpan CliTerminationTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        var parse = BuildCommandLine().Parse(args);
        // The daemon's host handles SIGTERM/SIGINT itself (it cancels running jobs and waits for them): System.CommandLine
        // must not race it. The other verbs get their token cancelled by the signal, and time to clean up (a backup run
        // kills its tool and removes its partial file) before the process is ended anyway.
        var daemon = parse.CommandResult.Command is RootCommand || (parse.CommandResult.Command.Name == "run" && parse.CommandResult.Parent?.Parent is null);
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = daemon ? null : CliTerminationTimeout }).ConfigureAwait(false);
    }

    internal static RootCommand BuildCommandLine()
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "Configuration file (default /etc/opsagent/appsettings.json, else appsettings.json beside the executable); conf.d/*.json beside it is merged",
            Recursive = true,
        };

        var root = new RootCommand("OpsAgent: nightly database dumps, health probes with restarts, certificate expiry checks, Prometheus metrics and journald logs.");
        root.Options.Add(config);

        var run = new Command("run", "Run the daemon (the default)");
        run.SetAction((parse, ct) => RunAsync(parse.GetValue(config), ct));
        root.Subcommands.Add(run);
        root.SetAction((parse, ct) => RunAsync(parse.GetValue(config), ct));

        var offline = new Option<bool>("--offline")
        {
            Description = "Check only what does not depend on this host (for another host, or a configuration repository's CI): no secrets, tools, Docker, systemd units, directories or CA files",
        };
        var check = new Command("check-config", "Validate the configuration: print every error (path: problem) and exit 1, or a summary with each job's next three fire times") { offline };
        check.SetAction((parse, ct) => CheckConfigCommand.RunAsync(parse.GetValue(config), Console.Out, ct, offline: parse.GetValue(offline)));
        root.Subcommands.Add(check);

        var json = new Option<bool>("--json") { Description = "Print the raw /status JSON" };
        var url = new Option<string?>("--url") { Description = "The agent's HTTP endpoint (default: Http:Listen from the configuration)" };
        var status = new Command("status", "Show the running agent's jobs, last results and next fire times") { json, url };
        status.SetAction((parse, ct) => StatusCommand.RunAsync(parse.GetValue(config), parse.GetValue(url), parse.GetValue(json), Console.Out, Console.Error, ct));
        root.Subcommands.Add(status);

        var reload = new Command("reload", "Ask the running daemon to reload its configuration now (the unit's ExecReload=): print every error with its path, exit 1 when it was rejected");
        reload.SetAction((parse, ct) => ReloadAsync(parse.GetValue(config), ct));
        root.Subcommands.Add(reload);

        root.Subcommands.Add(BackupCommands.Build(config));
        root.Subcommands.Add(CertificateCommands.Build(config));
        root.Subcommands.Add(NotifyCommands.Build(config));
        foreach (var command in ProbeCommands.Build(config))
        {
            root.Subcommands.Add(command);
        }

        var version = new Command("version", "Print the version");
        version.SetAction(_ =>
        {
            Console.Out.WriteLine($"opsagent {AgentMetrics.Version}");
            return 0;
        });
        root.Subcommands.Add(version);
        return root;
    }

    private static async Task<int> ReloadAsync(string? configPath, CancellationToken cancellationToken)
    {
        var socket = ControlClient.SocketPath(configPath);
        var main = Path.GetFullPath(ConfigurationFiles.Resolve(configPath).MainFile);
        var answer = await ControlClient.TryAskAsync(socket, new ControlRequest(ControlVerbs.Reload, Config: main), Console.Out, cancellationToken).ConfigureAwait(false);
        if (answer.Exit is { } exit)
        {
            return exit;
        }

        if (answer.DaemonRuns is { } other)
        {
            await Console.Error.WriteLineAsync($"the daemon on {socket} runs {other}, not {main}: reload it with --config {other}, or without --config when that is the default").ConfigureAwait(false);
            return 1;
        }

        // Nothing to reload without a daemon; check-config says whether the files would load.
        await Console.Error.WriteLineAsync($"no daemon answers on {(socket.Length == 0 ? "the control socket (disabled)" : socket)}; 'opsagent check-config' checks the files").ConfigureAwait(false);
        return 1;
    }

    private static async Task<int> RunAsync(string? configPath, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = AgentHost.Build(configPath);
        }
        catch (ConfigurationInvalidException ex)
        {
            await Console.Error.WriteLineAsync(SecretRedactor.Shared.Redact(ex.Message)).ConfigureAwait(false);
            return 1;
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await AgentHost.StartAsync(app, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                // Kestrel could not bind (address in use, permission): say so plainly and fail the unit.
                await Console.Error.WriteLineAsync($"cannot start the HTTP endpoint: {SecretRedactor.Shared.Redact(ex.Message)}").ConfigureAwait(false);
                return 1;
            }

            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}
