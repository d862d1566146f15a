using Microsoft.Extensions.Configuration;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Core.Tests.Configuration;

public sealed class StrictBinderTests
{
    private sealed class Sample
    {
        public TimeSpan Every { get; set; }

        public int FailureThreshold { get; set; } = 3;

        public bool VerifyTls { get; set; } = true;

        public List<int> ExpectStatus { get; set; } = [];

        public SecretReference? Connection { get; set; }

        public Dictionary<string, Sample> Children { get; set; } = [];
    }

    private static IConfigurationSection Section(string json)
        => new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build().GetSection("S");

    [Test]
    public void Bind_ValidValues_Converted()
    {
        var errors = new List<ConfigError>();
        var sample = StrictBinder.Bind<Sample>(Section("""
            { "S": { "Every": "30s", "FailureThreshold": 5, "VerifyTls": false, "ExpectStatus": [200, 204],
                     "Connection": { "FromEnvFile": "/etc/app.env", "Variable": "DATABASE_URL" },
                     "Children": { "a": { "Every": "00:01:00", "Connection": "Host=x" } } } }
            """), errors);

        Assert.That(errors, Is.Empty);
        Assert.That(sample.Every, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(sample.FailureThreshold, Is.EqualTo(5));
        Assert.That(sample.VerifyTls, Is.False);
        Assert.That(sample.ExpectStatus, Is.EqualTo(new[] { 200, 204 }));
        Assert.That(sample.Connection!.Describe(), Is.EqualTo("DATABASE_URL from /etc/app.env"));
        Assert.That(sample.Children["a"].Every, Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(sample.Children["a"].Connection!.Value, Is.EqualTo("Host=x"));
    }

    [Test]
    public void Bind_SeveralBadValues_AllReportedWithPaths()
    {
        var errors = new List<ConfigError>();
        StrictBinder.Bind<Sample>(Section("""
            { "S": { "Every": "soon", "FailureThreshold": "three", "VerifyTls": "yes please", "Shedule": "0 2 * * *",
                     "Children": { "a": { "Every": "1 week" } } } }
            """), errors);

        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[]
        {
            "S:Every", "S:FailureThreshold", "S:VerifyTls", "S:Shedule", "S:Children:a:Every",
        }));
        Assert.That(errors.Single(e => e.Path == "S:Every").Message, Does.Contain("'soon' is not a duration"));
    }

    [TestCase("30")]
    [TestCase("1.5")]
    [TestCase("7")]
    public void Bind_DurationWithoutUnit_RefusedWithTheAcceptedForms(string text)
    {
        var errors = new List<ConfigError>();
        var sample = StrictBinder.Bind<Sample>(Section($$"""{ "S": { "Every": "{{text}}" } }"""), errors);

        Assert.That(errors.Select(e => e.Path), Is.EqualTo(new[] { "S:Every" }), "a bare number must not silently mean days");
        Assert.That(errors[0].Message, Does.Contain("no unit").And.Contain("30s").And.Contain("00:00:30"));
        Assert.That(sample.Every, Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase("00:00:30", 30)]
    [TestCase("1.00:00:00", 86400)]
    [TestCase("30s", 30)]
    [TestCase("1h30m", 5400)]
    [TestCase("2d", 172800)]
    public void Bind_DurationWithUnitOrClockForm_Accepted(string text, int seconds)
    {
        var errors = new List<ConfigError>();
        var sample = StrictBinder.Bind<Sample>(Section($$"""{ "S": { "Every": "{{text}}" } }"""), errors);

        Assert.That(errors, Is.Empty);
        Assert.That(sample.Every, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }
}
