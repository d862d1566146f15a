using OpsAgent.Core.Secrets;

namespace OpsAgent.Core.Tests.Secrets;

public sealed class SecretResolverTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("opsagent-secrets-");

    [TearDown]
    public void TearDown() => _dir.Delete(recursive: true);

    [Test]
    public async Task ResolveAsync_EachSource_ReturnsValueAndTeachesRedactor()
    {
        var redactor = new SecretRedactor();
        var resolver = new SecretResolver(redactor);
        var file = Path.Combine(_dir.FullName, "pw");
        await File.WriteAllTextAsync(file, "from-file-pw\n");
        var env = Path.Combine(_dir.FullName, "backend.env");
        await File.WriteAllTextAsync(env, "MONGO_URI=mongodb://u:from-envfile-pw@h/db\n");
        Environment.SetEnvironmentVariable("OPSAGENT_TEST_SECRET_VAR", "from-environment-pw");
        try
        {
            Assert.That(await resolver.ResolveAsync(new SecretReference { Value = "inline-pw" }, "p", CancellationToken.None), Is.EqualTo("inline-pw"));
            Assert.That(await resolver.ResolveAsync(new SecretReference { File = file }, "p", CancellationToken.None), Is.EqualTo("from-file-pw"));
            Assert.That(await resolver.ResolveAsync(new SecretReference { FromEnvFile = env, Variable = "MONGO_URI" }, "p", CancellationToken.None),
                Is.EqualTo("mongodb://u:from-envfile-pw@h/db"));
            Assert.That(await resolver.ResolveAsync(new SecretReference { Environment = "OPSAGENT_TEST_SECRET_VAR" }, "p", CancellationToken.None),
                Is.EqualTo("from-environment-pw"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPSAGENT_TEST_SECRET_VAR", null);
        }

        Assert.That(redactor.Redact("inline-pw from-file-pw from-envfile-pw from-environment-pw"), Is.EqualTo("*** *** *** ***"));
    }

    [Test]
    public void ResolveAsync_MissingVariable_ErrorNamesPathFileAndVariableNotValues()
    {
        var env = Path.Combine(_dir.FullName, "backend.env");
        File.WriteAllText(env, "OTHER=secret-value\n");
        var resolver = new SecretResolver(new SecretRedactor());

        var ex = Assert.ThrowsAsync<SecretResolutionException>(() => resolver.ResolveAsync(
            new SecretReference { FromEnvFile = env, Variable = "MONGO_URI" }, "OpsAgent:Backups:innova:Connection", CancellationToken.None));

        Assert.That(ex!.Message, Is.EqualTo($"OpsAgent:Backups:innova:Connection: variable 'MONGO_URI' is not defined in '{env}'"));
    }

    [Test]
    public void ResolveAsync_MissingFile_SaysItDoesNotExist()
    {
        var ex = Assert.ThrowsAsync<SecretResolutionException>(() => new SecretResolver(new SecretRedactor())
            .ResolveAsync(new SecretReference { File = "/nonexistent/pw" }, "X:Connection", CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("'/nonexistent/pw' does not exist"));
    }

    [Test]
    public void Validate_TwoSourcesAndMissingVariable_ReportsBothWithPaths()
    {
        var errors = new SecretReference { File = "/a", FromEnvFile = "/b" }.Validate("OpsAgent:X:Connection").ToList();
        Assert.That(errors.Select(e => e.ToString()), Is.EquivalentTo(new[]
        {
            "OpsAgent:X:Connection: more than one secret source: give only one of a value, File, FromEnvFile, Environment",
            "OpsAgent:X:Connection:Variable: FromEnvFile needs the Variable to read",
        }));
    }
}
