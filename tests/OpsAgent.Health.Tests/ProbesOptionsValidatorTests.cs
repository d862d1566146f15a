using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Health.Checks.Http;
using OpsAgent.Health.Checks.MongoDb;
using OpsAgent.Health.Restarts.Unit;

namespace OpsAgent.Health.Tests;

public sealed class ProbesOptionsValidatorTests
{
    private static (ProbesOptions Options, List<ConfigError> Errors) Load(string json)
    {
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var errors = new List<ConfigError>();
        // As the agent registers the section: its validator, probe types and restart targets.
        using var services = new ServiceCollection().AddLogging().AddAgentConfiguration(new ConfigurationFiles("/nonexistent/appsettings.json"))
            .AddProbeServices().BuildServiceProvider();
        var section = services.GetServices<IAgentSection>().Single(s => s.Path == ProbesOptions.SectionName);
        var options = (ProbesOptions)section.Load(root, errors);
        return (options, errors);
    }

    [Test]
    public void Load_DesignExample_Binds()
    {
        var (options, errors) = Load("""
            { "OpsAgent": { "Probes": {
              "innova-mongo": { "Type": "mongodb", "Connection": { "FromEnvFile": "/etc/innovaplus/backend.env", "Variable": "MONGO_URI" } },
              "innovaplus-backend": {
                "Type": "http", "Url": "http://127.0.0.1:8000/health", "ExpectStatus": 200,
                "ExpectJson": { "status": "ok", "mongo": ["ok", "degraded"] },
                "Every": "00:00:30", "Timeout": "00:00:05", "FailureThreshold": 3, "SuccessThreshold": 1,
                "DependsOn": ["innova-mongo"],
                "Restart": { "Unit": "innovaplus-backend.service", "MaxRestarts": 3, "Window": "01:00:00",
                             "Backoff": { "Initial": "00:00:10", "Max": "00:05:00" }, "VerifyTimeout": "00:02:00", "CaptureLogLines": 200 } } } } }
            """);

        var backend = options.Probes["innovaplus-backend"];
        var http = backend.Settings as HttpProbeOptions;
        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty, string.Join("\n", errors));
            Assert.That(http?.ExpectStatus, Is.EqualTo(new[] { 200 }), "a single value is a one-element list");
            Assert.That(http?.ExpectJson["status"], Is.EqualTo(new[] { "ok" }));
            Assert.That(http?.ExpectJson["mongo"], Is.EqualTo(new[] { "ok", "degraded" }));
            Assert.That((backend.Restart!.Target as UnitTargetOptions)?.Unit, Is.EqualTo("innovaplus-backend.service"));
            Assert.That((options.Probes["innova-mongo"].Settings as MongoProbeOptions)?.Connection?.Describe(), Is.EqualTo("MONGO_URI from /etc/innovaplus/backend.env"));
        });
    }

    [Test]
    public void Load_EveryMistake_ReportedWithItsPath()
    {
        var (_, errors) = Load("""
            { "OpsAgent": { "Probes": {
              "web": { "Type": "http", "Url": "ftp://x", "ExpectStatus": [700], "Every": "5s", "Timeout": "10s", "DependsOn": ["nope", "web"],
                       "Restart": { "Unit": "a.service", "Container": "b", "MaxRestarts": 0 } },
              "db": { "Type": "postgres" },
              "port": { "Type": "tcp", "Host": "x" },
              "Bad": { "Type": "smtp" } } } }
            """);

        Assert.That(errors.Select(e => e.Path), Is.SupersetOf(new[]
        {
            "OpsAgent:Probes:web:Url", "OpsAgent:Probes:web:ExpectStatus", "OpsAgent:Probes:web:Timeout",
            "OpsAgent:Probes:web:DependsOn:0", "OpsAgent:Probes:web:DependsOn:1", "OpsAgent:Probes:web:Restart", "OpsAgent:Probes:web:Restart:MaxRestarts",
            "OpsAgent:Probes:db:Connection", "OpsAgent:Probes:port:Port", "OpsAgent:Probes:Bad:Type", "OpsAgent:Probes:Bad",
        }), string.Join("\n", errors));
    }

    [TestCase(16 * 1024 * 1024, false)]
    [TestCase(16 * 1024 * 1024 + 1, true)]
    [TestCase(100 * 1024 * 1024, true)]
    public void Load_MaxBodyBytes_CeilingIs16MiB(long maxBodyBytes, bool refused)
    {
        var (_, errors) = Load($$"""
            { "OpsAgent": { "Probes": { "web": { "Type": "http", "Url": "http://127.0.0.1/health", "MaxBodyBytes": {{maxBodyBytes}} } } } }
            """);

        Assert.That(errors.Any(e => e.Path == "OpsAgent:Probes:web:MaxBodyBytes" && e.Message.Contains("16777216", StringComparison.Ordinal)), Is.EqualTo(refused), string.Join("\n", errors));
    }

    [Test]
    public void Load_DependsOnCycle_RefusedNamingTheCycle()
    {
        var (_, errors) = Load("""
            { "OpsAgent": { "Probes": {
              "a": { "Type": "tcp", "Host": "127.0.0.1", "Port": 1, "DependsOn": ["b"] },
              "b": { "Type": "tcp", "Host": "127.0.0.1", "Port": 2, "DependsOn": ["a"] },
              "c": { "Type": "tcp", "Host": "127.0.0.1", "Port": 3, "DependsOn": ["a"] } } } }
            """);

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "OpsAgent:Probes:a:DependsOn: cycle a -> b -> a" }), string.Join("\n", errors));
    }

    [Test]
    public void Load_LongerDependsOnCycle_ReportedOnce()
    {
        var (_, errors) = Load("""
            { "OpsAgent": { "Probes": {
              "x": { "Type": "tcp", "Host": "127.0.0.1", "Port": 1, "DependsOn": ["y"] },
              "y": { "Type": "tcp", "Host": "127.0.0.1", "Port": 2, "DependsOn": ["z"] },
              "z": { "Type": "tcp", "Host": "127.0.0.1", "Port": 3, "DependsOn": ["x"] } } } }
            """);

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "OpsAgent:Probes:x:DependsOn: cycle x -> y -> z -> x" }), string.Join("\n", errors));
    }

    [Test]
    public void Load_DependsOnItselfOrUnknown_RefusedWithThePath()
    {
        var (_, errors) = Load("""
            { "OpsAgent": { "Probes": {
              "a": { "Type": "tcp", "Host": "127.0.0.1", "Port": 1, "DependsOn": ["a", "ghost"] } } } }
            """);

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "OpsAgent:Probes:a:DependsOn:0: a probe cannot depend on itself",
            "OpsAgent:Probes:a:DependsOn:1: no probe named 'ghost' (configured: a)",
        }), string.Join("\n", errors));
    }

    [Test]
    public void Load_UnknownType_OneMessage()
    {
        var (_, errors) = Load("""{ "OpsAgent": { "Probes": { "smart": { "Type": "smart" } } } }""");

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "OpsAgent:Probes:smart:Type: 'smart' is not one of http, tcp, postgres, mongodb, docker, systemd, disk, memory, log, cpu",
        }), string.Join("\n", errors));
    }
    [Test]
    public void Load_MeasuringProbes_ThresholdsBindAndEntryMistakesNamed()
    {
        var (options, errors) = Load("""
            { "OpsAgent": { "Probes": {
              "root-disk": { "Type": "disk", "Path": "/", "WarningPercent": 80, "CriticalPercent": 90, "InodesCriticalPercent": 95, "MinFreeBytes": "2GiB",
                             "Restart": { "Unit": "a.service" } },
              "host-memory": { "Type": "memory", "WarningPercent": 90, "CriticalPercent": 80, "Restart": { "Unit": "b.service" } },
              "ujmp-memory": { "Type": "memory", "Unit": "ujmp.service", "CriticalBytes": "1.5GiB", "WarningBytes": "1G" },
              "bad-size": { "Type": "memory", "CriticalBytes": "lots" },
              "slow": { "Type": "http", "Url": "http://127.0.0.1/", "Timeout": "5s", "WarningLatency": "1s", "CriticalLatency": "5s" },
              "no-threshold": { "Type": "disk", "Path": "relative/dir" } } } }
            """);

        var paths = errors.Select(e => e.Path).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(paths, Does.Contain("OpsAgent:Probes:root-disk:Restart"), "a disk probe has nothing to restart");
            Assert.That(errors.Single(e => e.Path == "OpsAgent:Probes:root-disk:Restart").Message, Does.Contain("OnCritical"));
            Assert.That(paths, Does.Contain("OpsAgent:Probes:host-memory:WarningPercent"), "warning above critical");
            Assert.That(paths, Does.Contain("OpsAgent:Probes:host-memory:Restart"), "the host's memory with a restart");
            Assert.That(paths, Does.Contain("OpsAgent:Probes:bad-size:CriticalBytes"));
            Assert.That(paths, Does.Contain("OpsAgent:Probes:slow:CriticalLatency"), "not below Timeout");
            Assert.That(paths, Does.Contain("OpsAgent:Probes:no-threshold:Path"));
            Assert.That(paths, Does.Contain("OpsAgent:Probes:no-threshold"), "no threshold at all");
            Assert.That(paths.Where(p => p.StartsWith("OpsAgent:Probes:ujmp-memory", StringComparison.Ordinal)), Is.Empty, string.Join("\n", errors));
            var memory = (OpsAgent.Health.Checks.Memory.MemoryProbeOptions)options.Probes["ujmp-memory"].Settings!;
            Assert.That((memory.CriticalBytes?.Bytes, memory.WarningBytes?.Bytes), Is.EqualTo(((long?)(1.5 * (1L << 30)), (long?)(1L << 30))));
            Assert.That(((OpsAgent.Health.Checks.Disk.DiskProbeOptions)options.Probes["root-disk"].Settings!).MinFreeBytes?.Bytes, Is.EqualTo(2L << 30));
        });
    }
}
