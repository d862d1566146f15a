using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.S3;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;
using OpsAgent.Testing;

namespace OpsAgent.Backups.Tests.Copies.S3;

/// <summary>An endpoint that accepts connections and never answers (a hung proxy, a half-dead server) must not hold a pass for hours.</summary>
public sealed class S3SilentServerTests
{
    [Test]
    public async Task ConnectAsync_ServerAcceptsAndNeverAnswers_TimeoutAfterTheAnswerDeadlineOnTheAgentsClock()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new S3TargetOptions
        {
            Endpoint = $"http://127.0.0.1:{port}", Region = "us-east-1", Bucket = "silent", ForcePathStyle = true,
            AccessKeyId = new SecretReference { Value = "AKIA" }, SecretAccessKey = new SecretReference { Value = "secret" },
        };
        var target = new CopyTargetOptions { Type = "s3", Settings = options };
        var context = new CopyTargetContext("silent", "OpsAgent:Targets:silent", target, new SecretResolver(SecretRedactor.Shared), new ToolRunner(null), clock, NullLogger.Instance);

        var connect = ((ICopyTargetFactory)new S3Target()).ConnectAsync(context, target, CancellationToken.None);
        using var client = await accepted.WaitAsync(Eventually.Default);
        clock.Advance(S3Session.AnswerTimeout - TimeSpan.FromSeconds(1));
        Assert.That(connect.IsCompleted, Is.False, "still waiting before the deadline");
        clock.Advance(TimeSpan.FromSeconds(1));

        var ex = Assert.ThrowsAsync<CopyFailedException>(() => connect.WaitAsync(Eventually.Default));
        Assert.That(ex!.Reason, Is.EqualTo(CopyReasons.Timeout));
        Assert.That(ex.Message, Does.Contain("did not answer within 2 minutes"));
    }
}
