using OpsAgent.Core.Secrets;

namespace OpsAgent.Core.Tests.Secrets;

public sealed class SecretRedactorTests
{
    [Test]
    public void Redact_RegisteredUrl_MasksWholeValueAndPasswordAlone()
    {
        var redactor = new SecretRedactor();
        redactor.Register("postgresql://sims:S3cr%21t@db:5432/sims");

        Assert.That(redactor.Redact("dumping postgresql://sims:S3cr%21t@db:5432/sims now"), Is.EqualTo("dumping *** now"));
        Assert.That(redactor.Redact("pg_dump: password S3cr!t rejected"), Is.EqualTo("pg_dump: password *** rejected"));
    }

    [TestCase("mongodb://appuser:hunter22@127.0.0.1:27017/innova_db", "mongodb://appuser:***@127.0.0.1:27017/innova_db")]
    [TestCase("Host=db;Username=sims;Password=hunter22;Database=sims", "Host=db;Username=sims;Password=***;Database=sims")]
    [TestCase("PGPASSWORD=hunter22 pg_dump", "PGPASSWORD=*** pg_dump")]
    [TestCase("{\"password\": \"hunter22\"}", "{\"password\": \"***\"}")]
    public void Redact_UnregisteredCredentialShapes_Masked(string input, string expected)
        => Assert.That(new SecretRedactor().Redact(input), Is.EqualTo(expected));

    [Test]
    public void Redact_TextWithoutSecrets_Unchanged()
        => Assert.That(new SecretRedactor().Redact("backup sims-db finished in 12 s"), Is.EqualTo("backup sims-db finished in 12 s"));
}
