using OpsAgent.Core.HostChecks;

namespace OpsAgent.Core.Tests.HostChecks;

public sealed class ExampleHostsTests
{
    [TestCase("example.com", true)]
    [TestCase("api.ujmp.example.com", true)]
    [TestCase("DB.Example.Org.", true)]
    [TestCase("x.example.net", true)]
    [TestCase("example.com.au", false)]
    [TestCase("myexample.com", false)]
    [TestCase("api.innovaplus.africa", false)]
    [TestCase(null, false)]
    public void IsPlaceholder_Host_TrueOnlyForTheDocumentationDomains(string? host, bool placeholder)
        => Assert.That(ExampleHosts.IsPlaceholder(host), Is.EqualTo(placeholder));

    [Test]
    public void OfUrl_MongoReplicaSetWithCredentials_EachHostWithoutPortOrPassword()
        => Assert.That(ExampleHosts.OfUrl("mongodb://app:p%40ss@db1.example.com:27017,db2.internal,[::1]:27018/innova?replicaSet=rs0"),
            Is.EqualTo(new[] { "db1.example.com", "db2.internal", "::1" }));
}
