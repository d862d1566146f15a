using OpsAgent.Cli;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Hosting;

public sealed class SecretsTests
{
    private const string Password = "Zq8-unique-secret-4471";

    private static IEnumerable<TestCaseData> Sources()
    {
        yield return new TestCaseData("inline", $"\"Host=127.0.0.1;Username=sims;Password={Password}\"", (Action<DirectoryInfo>)(_ => { }));
        yield return new TestCaseData("file", "{ \"File\": \"%DIR%/pgpass\" }", (Action<DirectoryInfo>)(d => File.WriteAllText(Path.Combine(d.FullName, "pgpass"), Password + "\n")));
        yield return new TestCaseData("envfile", "{ \"FromEnvFile\": \"%DIR%/backend.env\", \"Variable\": \"MONGO_URI\" }",
            (Action<DirectoryInfo>)(d => File.WriteAllText(Path.Combine(d.FullName, "backend.env"), $"ENV=production\nMONGO_URI=mongodb://appuser:{Password}@127.0.0.1:27017/innova_db\n")));
        yield return new TestCaseData("environment", "{ \"Environment\": \"OPSAGENT_TEST_DB_URL\" }",
            (Action<DirectoryInfo>)(_ => Environment.SetEnvironmentVariable("OPSAGENT_TEST_DB_URL", $"postgresql://sims:{Password}@db/sims")));
    }

    [TestCaseSource(nameof(Sources))]
    public async Task Password_FromEachSource_NeverInLogsStatusOrCli(string source, string connection, Action<DirectoryInfo> prepare)
    {
        string? dirPath = null;
        await using var agent = await TestAgent.StartAsync(
            """ "Test": { "Jobs": { "leaky": { "Schedule": "0 2 * * *", "Connection": CONN } } } """,
            prepare: d =>
            {
                dirPath = d.FullName;
                prepare(d);
                var config = File.ReadAllText(Path.Combine(d.FullName, "appsettings.json"));
                File.WriteAllText(Path.Combine(d.FullName, "appsettings.json"), config.Replace("CONN", connection.Replace("%DIR%", d.FullName, StringComparison.Ordinal), StringComparison.Ordinal));
            });
        try
        {
            await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("leaky", "test"), CancellationToken.None);
            await Eventually.WaitAsync(async () => (await agent.StatusAsync()).Jobs.Single().LastResult == "failure", $"the {source} job to fail");
            await Eventually.WaitAsync(() => Task.FromResult(agent.Journal.AllText.Contains("connecting with", StringComparison.Ordinal)), "the job's log entry");

            var statusJson = await agent.Http.GetStringAsync(new Uri("status", UriKind.Relative));
            var statusOut = new StringWriter();
            var statusErr = new StringWriter();
            await StatusCommand.RunAsync(agent.ConfigPath, agent.BaseUrl, json: false, statusOut, statusErr, CancellationToken.None);
            var checkOut = new StringWriter();
            await CheckConfigCommand.RunAsync(agent.ConfigPath, checkOut, CancellationToken.None, TestJobRegistration.Add);

            // The job really resolved the secret and put it in its message: redaction had work to do.
            Assert.That(statusJson, Does.Contain("could not connect to"));
            Assert.That(statusJson, Does.Contain("***"));
            Assert.That(agent.Journal.AllText, Does.Contain("***"));
            foreach (var (surface, text) in new[] { ("journal", agent.Journal.AllText), ("/status", statusJson), ("status CLI", statusOut + statusErr.ToString()), ("check-config", checkOut.ToString()) })
            {
                Assert.That(text, Does.Not.Contain(Password), $"{surface} leaked the {source} password");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPSAGENT_TEST_DB_URL", null);
        }
    }
}
