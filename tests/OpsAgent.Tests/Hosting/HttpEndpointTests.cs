using System.Net;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Hosting;

public sealed class HttpEndpointTests
{
    [Test]
    public async Task Metrics_FoundationSeries_ExactNamesWithoutScopeLabelsOrTargetInfo()
    {
        await using var agent = await TestAgent.StartAsync();

        var metrics = await agent.MetricsAsync();

        Assert.That(metrics, Does.Match(@"(?m)^opsagent_build_info\{version=""[0-9][^""]*""\} 1$"));
        Assert.That(metrics, Does.Contain("opsagent_config_reloads_total{result=\"success\"} 1"));
        Assert.That(metrics, Does.Contain("opsagent_config_reloads_total{result=\"failure\"} 0"));
        Assert.That(metrics, Does.Match(@"(?m)^opsagent_config_last_reload_success_timestamp_seconds(\{\})? 1[0-9]{9}"));
        Assert.That(metrics, Does.Not.Contain("otel_scope"));
        Assert.That(metrics, Does.Not.Contain("target_info"));
    }

    [TestCase("application/openmetrics-text; version=1.0.0; charset=utf-8")]
    [TestCase("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")]
    [TestCase(null)]
    public async Task Metrics_ScrapedAsPrometheusDoes_NoCreatedSeries(string? accept)
    {
        await using var agent = await TestAgent.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("metrics", UriKind.Relative));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await agent.Http.SendAsync(request);
        var metrics = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(metrics, Does.Contain("opsagent_config_reloads_total{result=\"success\"} 1"));
        Assert.That(metrics, Does.Not.Contain("_created"), "Prometheus 2.x stores each _created as one more series");
    }

    [Test]
    public async Task Healthz_SchedulerRunningThenStandby_200Then503()
    {
        await using var agent = await TestAgent.StartAsync();
        using (var ok = await agent.Http.GetAsync(new Uri("healthz", UriKind.Relative)))
        {
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await agent.Scheduler.Scheduler!.Standby(CancellationToken.None);

        using var down = await agent.Http.GetAsync(new Uri("healthz", UriKind.Relative));
        Assert.That(down.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await down.Content.ReadAsStringAsync(), Does.Contain("standby"));
    }

    [Test]
    public async Task Healthz_StateDirectoryIsAFile_503NamingItAndJournalSaysSoUntilRepaired()
    {
        var state = "";
        await using var agent = await TestAgent.StartAsync(prepare: dir =>
        {
            state = Path.Combine(dir.FullName, "state");
            File.WriteAllText(state, "not a directory");
            File.WriteAllText(Path.Combine(dir.FullName, "appsettings.json"), TestAgent.Config(Path.Combine(dir.FullName, "journal.sock"), stateDirectory: state));
        });

        using var down = await agent.Http.GetAsync(new Uri("healthz", UriKind.Relative));
        var downText = await down.Content.ReadAsStringAsync();
        var entry = await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "state_unwritable", "the state_unwritable journal entry");
        File.Delete(state);
        Directory.CreateDirectory(state);
        using var up = await agent.Http.GetAsync(new Uri("healthz", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(down.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(downText, Does.Contain($"state directory {state} (OpsAgent:StateDirectory) is not a directory"));
            Assert.That(entry["PRIORITY"], Is.EqualTo("3"));
            Assert.That(entry["MESSAGE"], Does.Contain(state));
            Assert.That(up.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a repaired directory is seen without a restart");
        });
    }

    [Test]
    public async Task Status_ConfiguredJobs_ListsScheduleResultAndFireTimes()
    {
        await using var agent = await TestAgent.StartAsync(""" "Test": { "Jobs": { "minutely": { "Schedule": "* * * * *" }, "nightly": { "Schedule": "0 2 * * *" } } } """);
        await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("minutely", "test"), CancellationToken.None);

        await Eventually.WaitAsync(async () => (await agent.StatusAsync()).Jobs.Single(j => j.Name == "minutely").LastResult == "success", "the triggered run");
        var status = await agent.StatusAsync();

        Assert.That(status.Scheduler.Running, Is.True);
        Assert.That(status.Jobs.Select(j => (j.Kind, j.Name, j.Schedule)), Is.EqualTo(new[] { ("test", "minutely", "* * * * *"), ("test", "nightly", "0 2 * * *") }));
        var nightly = status.Jobs.Single(j => j.Name == "nightly");
        Assert.That(nightly.LastResult, Is.EqualTo("never"));
        Assert.That(nightly.NextFire, Is.GreaterThan(status.GeneratedAt));
        Assert.That(nightly.NextFire!.Value.TimeOfDay, Is.EqualTo(TimeSpan.FromHours(2)));
        var minutely = status.Jobs.Single(j => j.Name == "minutely");
        Assert.That(minutely.LastEnd, Is.Not.Null);
    }

    [Test]
    public async Task Metrics_PostWithALargeBody_IsRefusedWith405AndGetAndHeadStillWork()
    {
        await using var agent = await TestAgent.StartAsync();

        // A raw socket: the answer is read after the first megabyte of a declared 100 MB body, as a hostile client would.
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(agent.Http.BaseAddress!.Host, agent.Http.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: {100 << 20}\r\n\r\n"));
        await stream.WriteAsync(new byte[1 << 20]);
        using var reader = new StreamReader(stream);
        var statusLine = await reader.ReadLineAsync();
        using var put = await agent.Http.PutAsync(new Uri("metrics", UriKind.Relative), new StringContent("x"));
        using var head = await agent.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("metrics", UriKind.Relative)));
        var get = await agent.MetricsAsync();

        Assert.That(statusLine, Does.StartWith("HTTP/1.1 405"));
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(get, Does.Contain("opsagent_build_info"));
    }
}
