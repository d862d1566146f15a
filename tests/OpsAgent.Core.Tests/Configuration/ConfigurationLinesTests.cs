using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Tests.Configuration;

public sealed class ConfigurationLinesTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("opsagent-lines-");

    [TearDown]
    public void TearDown() => _dir.Delete(recursive: true);

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Test]
    public void Find_CommentedJsonWithArrays_LineOfTheKeyInTheLastFileThatSetsIt()
    {
        var main = Write("appsettings.json", """
            { "OpsAgent": { "Probes": { "site": { "Url": "http://127.0.0.1/" } } } }
            """);
        var conf = Write("site.json", """
            // a comment with { "Url": "not this" }
            {
              "OpsAgent": {
                "Probes": {
                  "other": { "ExpectStatus": [200, 204], "DependsOn": [{ "Url": "no" }] },
                  "SITE": {
                    /* the URL */
                    "url": "https://status.example.org/health",
                  }
                }
              }
            }
            """);

        Assert.That(ConfigurationLines.Find([main, conf], "OpsAgent:Probes:site:Url"), Is.EqualTo($"{conf}:8"));
    }

    [Test]
    public void Find_PathAFileDoesNotSet_LineOfTheNearestEnclosingKey()
    {
        var main = Write("appsettings.json", "{\n  \"OpsAgent\": {\n    \"TimeZone\": \"UTC\"\n  }\n}\n");

        Assert.That(ConfigurationLines.Find([main], "OpsAgent:Docker:Endpoint"), Is.EqualTo($"{main}:2"));
        Assert.That(ConfigurationLines.Find([main], "Elsewhere:Key"), Is.Null);
    }
}
