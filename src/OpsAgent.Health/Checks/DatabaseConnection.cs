using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Health.Checks;

/// <summary>The <c>Connection</c> secret the database probe types share: required, well formed, resolvable on this host.</summary>
internal static class DatabaseConnection
{
    /// <summary>Adds the connection's problems at <paramref name="path"/>; true when it is set and well formed.</summary>
    public static bool Validate(string path, SecretReference? connection, ValidationCollector errors)
    {
        if (connection is null)
        {
            errors.Add(path, "required: the database connection (a secret: inline, File, FromEnvFile with Variable, or Environment)");
            return false;
        }

        var problems = connection.Validate(path).ToList();
        problems.ForEach(errors.Add);
        return problems.Count == 0;
    }

    /// <summary>Resolves the secret (never printing it) and flags example hosts in it.</summary>
    public static async Task CheckHostAsync(string path, SecretReference? connection, bool mongo, HostCheckContext context, CancellationToken cancellationToken)
    {
        if (connection is not null && await context.ResolveSecretAsync(connection, path, cancellationToken).ConfigureAwait(false) is { } resolved)
        {
            context.CheckConnectionHosts(path, resolved, mongo);
        }
    }
}
