using MongoDB.Driver;
using OpsAgent.Backups.Engines.MongoDb;

namespace OpsAgent.Backups.Tests.Engines.MongoDb;

/// <summary>
/// Where the URI's user logs in: the tools' <c>--config</c> URI and the agent's own checks (the emptiness check before a
/// restore) must agree with each other and with what mongo-tools and the driver would choose from the URI as written.
/// </summary>
public sealed class MongoAuthenticationTests
{
    // uri => the source both the tools and the driver-side check log in to (null: no credential, or the SRV TXT record decides)
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db", "innova_db", TestName = "Source_UriNamesDatabaseNoAuthSource_TheDatabase")]
    [TestCase("mongodb://root:pw@mongo:27017/", "admin", TestName = "Source_UriNamesNoDatabase_Admin")]
    [TestCase("mongodb://root:pw@mongo:27017/innova_db?authSource=users", "users", TestName = "Source_UriGivesAuthSource_TheAuthSource")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db?authMechanism=SCRAM-SHA-256", "innova_db", TestName = "Source_ScramSha256_TheDatabase")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db?authMechanism=PLAIN", "$external", TestName = "Source_Plain_External")]
    [TestCase("mongodb://appuser%40EXAMPLE.COM@mongo:27017/innova_db?authMechanism=GSSAPI", "$external", TestName = "Source_Gssapi_External")]
    [TestCase("mongodb://mongo:27017/innova_db?authMechanism=MONGODB-X509&tls=true", "$external", TestName = "Source_X509_External")]
    [TestCase("mongodb://AKIDEXAMPLE:secret@mongo:27017/innova_db?authMechanism=MONGODB-AWS", "$external", TestName = "Source_Aws_External")]
    [TestCase("mongodb+srv://appuser:pw@cluster0.example.net/innova_db", null, TestName = "Source_Srv_LeftToTheTxtRecord")]
    [TestCase("mongodb://mongo:27017/innova_db", null, TestName = "Source_NoCredentials_None")]
    public void Source(string uri, string? expected)
    {
        Assert.That(MongoAuthentication.Source(new MongoUrl(uri)), Is.EqualTo(expected));
    }

    // uri => the authSource added to the tools' URI (null: left as written, the tools choose as the user expects)
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db", "innova_db", TestName = "AddedAuthSource_DefaultMechanism_TheDatabase")]
    [TestCase("mongodb://root:pw@mongo:27017", "admin", TestName = "AddedAuthSource_DefaultMechanismNoDatabase_Admin")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db?authMechanism=SCRAM-SHA-1", "innova_db", TestName = "AddedAuthSource_ScramSha1_TheDatabase")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db?authMechanism=SCRAM-SHA-256", "innova_db", TestName = "AddedAuthSource_ScramSha256_TheDatabase")]
    [TestCase("mongodb://root:pw@mongo:27017/innova_db?authSource=users", null, TestName = "AddedAuthSource_UriGivesAuthSource_NoneAdded")]
    [TestCase("mongodb+srv://appuser:pw@cluster0.example.net/innova_db", null, TestName = "AddedAuthSource_Srv_NoneAddedSoTheTxtRecordsAuthSourceApplies")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db?authMechanism=PLAIN", null, TestName = "AddedAuthSource_Plain_NoneAddedSoTheToolsUseExternal")]
    [TestCase("mongodb://appuser%40EXAMPLE.COM@mongo:27017/innova_db?authMechanism=GSSAPI", null, TestName = "AddedAuthSource_Gssapi_NoneAdded")]
    [TestCase("mongodb://CN=app@mongo:27017/innova_db?authMechanism=MONGODB-X509&tls=true", null, TestName = "AddedAuthSource_X509_NoneAdded")]
    [TestCase("mongodb://AKIDEXAMPLE:secret@mongo:27017/innova_db?authMechanism=MONGODB-AWS", null, TestName = "AddedAuthSource_Aws_NoneAdded")]
    [TestCase("mongodb://mongo:27017/innova_db", null, TestName = "AddedAuthSource_NoCredentials_NoneAdded")]
    public void AddedAuthSource(string uri, string? expected)
    {
        Assert.That(MongoAuthentication.AddedAuthSource(new MongoUrl(uri)), Is.EqualTo(expected));
    }

    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db", "innova_db", TestName = "CheckSettings_SeedsUriWithoutAuthSource_LogsInToItsDatabaseNotAdmin")]
    [TestCase("mongodb://root:pw@mongo:27017/", "admin", TestName = "CheckSettings_UriWithoutDatabase_LogsInToAdmin")]
    [TestCase("mongodb://root:pw@mongo:27017/innova_db?authSource=admin", "admin", TestName = "CheckSettings_UriGivesAuthSource_LogsInThere")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db?authMechanism=PLAIN", "$external", TestName = "CheckSettings_PlainWithDatabase_LogsInToExternalAsTheToolsDo")]
    public void CheckSettings(string uri, string expected)
    {
        Assert.That(MongoAuthentication.CheckSettings(new MongoUrl(uri)).Credential.Source, Is.EqualTo(expected));
    }

    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db", TestName = "ToolsAndCheck_SeedsUri_SameSource")]
    [TestCase("mongodb://root:pw@mongo:27017/?replicaSet=rs0", TestName = "ToolsAndCheck_RootWithoutDatabase_SameSource")]
    [TestCase("mongodb://root:pw@mongo:27017/innova_db?authSource=users&tls=true", TestName = "ToolsAndCheck_ExplicitAuthSource_SameSource")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db?authMechanism=PLAIN", TestName = "ToolsAndCheck_Plain_SameSource")]
    public void ToolsAndCheck_SameSource(string uri)
    {
        var url = new MongoUrl(uri);
        // The restore's URI names no database: the source must survive that.
        var yaml = MongoEngine.ConfigYaml(uri, url, null);
        var tools = new MongoUrl(yaml["uri: \"".Length..^2]);

        Assert.That(MongoAuthentication.CheckSettings(url).Credential.Source, Is.EqualTo(MongoClientSettings.FromUrl(tools).Credential.Source).And.EqualTo(MongoAuthentication.Source(url)));
    }
}
