using OpsAgent.Core.Databases;

namespace OpsAgent.Core.Tests.Databases;

public sealed class PostgresConnectionTests
{
    [Test]
    public void Parse_Url_MapsToLibpqVariables()
    {
        var c = PostgresConnection.Parse("postgresql://app%40corp:p%40ss%3Aw0rd@db.internal:6432/sims?sslmode=require&application_name=nightly", null);

        Assert.That(c.Environment, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["PGUSER"] = "app@corp",
            ["PGPASSWORD"] = "p@ss:w0rd",
            ["PGHOST"] = "db.internal",
            ["PGPORT"] = "6432",
            ["PGDATABASE"] = "sims",
            ["PGSSLMODE"] = "require",
            ["PGAPPNAME"] = "nightly",
        }));
    }

    [Test]
    public void Parse_NpgsqlKeywordsWithDatabaseOverride_UsesTheJobsDatabase()
    {
        var c = PostgresConnection.Parse("Host=/var/run/postgresql;Username=postgres;Password=pw;Database=old;SSL Mode=Disable", "fmu");

        Assert.That(c.Environment["PGHOST"], Is.EqualTo("/var/run/postgresql"));
        Assert.That(c.Environment["PGDATABASE"], Is.EqualTo("fmu"));
        Assert.That(c.Environment["PGSSLMODE"], Is.EqualTo("disable"));
        Assert.That(c.Environment.ContainsKey("PGPORT"), Is.False, "default port left to libpq");
    }

    [Test]
    public void Parse_UnknownUrlParameter_FailsNamingItButNotThePassword()
    {
        var ex = Assert.Throws<FormatException>(() => PostgresConnection.Parse("postgres://u:topsecret@h/db?frobnicate=1", null));

        Assert.That(ex!.Message, Does.Contain("frobnicate").And.Not.Contain("topsecret"));
    }

    [Test]
    public void Parse_PrismaUrl_AcceptsOrmParametersAndKeepsTheSchema()
    {
        var c = PostgresConnection.Parse("postgresql://app:pw@db.internal:5432/sofinance?schema=public&sslmode=require&connection_limit=5&pool_timeout=10&pgbouncer=true", null);

        Assert.Multiple(() =>
        {
            Assert.That(c.Database, Is.EqualTo("sofinance"));
            Assert.That(c.Environment["PGSSLMODE"], Is.EqualTo("require"));
            Assert.That(c.Schema, Is.EqualTo("public"));
            Assert.That(c.IgnoredParameters, Is.EquivalentTo(new[] { "schema", "connection_limit", "pool_timeout", "pgbouncer" }));
            Assert.That(c.Environment.Keys, Has.None.Contains("SCHEMA").And.None.Contains("LIMIT"), "nothing libpq does not know reaches the tools");
            Assert.That(c.ToNpgsql(), Does.Contain("Search Path=public"), "the probe's search path");
        });
    }

    [Test]
    public void Parse_UnknownKeyword_FailsNamingTheKeyword()
    {
        var ex = Assert.Throws<FormatException>(() => PostgresConnection.Parse("Host=x;Pasword=topsecret", null));

        Assert.That(ex!.Message, Does.Contain("pasword").IgnoreCase.And.Not.Contain("topsecret"));
    }

    [Test]
    public void Parse_UnquotedSemicolonInPassword_FailsNamingTheFieldWithoutAnyPartOfThePassword()
    {
        var ex = Assert.Throws<FormatException>(() => PostgresConnection.Parse("Host=127.0.0.1;Password=Leak;Me123;Database=small", null));

        Assert.That(ex!.Message, Does.Not.Contain("leak").IgnoreCase.And.Not.Contain("me123").IgnoreCase.And.Not.Contain("123"));
        Assert.That(ex.Message, Does.Contain("Password").And.Contain("quoted"));
        Assert.That(ex.InnerException, Is.Null, "the library's exception text quotes the fragment: it must not travel along");
    }

    [Test]
    public void Parse_InvalidValueOfAKnownKeyword_NamesTheKeywordNotTheValue()
    {
        var ex = Assert.Throws<FormatException>(() => PostgresConnection.Parse("Host=x;Port=6x4s3cr3t", null));

        Assert.That(ex!.Message, Does.Contain("Port").And.Not.Contain("6x4s3cr3t"));
    }
}
