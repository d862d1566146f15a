using NUnit.Framework;

namespace OpsAgent.Testing;

/// <summary>The services tests/run.sh starts, found through its OPSAGENT_TEST_* variables.</summary>
public static class TestEnvironment
{
    /// <summary>Set to 1 where MongoDB is provided (the GitHub workflow): a missing MongoDB variable or tool fails the test instead of skipping it.</summary>
    public const string RequireMongoVariable = "OPSAGENT_TEST_REQUIRE_MONGO";

    private static readonly string[] MongoTools = ["mongodump", "mongorestore"];

    /// <summary>The variable's value; without it the test is reported skipped, saying what would provide it.</summary>
    public static string Require(string variable) => Require(variable, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Require(string)"/> reading the variables from <paramref name="environment"/>.</summary>
    public static string Require(string variable, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var value = environment(variable);
        if (string.IsNullOrEmpty(value))
        {
            Missing(variable, $"{variable} is not set: {Provider(variable)}", environment);
        }

        return value!;
    }

    /// <summary>
    /// Whether a missing <paramref name="subject"/> (a variable or a tool) fails the test rather than skipping it.
    /// </summary>
    /// <remarks>Only MongoDB's: it is the one service the workflow provides that this machine cannot, so its tests are the ones a broken set-up would silently skip.</remarks>
    public static bool MissingFails(string subject, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(environment);
        return environment(RequireMongoVariable) is "1" or "true" && IsMongo(subject);
    }

    private static bool IsMongo(string subject) =>
        subject.StartsWith("OPSAGENT_TEST_MONGO", StringComparison.Ordinal) || MongoTools.Contains(subject, StringComparer.Ordinal);

    private static void Missing(string subject, string message, Func<string, string?> environment)
    {
        if (MissingFails(subject, environment))
        {
            Assert.Fail($"{message} ({RequireMongoVariable} is set: this environment must provide MongoDB)");
        }

        Assert.Ignore(message);
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
                Missing(tool, $"{tool} is not on PATH: {ToolProvider(tool)}", Environment.GetEnvironmentVariable);
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
        "OPSAGENT_TEST_SFTP_HOST" or "OPSAGENT_TEST_SFTP_PORT" or "OPSAGENT_TEST_SFTP_USER" or "OPSAGENT_TEST_SFTP_KEY" or "OPSAGENT_TEST_SFTP_KNOWN_HOSTS" or "OPSAGENT_TEST_SFTP_PATH" or "OPSAGENT_TEST_SFTP_HOST_KEY"
            => "run tests/run.sh, which starts a second sshd (openssh-server, internal-sftp) on 127.0.0.1:54022 and sets it",
        "OPSAGENT_TEST_S3" or "OPSAGENT_TEST_S3_BUCKET" or "OPSAGENT_TEST_S3_ACCESS_KEY" or "OPSAGENT_TEST_S3_SECRET_KEY" or "OPSAGENT_TEST_S3RVER_BIN" => "run tests/run.sh, which starts s3rver (npm) with a bucket and sets it",
        "OPSAGENT_TEST_WINDOWS_SERVICE" => "the GitHub workflow's windows job installs OpsAgent with install.ps1 and names it",
        _ => "run tests/run.sh, which starts the service and sets it",
    };
}
