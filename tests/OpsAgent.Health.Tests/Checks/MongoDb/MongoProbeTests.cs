using OpsAgent.Health.Checks.MongoDb;

namespace OpsAgent.Health.Tests.Checks.MongoDb;

/// <summary>
/// What the MongoDB probe asks and how it reads the server's refusal, without a server (the live cases are in
/// DatabaseProbeTests and run in the GitHub workflow).
/// </summary>
public sealed class MongoProbeTests
{
    [Test]
    public void CollectionsCommand_UserWithoutRights_IsRefusedRatherThanAnsweredWithNoCollection()
    {
        // listCollections with authorizedCollections: true answers a user without rights with an empty list (read as
        // database_missing); without it the server refuses with Unauthorized, which is not_authorized.
        var command = MongoProbe.CollectionsCommand();

        Assert.Multiple(() =>
        {
            Assert.That(command.GetElement(0).Name, Is.EqualTo("listCollections"));
            Assert.That(command.Contains("authorizedCollections") && command["authorizedCollections"].ToBoolean(), Is.False);
        });
    }

    [TestCase(13, "not_authorized", TestName = "OfCommandError_Unauthorized_NotAuthorized")]
    [TestCase(26, "command_failed", TestName = "OfCommandError_NamespaceNotFound_CommandFailed")]
    [TestCase(8000, "command_failed", TestName = "OfCommandError_OtherCode_CommandFailed")]
    public void OfCommandError(int code, string expected)
    {
        Assert.That(MongoProbeReasons.OfCommandError(code), Is.EqualTo(expected));
    }
}
