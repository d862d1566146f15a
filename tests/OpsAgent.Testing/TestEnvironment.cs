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

    /// <summary>
    /// The full paths of <paramref name="tools"/> on PATH; when one is missing the test is reported skipped naming it, so a
    /// host without the tools skips rather than fails (a variable saying a server exists says nothing about its client tools).
    /// </summary>
    public static string[] RequireOnPath(params string[] tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var found = new string[tools.Length];
        for (var i = 0; i < tools.Length; i++)
        {
            var tool = tools[i];
            found[i] = directories.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
                ?? directories.Select(d => Path.Combine(d, tool + ".exe")).FirstOrDefault(File.Exists)
                ?? string.Empty;
            if (found[i].Length == 0)
            {
                Assert.Ignore($"{tool} is not on PATH: {ToolProvider(tool)}");
            }
        }

        return found;
    }

    /// <summary>The MongoDB server's URI and the Database Tools on PATH, for tests that run mongodump on the host.</summary>
    public static string RequireMongoOnHost()
    {
        var uri = Require("OPSAGENT_TEST_MONGO");
        RequireOnPath("mongodump", "mongorestore");
        return uri;
    }

    private static string ToolProvider(string tool) => tool switch
    {
        "mongodump" or "mongorestore" => "install the MongoDB Database Tools (package mongodb-database-tools; the GitHub workflow installs them)",
        _ => "install it",
    };

    private static string Provider(string variable) => variable switch
    {
        "OPSAGENT_TEST_MONGO" or "OPSAGENT_TEST_MONGO_APP" => "MongoDB cannot be installed on this machine (the GitHub workflow provides one)",
        "OPSAGENT_TEST_MONGO_CONTAINER" or "OPSAGENT_TEST_MONGO_DOCKER" or "OPSAGENT_TEST_MONGO_CONTAINER_URI" => "the GitHub workflow's mongo:7 service container provides it (Container mode)",
        "OPSAGENT_TEST_PG" or "OPSAGENT_TEST_PG_SOCKET" or "OPSAGENT_TEST_PG_SSL_CERT" => "run tests/run.sh, which starts PostgreSQL and sets it",
        "OPSAGENT_TEST_DOCKER" or "OPSAGENT_TEST_IMAGE" or "OPSAGENT_TEST_DEBIAN_IMAGE" => "run tests/run.sh, which starts Docker and imports the test images",
        "OPSAGENT_TEST_WINDOWS_SERVICE" => "the GitHub workflow's windows job installs OpsAgent with install.ps1 and names it",
        _ => "run tests/run.sh, which starts the service and sets it",
    };
}
