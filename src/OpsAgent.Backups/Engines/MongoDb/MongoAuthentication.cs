using MongoDB.Driver;
using MongoDB.Driver.Core.Configuration;

namespace OpsAgent.Backups.Engines.MongoDb;

/// <summary>Where a connection URI's user logs in, for the tools' configuration and the agent's own driver-side checks alike.</summary>
/// <remarks>
/// The tools are given a URI whose database is the job's (dump) or none (restore), and the agent's checks name their
/// databases themselves: either change would move a login that falls back to the URI's database. This is the one place
/// that decides the source, after mongo-tools (<c>ToolOptions.GetAuthenticationDatabase</c>, <c>Auth.RequiresExternalDB</c>)
/// and the driver (<c>MongoCredential</c>: <c>source ?? databaseName ?? "admin"</c> for SCRAM).
/// </remarks>
internal static class MongoAuthentication
{
    /// <summary>The source of the mechanisms whose users are defined outside MongoDB.</summary>
    public const string External = "$external";

    // mongo-tools logs these in to $external whatever the URI's database (the driver agrees but for PLAIN, which falls back
    // to the database): the tools' choice is the one the restore makes, so the checks follow it.
    private static readonly string[] ExternalMechanisms = ["PLAIN", "GSSAPI", "MONGODB-X509", "MONGODB-AWS", "MONGODB-OIDC"];

    /// <summary>The authentication source the tools and the driver-side checks use for <paramref name="url"/>, or null when the URI does not decide it.</summary>
    /// <returns>The URI's <c>authSource</c>; <c>$external</c> for external mechanisms; for SCRAM (or no mechanism) with a user,
    /// the URI's database, else <c>admin</c>; null without a user, or for <c>mongodb+srv://</c>, where the TXT record may name it.</returns>
    public static string? Source(MongoUrl url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.AuthenticationSource is { } explicitSource)
        {
            return explicitSource;
        }

        if (IsExternal(url))
        {
            return External;
        }

        return url.Username is null || IsSrv(url) ? null : url.DatabaseName ?? "admin";
    }

    /// <summary>The <c>authSource</c> to add to the tools' URI, or null when it must be left as written.</summary>
    /// <remarks>
    /// Only for SCRAM (or no mechanism) on <c>mongodb://</c>: an SRV URI's TXT record gives Atlas' <c>authSource=admin</c>,
    /// which a URI's own <c>authSource</c> would override, and external mechanisms log in to <c>$external</c> by themselves.
    /// </remarks>
    public static string? AddedAuthSource(MongoUrl url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.AuthenticationSource is null && !IsExternal(url) ? Source(url) : null;
    }

    /// <summary>The driver's settings for the agent's own checks, logging in where the tools will.</summary>
    public static MongoClientSettings CheckSettings(MongoUrl url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var source = Source(url);
        if (source is null || (url.Username is null && !IsExternal(url)) || source == url.AuthenticationSource)
        {
            return MongoClientSettings.FromUrl(url);
        }

        return MongoClientSettings.FromUrl(new MongoUrlBuilder(url.ToString()) { AuthenticationSource = source }.ToMongoUrl());
    }

    private static bool IsExternal(MongoUrl url) =>
        url.AuthenticationMechanism is { } mechanism && ExternalMechanisms.Contains(mechanism.Trim(), StringComparer.OrdinalIgnoreCase);

    private static bool IsSrv(MongoUrl url) => url.Scheme == ConnectionStringScheme.MongoDBPlusSrv;
}
