using OpsAgent.Core.Secrets;

namespace OpsAgent.Core.Tests.Secrets;

public sealed class EnvFileTests
{
    [Test]
    public void Parse_SeedStyleEnvFile_ReadsEveryForm()
    {
        const string text = """
            # /etc/innovaplus/backend.env
            ENV=production
            export PORT=8000
            MONGO_URI="mongodb://appuser:p#ss w0rd@127.0.0.1:27017/innova_db?authSource=innova_db"
            SINGLE='it''s'
            DB_NAME=innova_db # trailing comment
            ALLOWED_ORIGINS=https://innovaplus.africa,https://www.innovaplus.africa
            MULTI="a\nb"
            not a variable line
            """;

        var vars = EnvFile.Parse(text.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.That(vars["ENV"], Is.EqualTo("production"));
        Assert.That(vars["PORT"], Is.EqualTo("8000"));
        Assert.That(vars["MONGO_URI"], Is.EqualTo("mongodb://appuser:p#ss w0rd@127.0.0.1:27017/innova_db?authSource=innova_db"));
        Assert.That(vars["DB_NAME"], Is.EqualTo("innova_db"));
        Assert.That(vars["ALLOWED_ORIGINS"], Is.EqualTo("https://innovaplus.africa,https://www.innovaplus.africa"));
        Assert.That(vars["MULTI"], Is.EqualTo("a\nb"));
        Assert.That(vars, Does.Not.ContainKey("not a variable line"));
    }
}
