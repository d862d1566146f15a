using OpsAgent.Core.Secrets;
using OpsAgent.Testing;

namespace OpsAgent.Core.Tests.Secrets;

public sealed class EnvFileTests
{
    /// <summary>Lines an env file holds, each valid sh: the expected value is what <c>. ./f; printf %s "$A"</c> prints.</summary>
    private static readonly string[] Rows =
    [
        "A=production",
        "export A=8000",
        "A=\"mongodb://appuser:p#ss w0rd@127.0.0.1:27017/innova_db?authSource=innova_db\"",
        "A='it''s'",
        @"A=""a\\nb""",
        @"A=""a\nb""",
        "A=innova_db # trailing comment",
        "A=pa#ss",
        "A=\"quoted\" # trailing comment",
        "A='single \"double\" inside'",
        @"A=""say \""hi\""""",
        @"A=a\ b",
        @"A=""C:\path\x""",
        "A=\"\"",
        "A='a'\"b\"c",
        "A=\"tab\there\"",
        @"A=\$notavariable",
        "A='$HOME stays'",
        @"A=""\$HOME stays""",
        "A=\"https://innovaplus.africa,https://www.innovaplus.africa?a=1&b=2\"",
        "A=postgresql://u:p@h:5432/sofinance?schema=public",
    ];

    [TestCaseSource(nameof(Rows))]
    public void Parse_Line_SameValueAsSh(string line)
    {
        var directory = Directory.CreateTempSubdirectory("opsagent-env-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "f"), line + "\n");
            var expected = PosixShell.Run("unset A; . ./f; printf %s \"$A\"", directory);

            Assert.That(EnvFile.Parse(line + "\r\n")["A"], Is.EqualTo(expected));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Parse_SeedStyleEnvFile_ReadsEveryVariableAndSkipsTheRest()
    {
        const string text = """
            # /etc/innovaplus/backend.env
            ENV=production
            ALLOWED_ORIGINS=https://innovaplus.africa,https://www.innovaplus.africa
            SPACED=a b
            not a variable line
            ENV=staging
            """;

        var vars = EnvFile.Parse(text.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.That(vars.Keys, Is.EquivalentTo(new[] { "ENV", "ALLOWED_ORIGINS", "SPACED" }));
        Assert.That(vars["ENV"], Is.EqualTo("staging"), "the last definition wins");
        Assert.That(vars["SPACED"], Is.EqualTo("a b"), "as systemd's EnvironmentFile= and compose read it");
    }
}
