using NUnit.Framework;

namespace OpsAgent.Testing;

/// <summary>The services tests/run.sh starts, found through its OPSAGENT_TEST_* variables.</summary>
public static class TestEnvironment
{
    /// <summary>The variable's value; without it the test is reported skipped, saying what would provide it.</summary>
    public static string Require(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value))
        {
            Assert.Ignore($"{variable} is not set: {Provider(variable)}");
        }

        return value!;
    }

    private static string Provider(string variable) => variable switch
    {
        "OPSAGENT_TEST_MONGO" => "MongoDB cannot be installed on this machine (the GitHub workflow provides one)",
        "OPSAGENT_TEST_PG" or "OPSAGENT_TEST_PG_SOCKET" or "OPSAGENT_TEST_PG_SSL_CERT" => "run tests/run.sh, which starts PostgreSQL and sets it",
        "OPSAGENT_TEST_DOCKER" or "OPSAGENT_TEST_IMAGE" or "OPSAGENT_TEST_DEBIAN_IMAGE" => "run tests/run.sh, which starts Docker and imports the test images",
        _ => "run tests/run.sh, which starts the service and sets it",
    };
}
