using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core.Scheduling;
using OpsAgent.Core.Status;
using OpsAgent.Hosting;

namespace OpsAgent.Tests.Support;

/// <summary>A real agent host in this process: real files, real Kestrel on a free port, journald entries captured on a socket.</summary>
public sealed class TestAgent : IAsyncDisposable
{
    private TestAgent(DirectoryInfo dir, JournalCapture journal)
    {
        Directory = dir;
        Journal = journal;
    }

    public DirectoryInfo Directory { get; }

    public JournalCapture Journal { get; }

    public WebApplication App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string ConfigPath => Path.Combine(Directory.FullName, "appsettings.json");

    public string BaseUrl => Http.BaseAddress!.ToString();

    /// <summary>The standard test configuration: loopback port 0, captured journal, and the given extra <c>OpsAgent</c> members.</summary>
    /// <param name="journalSocket">The journal socket, in the test's own directory.</param>
    /// <param name="extra">More members of <c>OpsAgent</c>.</param>
    /// <param name="watchFiles">Reload:WatchFiles.</param>
    /// <param name="stateDirectory">
    /// The state directory (default: <c>state</c> beside the journal socket, so it is the test's own and goes with its
    /// directory: pauses, job locks and temporary files of one test or run never reach another).
    /// </param>
    public static string Config(string journalSocket, string extra = "", bool watchFiles = true, string? stateDirectory = null)
        => $$"""
           {
             "OpsAgent": {
               "TimeZone": "UTC",
               "Http": { "Listen": "http://127.0.0.1:0" },
               "StateDirectory": "{{stateDirectory ?? OwnStateDirectory(journalSocket)}}",
               "Logging": { "Level": "Debug", "Journald": { "SocketPath": "{{journalSocket}}" } },
               "Reload": { "WatchFiles": {{(watchFiles ? "true" : "false")}} },
               "Control": { "Socket": "{{Path.Combine(Path.GetDirectoryName(journalSocket) ?? "/tmp", "control.sock")}}" }{{(extra.Length > 0 ? "," : "")}}
               {{extra}}
             }
           }
           """;

    private static string OwnStateDirectory(string journalSocket)
    {
        var dir = Path.GetDirectoryName(journalSocket);
        return string.IsNullOrEmpty(dir) || dir == Path.GetPathRoot(dir) || dir == Path.GetTempPath().TrimEnd('/')
            ? throw new ArgumentException($"the journal socket {journalSocket} is not in the test's own directory: give one there, or a stateDirectory", nameof(journalSocket))
            : Path.Combine(dir, "state");
    }

    /// <param name="configureServices">Changes to the registrations after the capabilities' (e.g. leaving a start-up service out).</param>
    public static async Task<TestAgent> StartAsync(string extra = "", bool watchFiles = true, Action<DirectoryInfo>? prepare = null, Action<IServiceCollection>? configureServices = null)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("opsagent-host-");
        var journal = new JournalCapture(Path.Combine(dir.FullName, "journal.sock"));
        var agent = new TestAgent(dir, journal);
        await File.WriteAllTextAsync(agent.ConfigPath, Config(journal.Path, extra, watchFiles));
        prepare?.Invoke(dir);
        agent.App = AgentHost.Build(agent.ConfigPath, services =>
        {
            TestJobRegistration.Add(services);
            configureServices?.Invoke(services);
        });
        await AgentHost.StartAsync(agent.App, CancellationToken.None);
        agent.Http = new HttpClient { BaseAddress = new Uri(AgentHost.ListenAddresses(agent.App)[0].TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        return agent;
    }

    public async Task WriteConfigAsync(string extra, bool watchFiles = true)
    {
        // Write-and-rename, as editors and configuration management tools do.
        var temp = ConfigPath + ".tmp";
        await File.WriteAllTextAsync(temp, Config(Journal.Path, extra, watchFiles));
        File.Move(temp, ConfigPath, overwrite: true);
    }

    public async Task<StatusReport> StatusAsync()
        => JsonSerializer.Deserialize(await Http.GetStringAsync(new Uri("status", UriKind.Relative)), StatusJsonContext.Default.StatusReport)!;

    public Task<string> MetricsAsync() => Http.GetStringAsync(new Uri("metrics", UriKind.Relative));

    /// <summary>Leaves <typeparamref name="T"/> out of the container (as itself, a hosted service, a listener...), so it is never constructed.</summary>
    public static void Without<T>(IServiceCollection services)
    {
        var registrations = services.Where(d => d.ServiceType == typeof(T) || d.ImplementationType == typeof(T) || d.ImplementationFactory?.Method.ReturnType == typeof(T)).ToList();
        Assert.That(registrations, Is.Not.Empty, $"{typeof(T).Name} is not registered");
        foreach (var descriptor in registrations)
        {
            services.Remove(descriptor);
        }
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public AgentScheduler Scheduler => Service<AgentScheduler>();

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (App is not null)
        {
            await App.StopAsync(CancellationToken.None);
            await App.DisposeAsync();
        }

        Journal.Dispose();
        Directory.Delete(recursive: true);
    }
}
