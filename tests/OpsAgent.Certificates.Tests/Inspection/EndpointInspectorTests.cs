using System.Security.Cryptography.X509Certificates;
using OpsAgent.Certificates.Inspection;

namespace OpsAgent.Certificates.Tests.Inspection;

public sealed class EndpointInspectorTests
{
    private static readonly DateTimeOffset Now = TestCertificates.Second(DateTimeOffset.UtcNow);
    private X509Certificate2 _ca = null!;
    private string _directory = null!;
    private string _caFile = null!;
    private TlsTestServer _server = null!;
    private readonly Dictionary<string, X509Certificate2> _leaves = [];

    [OneTimeSetUp]
    public void CreateServer()
    {
        _directory = Directory.CreateTempSubdirectory("opsagent-cert-").FullName;
        _ca = TestCertificates.CreateCa("OpsAgent Test CA", Now.AddDays(-400), Now.AddDays(400));
        _caFile = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(_caFile, TestCertificates.Pem(_ca));
        _leaves["valid.test"] = TestCertificates.CreateLeaf("valid.test", Now.AddDays(-10), Now.AddDays(80), _ca);
        _leaves["expired.test"] = TestCertificates.CreateLeaf("expired.test", Now.AddDays(-100), Now.AddDays(-10), _ca);
        _leaves["future.test"] = TestCertificates.CreateLeaf("future.test", Now.AddDays(5), Now.AddDays(95), _ca);
        _leaves["other.test"] = TestCertificates.CreateLeaf("other.test", Now.AddDays(-10), Now.AddDays(80), _ca);
        _leaves["self.test"] = TestCertificates.CreateLeaf("self.test", Now.AddDays(-1), Now.AddDays(30), issuer: null);
        _server = new TlsTestServer();
        foreach (var name in new[] { "valid.test", "expired.test", "future.test", "self.test" })
        {
            _server.Serve(name, _leaves[name]);
        }

        // Any other name (wrong.test) gets other.test's certificate: a name mismatch.
        _server.Serve("*", _leaves["other.test"]);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _ca.Dispose();
        foreach (var leaf in _leaves.Values)
        {
            leaf.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private CertificateEndpointOptions Endpoint(string serverName, bool trustCa = true) => new()
    {
        Host = "127.0.0.1",
        Port = _server.Port,
        ServerName = serverName,
        TrustedCa = trustCa ? _caFile : null,
        Timeout = TimeSpan.FromSeconds(10),
    };

    private static Task<CertificateCheck> InspectAsync(CertificateEndpointOptions options) => new EndpointInspector(TimeProvider.System).InspectAsync("site", options, CancellationToken.None);

    [TestCase("valid.test", null)]
    [TestCase("expired.test", "expired")]
    [TestCase("future.test", "not_yet_valid")]
    [TestCase("wrong.test", "name_mismatch")]
    public async Task InspectAsync_LeafUnderTestCa_ReportsExactValidityAndVerifyReason(string serverName, string? reason)
    {
        var check = await InspectAsync(Endpoint(serverName));

        var expected = _leaves.GetValueOrDefault(serverName) ?? _leaves["other.test"];
        Assert.Multiple(() =>
        {
            Assert.That(check.Success, Is.True, check.FailureMessage);
            Assert.That(check.Certificates[0].NotAfter, Is.EqualTo(new DateTimeOffset(expected.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
            Assert.That(check.Certificates[0].NotBefore, Is.EqualTo(new DateTimeOffset(expected.NotBefore.ToUniversalTime(), TimeSpan.Zero)));
            Assert.That(check.Certificates[0].Subject, Is.EqualTo(expected.GetNameInfo(X509NameType.SimpleName, false)));
            Assert.That(check.Verified, Is.True);
            Assert.That(check.VerifyReason, Is.EqualTo(reason), check.VerifyMessage);
        });
        Assert.That(_server.ServerNames, Does.Contain(serverName), "the name was sent as SNI");
    }

    [Test]
    public async Task InspectAsync_SelfSigned_MeasuredAndReportedSelfSigned()
    {
        var check = await InspectAsync(Endpoint("self.test", trustCa: false));

        Assert.Multiple(() =>
        {
            Assert.That(check.Certificates.Single().NotAfter, Is.EqualTo(new DateTimeOffset(_leaves["self.test"].NotAfter.ToUniversalTime(), TimeSpan.Zero)));
            Assert.That(check.VerifyReason, Is.EqualTo("self_signed"));
        });
    }

    [Test]
    public async Task InspectAsync_TestCaNotTrusted_ReportsUntrustedRoot()
    {
        await using var server = new TlsTestServer();
        using var intermediate = TestCertificates.CreateCa("OpsAgent Test Intermediate", Now.AddDays(-300), Now.AddDays(300), _ca);
        using var leaf = TestCertificates.CreateLeaf("chain.test", Now.AddDays(-1), Now.AddDays(60), intermediate);
        server.Serve("*", leaf, intermediate);

        var check = await InspectAsync(new CertificateEndpointOptions { Host = "127.0.0.1", Port = server.Port, ServerName = "chain.test" });

        Assert.Multiple(() =>
        {
            Assert.That(check.Certificates.Select(c => c.Subject), Is.EqualTo(new[] { "chain.test", "OpsAgent Test Intermediate" }), "leaf and the intermediate the server sent");
            Assert.That(check.SeriesLabel(check.Certificates[1]), Is.EqualTo("site#2"));
            Assert.That(check.VerifyReason, Is.EqualTo("untrusted_root"));
        });
    }

    [Test]
    public async Task InspectAsync_ServerHangs_FailsWithTimeout()
    {
        await using var server = new TlsTestServer { Hang = true };

        var check = await InspectAsync(new CertificateEndpointOptions { Host = "127.0.0.1", Port = server.Port, Timeout = TimeSpan.FromMilliseconds(300) });

        Assert.Multiple(() =>
        {
            Assert.That(check.Success, Is.False);
            Assert.That(check.FailureReason, Is.EqualTo("timeout"));
            Assert.That(check.Certificates, Is.Empty);
        });
    }

    [Test]
    public async Task InspectAsync_NothingListening_FailsWithConnectionRefused()
    {
        var port = LoopbackPort.Unused();

        var check = await InspectAsync(new CertificateEndpointOptions { Host = "127.0.0.1", Port = port });

        Assert.That(check.FailureReason, Is.EqualTo("connection_refused"));
    }

    [Test]
    public async Task InspectAsync_PostgresProtocol_ReadsTheDatabaseServersCertificate()
    {
        var pg = TestEnvironment.Require("OPSAGENT_TEST_PG");
        var certFile = TestEnvironment.Require("OPSAGENT_TEST_PG_SSL_CERT");

        var port = int.Parse(pg.Split(';').Single(p => p.StartsWith("Port=", StringComparison.Ordinal))[5..], System.Globalization.CultureInfo.InvariantCulture);
        using var expected = X509CertificateLoader.LoadCertificateFromFile(certFile);

        var check = await InspectAsync(new CertificateEndpointOptions { Host = "127.0.0.1", Port = port, Protocol = EndpointProtocol.Postgres, ServerName = "localhost", TrustedCa = certFile });

        Assert.Multiple(() =>
        {
            Assert.That(check.Success, Is.True, check.FailureMessage);
            Assert.That(check.Certificates[0].Thumbprint, Is.EqualTo(expected.Thumbprint));
            Assert.That(check.Certificates[0].NotAfter, Is.EqualTo(new DateTimeOffset(expected.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
            Assert.That(check.VerifyReason, Is.Null, check.VerifyMessage);
        });
    }

    [Test]
    public async Task InspectAsync_PostgresProtocolAgainstPlainTls_FailsWithProtocolError()
    {
        var check = await InspectAsync(Endpoint("valid.test") is var o ? new CertificateEndpointOptions { Host = o.Host, Port = o.Port, Protocol = EndpointProtocol.Postgres, Timeout = TimeSpan.FromSeconds(5) } : null!);

        Assert.That(check.Success, Is.False);
        Assert.That(check.FailureReason, Is.AnyOf("protocol_error", "timeout"));
    }
}
