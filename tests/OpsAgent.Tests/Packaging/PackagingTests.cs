using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpsAgent.Core.Metrics;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Packaging;

/// <summary>What ships beside the agent: example configurations, Prometheus rules and the Grafana dashboard.</summary>
[NonParallelizable]
public sealed partial class PackagingTests
{
    private static string Repo
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "agent.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("agent.sln not found above the test binaries");
        }
    }

    public static IEnumerable<string> Examples() => Directory.GetFiles(Path.Combine(Repo, "packaging", "examples"), "*.json").Select(Path.GetFileName)!;

    [TestCaseSource(nameof(Examples))]
    public async Task Example_OnAHostNotSetUpForIt_ValidatesAndEachHostFindingNamesItsLine(string example)
    {
        // This machine has none of the seeds' env files, units or containers (tests/e2e/seeds.sh sets a host up and
        // passes them there): what check-config may report here is only what the host lacks, each at its line.
        var file = Path.Combine(Repo, "packaging", "examples", example);
        var result = await AgentProcess.RunAsync("check-config", "--config", file);

        var findings = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .SkipWhile(l => !l.StartsWith($"{file}: ", StringComparison.Ordinal) && !l.StartsWith("warning: ", StringComparison.Ordinal))
            .Where(l => !l.StartsWith($"{file}: ", StringComparison.Ordinal))
            .ToList();
        Assert.That(result.Exit == 0 ? result.Out : "Configuration OK", Does.StartWith("Configuration OK"), result.All);
        Assert.That(findings, Is.All.Match(@$"^(warning: )?OpsAgent:\S+: .+ \({Regex.Escape(file)}:\d+\)$"), result.All);
    }

    [Test]
    public async Task Example_UjmpWithItsPlaceholdersLeft_FailsNamingEachPlaceholderLine()
    {
        var file = Path.Combine(Repo, "packaging", "examples", "ujmp.json");
        var lines = await File.ReadAllLinesAsync(file);
        int LineOf(string text) => 1 + Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));

        var result = await AgentProcess.RunAsync("check-config", "--config", file);

        Assert.That(result.Exit, Is.EqualTo(1), result.All);
        Assert.That(result.Out, Does.Contain($"OpsAgent:Probes:ujmp:HostHeader: 'api.ujmp.example.com' is an example placeholder: replace it with this host's real name ({file}:{LineOf("\"HostHeader\"")})"));
        Assert.That(result.Out, Does.Contain($"OpsAgent:Certificates:Endpoints:ujmp-api: 'api.ujmp.example.com' is an example placeholder: replace it with this host's real name ({file}:{LineOf("\"ujmp-api\"")})"));
    }

    [Test]
    public async Task Example_SimsWithItsNotificationPlaceholdersLeft_NamesTheRelayTheAddressesAndEachPingUrl()
    {
        // A ping URL still holding <uuid> would fail every run quietly, and so would mail to an example domain.
        var file = Path.Combine(Repo, "packaging", "examples", "sims.json");
        var lines = await File.ReadAllLinesAsync(file);
        int LineOf(string text) => 1 + Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));

        var result = await AgentProcess.RunAsync("check-config", "--config", file);

        Assert.That(result.Exit, Is.EqualTo(1), result.All);
        Assert.Multiple(() =>
        {
            Assert.That(result.Out, Does.Contain($"OpsAgent:Notifications:ops-mail:Host: 'smtp.example.org' is an example placeholder: replace it with this host's real name ({file}:{LineOf("\"smtp.example.org\"")})"));
            Assert.That(result.Out, Does.Contain($"OpsAgent:Notifications:ops-mail:From: 'opsagent@web1.example.org' is an example placeholder: replace it with a real address ({file}:{LineOf("\"From\"")})"));
            Assert.That(result.Out, Does.Contain($"OpsAgent:Notifications:ops-mail:To:0: 'ops@example.org' is an example placeholder: replace it with a real address ({file}:"));
            Assert.That(result.Out, Does.Contain($"OpsAgent:Heartbeat:Url: '<uuid>' is an example placeholder: paste the URL the service gives for this check ({file}:{LineOf("\"Heartbeat\"")})"));
            Assert.That(result.Out, Does.Contain($"OpsAgent:Backups:sims-db:Ping:Url: '<uuid>' is an example placeholder: paste the URL the service gives for this check ({file}:{LineOf("\"Ping\"")})"));
        });
    }

    [Test]
    public async Task OneShotVerbs_ConfigurationWithEveryCapability_Load()
    {
        // backup/cert/probe verbs must accept a file that also configures the other capabilities (a real conf.d does).
        var config = Path.Combine(Repo, "packaging", "examples", "innovaplus.json");

        var list = await AgentProcess.RunAsync("backup", "list", "--config", config);
        var cert = await AgentProcess.RunAsync("cert", "check", "nope", "--config", config);
        var probe = await AgentProcess.RunAsync("probe", "run", "nope", "--config", config);

        Assert.Multiple(() =>
        {
            Assert.That(list.Exit, Is.EqualTo(0), list.All);
            Assert.That(list.Out, Does.Contain("no backups").IgnoreCase);
            Assert.That(cert.Out, Does.Contain("no certificate 'nope' (configured: innovaplus-api, letsencrypt)"), cert.All);
            Assert.That(probe.Out, Does.Contain("no probe 'nope' (configured: innova-mongo, innovaplus-backend, innovaplus-public)"), probe.All);
        });
    }

    [Test]
    public void Examples_OnePerSeedRunbook() =>
        Assert.That(Examples().Order(StringComparer.Ordinal), Is.EqualTo(new[] { "innovaplus.json", "sims.json", "sofinance.json", "tracehub.json", "ujmp.json" }));

    [GeneratedRegex(@"""(Connection|Url|HostHeader|Container|Unit|Directory|Database|Path|Command|Host|ServerName|Bucket|Endpoint|Region|PrivateKeyFile|KnownHostsFile|RecipientsFile|IdentityFile)""\s*:|""[a-z0-9-]+"":\s*""[^""]*(:\d+|/[^""]*)""")]
    private static partial Regex SiteSpecificSetting();

    /// <summary>An operator copies an example and must know, at each line naming their site, what to put there.</summary>
    [TestCaseSource(nameof(Examples))]
    public void Example_EverySiteSpecificLine_SaysWhatToPutThere(string example)
    {
        var lines = File.ReadAllLines(Path.Combine(Repo, "packaging", "examples", example));
        var bare = lines.Select((line, i) => (Line: line, Number: i + 1))
            .Where(l => SiteSpecificSetting().IsMatch(l.Line.Split("//")[0]) && !l.Line.Contains("//", StringComparison.Ordinal))
            .Select(l => $"{example}:{l.Number}: {l.Line.Trim()}");

        Assert.That(bare, Is.Empty, "lines naming a site-specific value without a // comment saying what to put there");
    }

    [Test]
    public void DebianControl_RecommendsZstdAndNamesTheDumpTools()
    {
        var build = File.ReadAllText(Path.Combine(Repo, "packaging", "deb", "build.sh"));
        var control = build[build.IndexOf("Package: opsagent", StringComparison.Ordinal)..build.IndexOf("CONTROL", build.IndexOf("Package: opsagent", StringComparison.Ordinal), StringComparison.Ordinal)];
        var fields = control.Split('\n').Where(l => l.Contains(": ", StringComparison.Ordinal) && !l.StartsWith(' ')).ToDictionary(l => l[..l.IndexOf(": ", StringComparison.Ordinal)], l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]);

        Assert.Multiple(() =>
        {
            // zstd is the default compression: a manual restore (zstd -dc FILE | pg_restore) needs the command.
            Assert.That(fields.GetValueOrDefault("Recommends", ""), Does.Contain("zstd"));
            Assert.That(fields.GetValueOrDefault("Suggests", ""), Does.Contain("postgresql-client"));
            Assert.That(control, Does.Contain("MongoDB Database Tools").And.Contain("postgresql-client"), "the description says which jobs need them");
        });
    }

    [TestCase("check", "rules", "opsagent.rules.yml")]
    [TestCase("test", "rules", "opsagent.rules.test.yml")]
    public async Task AlertRules_Promtool_Pass(string verb, string what, string file)
    {
        if (!File.Exists("/usr/bin/promtool"))
        {
            Assert.Ignore("promtool is not installed (Debian package prometheus): run tests/run.sh");
        }

        using var process = Process.Start(new ProcessStartInfo("/usr/bin/promtool", [verb, what, file])
        {
            WorkingDirectory = Path.Combine(Repo, "packaging", "prometheus"), RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.That(process.ExitCode, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("SUCCESS"));
    }

    [Test]
    public async Task DashboardAndRules_NameOnlyMetricsTheAgentExports()
    {
        var exported = await ExportedNamesAsync();
        var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo, "packaging", "grafana", "opsagent.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .Append(dashboard.RootElement.GetProperty("templating").GetProperty("list")[1].GetProperty("query").GetString()!)
            .ToList();
        var rules = File.ReadAllText(Path.Combine(Repo, "packaging", "prometheus", "opsagent.rules.yml"));

        var named = queries.Append(rules).SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            Assert.That(queries, Has.Count.GreaterThan(10));
            Assert.That(named.Except(exported), Is.Empty, "names used in the dashboard or rules that the agent does not export");
        });
    }

    [Test]
    public async Task ExportedNames_MatchTheMetricsReference()
    {
        var exported = await ExportedNamesAsync();
        exported.Remove("up");
        var reference = File.ReadAllText(Path.Combine(Repo, "docs", "metrics.md"));
        var documented = reference.Split('\n').Where(l => l.StartsWith("| `opsagent_", StringComparison.Ordinal))
            .SelectMany(l => MetricName().Matches(l.Split('|')[1]).Select(m => m.Value))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            Assert.That(documented, Has.Count.GreaterThan(15));
            Assert.That(documented.Except(exported), Is.Empty, "documented in docs/metrics.md but not exported");
            Assert.That(exported.Except(documented), Is.Empty, "exported but missing from docs/metrics.md");
        });
    }

    /// <summary>Every name the running agent's meter can put on /metrics (counters get Prometheus's _total).</summary>
    private static async Task<HashSet<string>> ExportedNamesAsync()
    {
        await using var agent = await TestAgent.StartAsync();
        var names = new HashSet<string>(StringComparer.Ordinal) { "up" };
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == AgentMetrics.MeterName)
                {
                    var counter = instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal) || instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal);
                    names.Add(instrument.Name + (counter ? "_total" : ""));
                }
            },
        };
        listener.Start();
        return names;
    }

    [GeneratedRegex(@"\bopsagent_[a-z0-9_]+[a-z0-9]")]
    private static partial Regex MetricName();
}
