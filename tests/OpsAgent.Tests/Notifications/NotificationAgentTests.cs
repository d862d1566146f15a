using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Notifications;

/// <summary>
/// Alerts and pings from the real daemon: mail through maildev (a real SMTP server with a REST API to read what arrived),
/// pings to a local HTTP server answering as Healthchecks' documented ping API does (no Healthchecks server is installable here).
/// </summary>
[NonParallelizable]
[CancelAfter(300_000)]
public sealed class NotificationAgentTests
{
    private static string Pg => new NpgsqlConnectionStringBuilder(TestEnvironment.Require("OPSAGENT_TEST_PG")) { Database = "postgres" }.ConnectionString;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private sealed record Mail(string Subject, string Text, string[] To);

    private static async Task<List<Mail>> MailsAsync(string api)
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"{api}/email")));
        return [.. doc.RootElement.EnumerateArray().Select(m => new Mail(m.GetProperty("subject").GetString() ?? "", m.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "",
            [.. m.GetProperty("to").EnumerateArray().Select(a => a.GetProperty("address").GetString() ?? "")]))];
    }

    private static async Task ClearMailAsync(string api)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri($"{api}/email/all"));
        (await Http.SendAsync(request)).EnsureSuccessStatusCode();
    }

    private static string SmtpChannel(string endpoint, string more = "")
    {
        var (host, port) = (endpoint[..endpoint.LastIndexOf(':')], endpoint[(endpoint.LastIndexOf(':') + 1)..]);
        return $$"""
            "Notifications": { "ops-mail": { "Type": "smtp", "Host": "{{host}}", "Port": {{port}}, "StartTls": false{{more}},
                                             "From": "opsagent@web1.test", "To": [ "ops@team.test" ] } },
            "Alerting": { "Channels": [ "ops-mail" ], "Collapse": "00:00:01" },
            """;
    }

    [Test]
    public async Task Smtp_ProbeFailsThenRecovers_OneMailEachNamingTheJournalEntry()
    {
        var api = TestEnvironment.Require("OPSAGENT_TEST_SMTP_API");
        await ClearMailAsync(api);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var agent = await TestAgent.StartAsync(SmtpChannel(TestEnvironment.Require("OPSAGENT_TEST_SMTP")) + $$"""
            "Probes": { "web": { "Type": "tcp", "Host": "127.0.0.1", "Port": {{port}}, "Every": "1s", "Timeout": "1s", "FailureThreshold": 2 } }
            """);
        await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("MESSAGE", "").StartsWith("Probe web: success", StringComparison.Ordinal)
            || e.GetValueOrDefault("OPSAGENT_EVENT_ID") == "4009", "the first probe run", Eventually.Slow);

        listener.Stop();
        var failing = await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "probe_failing", "probe_failing", Eventually.Slow);
        await Eventually.WaitAsync(async () => (await MailsAsync(api)).Count >= 1, "the alert mail", Eventually.Slow);
        using var again = new TcpListener(IPAddress.Loopback, port);
        again.Start();
        await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "probe_recovered", "probe_recovered", Eventually.Slow);
        await Eventually.WaitAsync(async () => (await MailsAsync(api)).Count >= 2, "the recovery mail", Eventually.Slow);
        await Task.Delay(TimeSpan.FromSeconds(3)); // a duplicate would have come by now: the burst window is 1 s
        var mails = await MailsAsync(api);
        Assert.Multiple(() =>
        {
            Assert.That(mails.Select(m => m.Subject), Is.EqualTo(new[]
            {
                $"[opsagent {Environment.MachineName}] CRITICAL probe web is failing (connection_refused)",
                $"[opsagent {Environment.MachineName}] RESOLVED probe web recovered after " + mails[^1].Subject.Split(" after ")[^1],
            }), "one mail for the problem, one for its end, nothing else");
            Assert.That(mails[0].To, Is.EqualTo(new[] { "ops@team.test" }));
            Assert.That(failing.GetValueOrDefault("OPSAGENT_ENTRY_ID"), Is.Not.Null.And.Not.Empty, "the journal entry carries its id");
            Assert.That(mails[0].Text, Does.Contain($"journalctl -t opsagent OPSAGENT_ENTRY_ID={failing.GetValueOrDefault("OPSAGENT_ENTRY_ID")}"), "the mail names that entry");
            Assert.That(mails[0].Text, Does.Contain(Environment.MachineName));
        });
    }

    [Test]
    public async Task Healthchecks_BackupRunOkThenFailing_StartThenSuccessWithOneRidThenFailWithTheReason()
    {
        using var hc = HttpRecorder.Start();
        var backups = Directory.CreateTempSubdirectory("opsagent-notify-backups-");
        try
        {
            await using var agent = await TestAgent.StartAsync($$"""
                "Backups": {
                  "db": { "Engine": "postgres", "Schedule": "0 2 1 1 *", "CatchUp": false, "Connection": "{{Pg}}", "Directory": "{{backups.FullName}}",
                          "Ping": { "Type": "healthchecks", "Url": "{{hc.Url}}/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278" } },
                  "gone": { "Engine": "postgres", "Schedule": "0 2 1 1 *", "CatchUp": false, "Retries": 0, "Connection": "{{Pg}};Database=no_such_database", "Directory": "{{backups.FullName}}",
                            "Ping": { "Type": "healthchecks", "Url": "{{hc.Url}}/ping/0e9a5a3c-9e4f-4b5e-8b55-0c6f1b2ad1aa" } }
                }
                """);
            await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("db", "backup"), CancellationToken.None);
            await Eventually.WaitAsync(() => hc.Requests.Count(r => r.PathAndQuery.StartsWith("/ping/5bf6", StringComparison.Ordinal)) >= 2, "start and success pings", Eventually.Slow);
            var db = hc.Requests.Where(r => r.PathAndQuery.StartsWith("/ping/5bf6", StringComparison.Ordinal)).ToList();
            var rid = db[0].PathAndQuery.Split("rid=")[^1];
            Assert.Multiple(() =>
            {
                Assert.That(db.Select(r => r.PathAndQuery.Split('?')[0]), Is.EqualTo(new[] { "/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278/start", "/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278" }),
                    "start first, then success");
                Assert.That(Guid.TryParse(rid, out _), Is.True, db[0].PathAndQuery);
                Assert.That(db[1].PathAndQuery, Does.EndWith($"rid={rid}"), "the same run id");
                Assert.That(db[1].Body, Does.Contain(".dump.zst"), "the success ping carries the run's summary");
            });

            await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("gone", "backup"), CancellationToken.None);
            await Eventually.WaitAsync(() => hc.Requests.Any(r => r.PathAndQuery.Contains("/fail", StringComparison.Ordinal)), "the fail ping", Eventually.Slow);
            var fail = hc.Requests.Single(r => r.PathAndQuery.Contains("/fail", StringComparison.Ordinal));
            Assert.Multiple(() =>
            {
                Assert.That(fail.PathAndQuery, Does.StartWith("/ping/0e9a5a3c-9e4f-4b5e-8b55-0c6f1b2ad1aa/fail?rid="));
                Assert.That(fail.Method, Is.EqualTo("POST"));
                Assert.That(fail.Body, Does.Contain("no_such_database"), "the reason and message in the body");
            });
        }
        finally
        {
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Ping_ReceiverHangs_TheBackupStillEndsAtOnce()
    {
        using var hc = HttpRecorder.Start();
        hc.Mode = HttpRecorder.Answer.Hang;
        var backups = Directory.CreateTempSubdirectory("opsagent-notify-hang-");
        try
        {
            await using var agent = await TestAgent.StartAsync($$"""
                "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 1 1 *", "CatchUp": false, "Connection": "{{Pg}}", "Directory": "{{backups.FullName}}",
                                     "Ping": { "Type": "healthchecks", "Url": "{{hc.Url}}/ping/hang", "Timeout": "00:05:00" } } }
                """);
            await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("db", "backup"), CancellationToken.None);
            await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "backup_succeeded", "the backup's end while its start ping hangs", Eventually.Slow);
            Assert.Multiple(() =>
            {
                Assert.That(hc.Requests.Select(r => r.PathAndQuery.Split('?')[0]), Is.EqualTo(new[] { "/ping/hang/start" }), "only the start ping was sent, and it hangs");
                Assert.That(Directory.GetFiles(backups.FullName, "db_*.dump.zst"), Has.Length.EqualTo(1));
            });
        }
        finally
        {
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Heartbeat_AgentStopsAndStartsAgain_PingsStopThenResume()
    {
        using var hc = HttpRecorder.Start();
        var config = $$"""
            "Heartbeat": { "Type": "healthchecks", "Url": "{{hc.Url}}/hb", "Every": "00:00:10" },
            """;
        var agent = await TestAgent.StartAsync(config);
        await Eventually.WaitAsync(() => hc.Requests.Any(r => r.PathAndQuery == "/hb"), "the first heartbeat", Eventually.Slow);
        await agent.DisposeAsync();
        var afterStop = hc.Requests.Count;
        await Task.Delay(TimeSpan.FromSeconds(12)); // longer than Every: a live agent would have pinged
        Assert.That(hc.Requests, Has.Count.EqualTo(afterStop), "a stopped agent sends nothing: the receiver notices the silence");
        Assert.That(hc.Requests.All(r => r.PathAndQuery == "/hb"), Is.True, "no /fail while it was healthy (the scheduler was running)");

        await using var again = await TestAgent.StartAsync(config);
        await Eventually.WaitAsync(() => hc.Requests.Count > afterStop, "the heartbeat after the restart", Eventually.Slow);
    }

    [Test]
    public async Task Heartbeat_ReloadShortensEveryAndMovesTheCheck_NewCheckPingedWithoutWaitingTheOldHour()
    {
        using var hc = HttpRecorder.Start();
        await using var agent = await TestAgent.StartAsync($$"""
            "Heartbeat": { "Type": "healthchecks", "Url": "{{hc.Url}}/hb-hourly", "Every": "01:00:00" },
            """);
        await Eventually.WaitAsync(() => hc.Requests.Any(r => r.PathAndQuery == "/hb-hourly"), "the first heartbeat", Eventually.Slow);

        // The operator moves the agent to another check with a 5-minute period, as the README's example has it.
        await agent.WriteConfigAsync($$"""
            "Heartbeat": { "Type": "healthchecks", "Url": "{{hc.Url}}/hb-new", "Every": "00:05:00" },
            """);
        await Eventually.WaitAsync(() => hc.Requests.Any(r => r.PathAndQuery == "/hb-new"), "the heartbeat to the new check after the reload", Eventually.Slow);
        Assert.That(hc.Requests.Count(r => r.PathAndQuery == "/hb-hourly"), Is.EqualTo(1), "the old check is not pinged again");
    }

    [Test]
    public async Task Webhook_ReloadRejectedThenRepaired_OneAlertSayingTheFirstErrorThenItsEnd()
    {
        using var hook = HttpRecorder.Start();
        var channel = $$"""
            "Notifications": { "ops-hook": { "Type": "webhook", "Url": "{{hook.Url}}/hook" } },
            "Alerting": { "Channels": [ "ops-hook" ], "Collapse": "00:00:01" },
            """;
        await using var agent = await TestAgent.StartAsync(channel);

        // A typo in an edit: the last good configuration, with its channel, stays in force and says so.
        await agent.WriteConfigAsync(channel + """
            "Probes": { "web": { "Type": "tcp", "Host": "127.0.0.1", "Port": 99999, "Every": "30s" } },
            """);
        await Eventually.WaitAsync(() => !hook.Requests.IsEmpty, "the rejected reload's alert", Eventually.Slow);
        await agent.WriteConfigAsync(channel);
        await Eventually.WaitAsync(() => hook.Requests.Count >= 2, "the repaired reload's message", Eventually.Slow);

        var messages = hook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(messages[0].GetProperty("subject").GetString(), Is.EqualTo($"[opsagent {Environment.MachineName}] CRITICAL configuration reload was rejected"));
            Assert.That(messages[0].GetProperty("text").GetString(), Does.Contain("OpsAgent:Probes:web:Port"), "what is wrong, not only that something is");
            Assert.That(messages[1].GetProperty("subject").GetString(), Does.StartWith($"[opsagent {Environment.MachineName}] RESOLVED configuration reloaded after "));
        });
    }

    [Test]
    public async Task NotifyTest_TlsWithTheTestCaThenWithAnotherCa_DeliveredThenRefusedTlsInvalid()
    {
        var api = TestEnvironment.Require("OPSAGENT_TEST_SMTPS_API");
        await ClearMailAsync(api);
        var endpoint = TestEnvironment.Require("OPSAGENT_TEST_SMTPS");
        var dir = Directory.CreateTempSubdirectory("opsagent-notify-tls-");
        try
        {
            var (host, port) = (endpoint[..endpoint.LastIndexOf(':')], endpoint[(endpoint.LastIndexOf(':') + 1)..]);
            string Channel(string name, string ca) => $$"""
                "{{name}}": { "Type": "smtp", "Host": "{{host}}", "Port": {{port}}, "StartTls": false, "Tls": true, "CaFile": "{{ca}}",
                              "From": "opsagent@web1.test", "To": [ "ops@team.test" ] }
                """;
            var config = Path.Combine(dir.FullName, "appsettings.json");
            await File.WriteAllTextAsync(config, $$"""
                { "OpsAgent": { "StateDirectory": "{{dir.FullName}}", "Notifications": {
                  {{Channel("right-ca", TestEnvironment.Require("OPSAGENT_TEST_SMTP_CA"))}},
                  {{Channel("wrong-ca", TestEnvironment.Require("OPSAGENT_TEST_PG_SSL_CERT"))}} } } }
                """);
            using var right = new StringWriter();
            using var wrong = new StringWriter();
            var delivered = await OpsAgent.Cli.NotifyCommands.TestAsync(config, "right-ca", right, CancellationToken.None);
            var refused = await OpsAgent.Cli.NotifyCommands.TestAsync(config, "wrong-ca", wrong, CancellationToken.None);
            Assert.Multiple(async () =>
            {
                Assert.That(delivered, Is.Zero, right.ToString());
                Assert.That(right.ToString(), Does.Contain("notify test right-ca: delivered").And.Contain("Message queued"), "what the server answered");
                Assert.That(refused, Is.EqualTo(1), wrong.ToString());
                Assert.That(wrong.ToString(), Does.Contain("not delivered (tls_invalid"), "a certificate from another CA is refused, not ignored");
                Assert.That((await MailsAsync(api)).Select(m => m.Subject), Is.EqualTo(new[] { $"[opsagent {Environment.MachineName}] TEST message through right-ca" }));
            });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task NotifyTest_StartTlsWithALogIn_UpgradedBeforeTheLogInAndDelivered()
    {
        var endpoint = TestEnvironment.Require("OPSAGENT_TEST_STARTTLS");
        var inbox = TestEnvironment.Require("OPSAGENT_TEST_STARTTLS_DIR");
        var before = Directory.GetFiles(inbox, "*.eml").Length;
        var dir = Directory.CreateTempSubdirectory("opsagent-notify-starttls-");
        try
        {
            var (host, port) = (endpoint[..endpoint.LastIndexOf(':')], endpoint[(endpoint.LastIndexOf(':') + 1)..]);
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "smtp.env"), "SMTP_PASSWORD=Pw-never-in-clear-4411\n");
            var config = Path.Combine(dir.FullName, "appsettings.json");
            await File.WriteAllTextAsync(config, $$"""
                { "OpsAgent": { "StateDirectory": "{{dir.FullName}}", "Notifications": {
                  "submission": { "Type": "smtp", "Host": "{{host}}", "Port": {{port}}, "StartTls": true, "CaFile": "{{TestEnvironment.Require("OPSAGENT_TEST_SMTP_CA")}}",
                                  "User": "opsagent", "Password": { "FromEnvFile": "{{dir.FullName}}/smtp.env", "Variable": "SMTP_PASSWORD" },
                                  "From": "opsagent@web1.test", "To": [ "ops@team.test" ] },
                  "no-upgrade": { "Type": "smtp", "Host": "{{host}}", "Port": {{port}}, "StartTls": false, "From": "opsagent@web1.test", "To": [ "ops@team.test" ] } } } }
                """);
            using var upgraded = new StringWriter();
            using var plain = new StringWriter();
            var delivered = await OpsAgent.Cli.NotifyCommands.TestAsync(config, "submission", upgraded, CancellationToken.None);
            var refused = await OpsAgent.Cli.NotifyCommands.TestAsync(config, "no-upgrade", plain, CancellationToken.None);
            var mails = Directory.GetFiles(inbox, "*.eml");
            Assert.Multiple(() =>
            {
                Assert.That(delivered, Is.Zero, upgraded.ToString());
                Assert.That(upgraded.ToString(), Does.Contain("accepted over TLS"), "what the server answered");
                Assert.That(refused, Is.EqualTo(1), plain.ToString());
                Assert.That(plain.ToString(), Does.Contain("not delivered (smtp_refused").And.Contain("STARTTLS"), "the server's refusal, not a crash");
                Assert.That(mails, Has.Length.EqualTo(before + 1));
                Assert.That(File.ReadAllText(mails.OrderBy(File.GetLastWriteTimeUtc).Last()), Does.Contain("TEST message through submission").And.Not.Contain("Pw-never-in-clear-4411"));
            });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
