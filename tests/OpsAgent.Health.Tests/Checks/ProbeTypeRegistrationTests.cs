using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Health.Checks;

namespace OpsAgent.Health.Tests.Checks;

/// <summary>A probe type added with one registration line is bound, validated, described and run like the built-in ones.</summary>
public sealed class ProbeTypeRegistrationTests
{
    /// <summary>A probe type the agent does not ship: a file must exist (its folder would hold these two classes).</summary>
    internal sealed class FileProbeOptions : IProbeSettings
    {
        public string? Path { get; set; }

        public void Validate(string path, ValidationCollector errors)
        {
            if (string.IsNullOrWhiteSpace(Path))
            {
                errors.Add($"{path}:{nameof(Path)}", "required for a file probe");
            }
        }

        public string Describe() => $"file {Path}";

        public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    internal sealed class FileProbe : ProbeType<FileProbeOptions>
    {
        protected override Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, FileProbeOptions options, CancellationToken cancellationToken)
            => Task.FromResult(File.Exists(options.Path)
                ? ProbeResult.Ok(TimeSpan.Zero, $"{options.Path} exists")
                : ProbeResult.Fail("file_missing", $"{options.Path} does not exist", TimeSpan.Zero));
    }

    private static ServiceProvider Services(bool register)
    {
        var services = new ServiceCollection().AddLogging().AddAgentConfiguration(new ConfigurationFiles("/nonexistent/appsettings.json")).AddProbeServices();
        if (register)
        {
            services.AddProbeType<FileProbe, FileProbeOptions>("file");
        }

        return services.BuildServiceProvider();
    }

    private static (ProbesOptions Options, List<ConfigError> Errors) Load(ServiceProvider services, string json)
    {
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var errors = new List<ConfigError>();
        var options = (ProbesOptions)services.GetServices<IAgentSection>().Single(s => s.Path == ProbesOptions.SectionName).Load(root, errors);
        return (options, errors);
    }

    [Test]
    public async Task AddProbeType_OneLine_ConfigBindsValidatesAndRuns()
    {
        using var services = Services(register: true);
        var present = Path.GetTempFileName();
        try
        {
            var (options, errors) = Load(services, $$"""
                { "OpsAgent": { "Probes": {
                  "flag": { "Type": "file", "Path": "{{present}}", "Every": "10s" },
                  "gone": { "Type": "file", "Path": "{{present}}.missing" },
                  "typo": { "Type": "file", "Pth": "/x" } } } }
                """);
            var runner = services.GetRequiredService<ProbeRunner>();
            var flag = await runner.RunAsync("flag", options.Probes["flag"], CancellationToken.None);
            var gone = await runner.RunAsync("gone", options.Probes["gone"], CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That(errors.Select(e => e.ToString()), Is.EquivalentTo(new[]
                {
                    "OpsAgent:Probes:typo:Pth: unknown setting (known: DependsOn, Every, FailureThreshold, OnCritical, Path, PauseDuringBackups, Ping, Restart, StartPeriod, SuccessThreshold, Timeout, Type)",
                    "OpsAgent:Probes:typo:Path: required for a file probe",
                }));
                Assert.That(flag.Success, Is.True, flag.Message);
                Assert.That(gone.Reason, Is.EqualTo("file_missing"));
                Assert.That(services.GetRequiredService<ProbeTypes>().Names, Does.Contain("file"));
            });
        }
        finally
        {
            File.Delete(present);
        }
    }

    [Test]
    public void AddProbeType_NotRegistered_TypeRefusedNamingTheRegisteredOnes()
    {
        using var services = Services(register: false);

        var (_, errors) = Load(services, """{ "OpsAgent": { "Probes": { "flag": { "Type": "file", "Glob": "/x" } } } }""");

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "OpsAgent:Probes:flag:Glob: unknown setting (known: DependsOn, Every, FailureThreshold, OnCritical, PauseDuringBackups, Ping, Restart, StartPeriod, SuccessThreshold, Timeout, Type)",
            "OpsAgent:Probes:flag:Type: 'file' is not one of http, tcp, postgres, mongodb, docker, systemd, disk, memory, log, cpu",
        }));
    }

    [Test]
    public void AddProbeType_SameTypeTwice_RegisteredOnce()
    {
        using var services = new ServiceCollection().AddLogging().AddAgentConfiguration(new ConfigurationFiles("/nonexistent/appsettings.json")).AddProbeServices()
            .AddProbeType<FileProbe, FileProbeOptions>("file").AddProbeType<FileProbe, FileProbeOptions>("file").BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(services.GetServices<ConfigurationKind>().Count(k => k.Name == "file"), Is.EqualTo(1));
            Assert.That(services.GetRequiredService<ProbeTypes>().Names.Count(n => n == "file"), Is.EqualTo(1));
        });
    }

    [Test]
    public void AddProbeType_NameTakenByAnotherType_RefusedAtRegistration()
    {
        var services = new ServiceCollection().AddProbeServices();

        var refused = Assert.Throws<ArgumentException>(() => services.AddProbeType<FileProbe, FileProbeOptions>("HTTP"));

        Assert.That(refused!.Message, Does.Contain("'HTTP' is already registered for ProbeOptions with HttpProbeOptions"));
    }
}
