namespace OpsAgent.Health.Checks.MongoDb;

/// <summary>The MongoDB probe's own reasons (docs/failure-reasons.md).</summary>
internal static class MongoProbeReasons
{
    /// <summary>The URI's database has no collection: a misspelt name answers <c>ping</c> too.</summary>
    public const string DatabaseMissing = "database_missing";

    /// <summary>The server refused the command to the user (error 13, Unauthorized).</summary>
    public const string NotAuthorized = "not_authorized";

    /// <summary>The server refused the credentials.</summary>
    public const string AuthFailed = "auth_failed";

    /// <summary>A command failed otherwise.</summary>
    public const string CommandFailed = "command_failed";

    /// <summary>The connection cannot be resolved or parsed.</summary>
    public const string BadConnection = "bad_connection";

    /// <summary>MongoDB's <c>Unauthorized</c> error code.</summary>
    internal const int UnauthorizedCode = 13;

    /// <summary>The reason of a command the server answered with error <paramref name="code"/>.</summary>
    public static string OfCommandError(int code) => code == UnauthorizedCode ? NotAuthorized : CommandFailed;
}
