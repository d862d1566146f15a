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
    public void Parse_UnknownKeyword_FailsNamingTheKeyword()
    {
        var ex = Assert.Throws<FormatException>(() => PostgresConnection.Parse("Host=x;Pasword=topsecret", null));

        Assert.That(ex!.Message, Does.Contain("pasword").IgnoreCase.And.Not.Contain("topsecret"));
    }
}
