using NUnit.Framework.Internal;

namespace OpsAgent.Tests.Harness;

/// <summary>
/// Where the GitHub workflow provides MongoDB it sets OPSAGENT_TEST_REQUIRE_MONGO, and a MongoDB test that finds its
/// server or tools missing fails there: a broken set-up can no longer pass as a row of skips.
/// </summary>
public sealed class TestEnvironmentTests
{
    private static Func<string, string?> Variables(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(v => v.Name == name).Value;

    [TestCase("OPSAGENT_TEST_MONGO", TestName = "MissingFails_MongoUriMissingAndMongoRequired_Fails")]
    [TestCase("OPSAGENT_TEST_MONGO_APP", TestName = "MissingFails_MongoAppUriMissingAndMongoRequired_Fails")]
    [TestCase("OPSAGENT_TEST_MONGO_CONTAINER", TestName = "MissingFails_MongoContainerMissingAndMongoRequired_Fails")]
    [TestCase("mongodump", TestName = "MissingFails_MongodumpMissingAndMongoRequired_Fails")]
    [TestCase("mongorestore", TestName = "MissingFails_MongorestoreMissingAndMongoRequired_Fails")]
    public void MissingFails_MongoRequired(string subject)
    {
        Assert.That(TestEnvironment.MissingFails(subject, Variables((TestEnvironment.RequireMongoVariable, "1"))), Is.True);
    }

    [TestCase("OPSAGENT_TEST_MONGO", null, TestName = "MissingFails_MongoUriMissingAndNothingRequired_Skips")]
    [TestCase("OPSAGENT_TEST_MONGO", "0", TestName = "MissingFails_MongoUriMissingAndRequirementOff_Skips")]
    [TestCase("OPSAGENT_TEST_PG", "1", TestName = "MissingFails_PostgresMissingAndMongoRequired_Skips")]
    [TestCase("OPSAGENT_TEST_WINDOWS_SERVICE", "1", TestName = "MissingFails_OtherVariableMissingAndMongoRequired_Skips")]
    public void MissingFails_NotRequired(string subject, string? require)
    {
        var environment = require is null ? Variables() : Variables((TestEnvironment.RequireMongoVariable, require));

        Assert.That(TestEnvironment.MissingFails(subject, environment), Is.False);
    }

    [Test]
    public void Require_NoMongoAndMongoRequired_FailsTheTestInsteadOfSkipping()
    {
        // In an isolated context so that the failure Require reports is the inner test's, not this one's.
        Exception? thrown;
        using (new TestExecutionContext.IsolatedContext())
        {
            thrown = Assert.Catch(() => TestEnvironment.Require("OPSAGENT_TEST_MONGO", Variables((TestEnvironment.RequireMongoVariable, "1"))));
        }

        Assert.That(thrown, Is.TypeOf<AssertionException>(), "failed, not IgnoreException (skipped)");
        Assert.That(thrown!.Message, Does.Contain("OPSAGENT_TEST_MONGO is not set").And.Contain(TestEnvironment.RequireMongoVariable));
    }

    [Test]
    public void Require_NoMongoAndNothingRequired_Skips()
    {
        Exception? thrown;
        using (new TestExecutionContext.IsolatedContext())
        {
            thrown = Assert.Catch(() => TestEnvironment.Require("OPSAGENT_TEST_MONGO", Variables()));
        }

        Assert.That(thrown, Is.TypeOf<IgnoreException>());
    }
}
