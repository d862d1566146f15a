using Microsoft.Extensions.Configuration;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Certificates.Tests;

public sealed class CertificatesOptionsValidatorTests
{
    private static (CertificatesOptions Options, List<ConfigError> Errors) Load(string json)
    {
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var errors = new List<ConfigError>();
        var options = (CertificatesOptions)new AgentSection<CertificatesOptions>(CertificatesOptions.SectionName, [new CertificatesOptionsValidator()]).Load(root, errors);
        return (options, errors);
    }

    [Test]
    public void Load_StringAndObjectForms_BothBind()
    {
        var (options, errors) = Load("""
            { "OpsAgent": { "Certificates": {
                "Endpoints": { "api": "api.example.test:8443", "v6": "[::1]:443", "db": { "Host": "db.internal", "Protocol": "postgres" } },
                "Files": { "le": "/etc/letsencrypt/live/*/fullchain.pem", "nginx": { "Path": "/etc/nginx/tls/*.crt", "OnCritical": { "Command": "certbot renew --cert-name x", "Then": "systemctl reload nginx" } } } } } }
            """);

        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            Assert.That((options.Endpoints["api"].Host, options.Endpoints["api"].EffectivePort), Is.EqualTo(("api.example.test", 8443)));
            Assert.That((options.Endpoints["v6"].Host, options.Endpoints["v6"].EffectivePort), Is.EqualTo(("::1", 443)));
            Assert.That(options.Endpoints["db"].EffectivePort, Is.EqualTo(5432), "postgres defaults to 5432");
            Assert.That(options.Files["le"].Path, Is.EqualTo("/etc/letsencrypt/live/*/fullchain.pem"));
            Assert.That(options.Files["nginx"].OnCritical!.Then, Is.EqualTo("systemctl reload nginx"));
        });
    }

    [Test]
    public void Load_EveryMistake_ReportedWithItsPath()
    {
        var (_, errors) = Load("""
            { "OpsAgent": { "Certificates": { "Schedule": "every day", "WarningDays": 5, "CriticalDays": 7,
                "Endpoints": { "Bad Name": "x:1", "api": "host:notaport", "db": { "Port": 70000 } },
                "Files": { "rel": "certs/*.pem", "le": { "Path": "/etc/le/*.pem", "OnCritical": { "Command": "certbot renew --force-renewal", "Then": "sh -c 'oops" } } } } } }
            """);

        var paths = errors.Select(e => e.Path).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "OpsAgent:Certificates:Schedule",
            "OpsAgent:Certificates:WarningDays",
            "OpsAgent:Certificates:Endpoints:Bad Name",
            "OpsAgent:Certificates:Endpoints:api",
            "OpsAgent:Certificates:Endpoints:db:Host",
            "OpsAgent:Certificates:Endpoints:db:Port",
            "OpsAgent:Certificates:Files:rel:Path",
            "OpsAgent:Certificates:Files:le:OnCritical:Command",
            "OpsAgent:Certificates:Files:le:OnCritical:Then",
        }), string.Join("\n", errors));
        Assert.That(errors.Single(e => e.Path.EndsWith("le:OnCritical:Command", StringComparison.Ordinal)).Message, Does.Contain("--force-renewal"));
        Assert.That(errors.Single(e => e.Path.EndsWith("Endpoints:api", StringComparison.Ordinal)).Message, Does.Contain("host:port"));
    }

    [Test]
    public void Load_OnCriticalPlaceholders_FilesMayNameTheMatchedFileAndAnythingElseIsAnErrorWithItsPath()
    {
        var (_, errors) = Load("""
            { "OpsAgent": { "Certificates": {
                "Endpoints": { "api": { "Host": "api.example.org", "OnCritical": { "Command": "certbot renew --cert-name {CertName}" } } },
                "Files": {
                  "le": { "Path": "/etc/letsencrypt/live/*/fullchain.pem", "OnCritical": { "Command": "certbot renew --cert-name {CertName}", "Then": "deploy {Path}" } },
                  "typo": { "Path": "/etc/letsencrypt/live/*/fullchain.pem", "OnCritical": { "Command": "certbot renew --cert-name {Certname}", "Then": "sh -c 'echo {}'" } } } } } }
            """);

        Assert.Multiple(() =>
        {
            Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[]
            {
                "OpsAgent:Certificates:Endpoints:api:OnCritical:Command",
                "OpsAgent:Certificates:Files:typo:OnCritical:Command",
            }), string.Join("\n", errors));
            Assert.That(errors.Single(e => e.Path.Contains("typo", StringComparison.Ordinal)).Message, Does.Contain("unknown placeholder {Certname}").And.Contains("{CertName}"));
            Assert.That(errors.Single(e => e.Path.Contains("Endpoints", StringComparison.Ordinal)).Message, Does.Contain("Files entries"));
        });
    }
}
