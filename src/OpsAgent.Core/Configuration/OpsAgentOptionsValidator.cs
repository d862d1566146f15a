using Microsoft.Extensions.Options;

namespace OpsAgent.Core.Configuration;

/// <summary>Validates <see cref="OpsAgentOptions"/>, reporting every failure with its path.</summary>
public sealed class OpsAgentOptionsValidator : IValidateOptions<OpsAgentOptions>
{
    private static readonly string[] Levels = ["Verbose", "Debug", "Information", "Warning", "Error", "Fatal"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OpsAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string root = OpsAgentOptions.SectionName;
        var errors = new ValidationCollector();

        if (!TimeZoneResolver.TryResolve(options.TimeZone, out _))
        {
            errors.Add($"{root}:TimeZone", $"'{options.TimeZone}' is not a known time zone (use Local, UTC, or an IANA id such as Africa/Lagos)");
        }

        if (!Uri.TryCreate(options.Http.Listen, UriKind.Absolute, out var listen) || listen.Scheme is not ("http" or "https")
            || listen.AbsolutePath != "/")
        {
            errors.Add($"{root}:Http:Listen", $"'{options.Http.Listen}' is not a listen URL such as http://127.0.0.1:9464");
        }

        if (string.IsNullOrWhiteSpace(options.StateDirectory) || !Path.IsPathRooted(options.StateDirectory))
        {
            errors.Add($"{root}:StateDirectory", $"'{options.StateDirectory}' must be an absolute path");
        }

        if (options.Control.Socket.Length > 0 && !Path.IsPathFullyQualified(options.Control.Socket))
        {
            errors.Add($"{root}:Control:Socket", $"'{options.Control.Socket}' must be an absolute path (or empty to disable the control socket)");
        }

        if (!Uri.TryCreate(options.Docker.Endpoint, UriKind.Absolute, out var docker) || docker.Scheme is not ("unix" or "npipe" or "tcp" or "http" or "https"))
        {
            errors.Add($"{root}:Docker:Endpoint", $"'{options.Docker.Endpoint}' is not a Docker endpoint such as unix:///var/run/docker.sock");
        }

        if (!Levels.Contains(options.Logging.Level, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{root}:Logging:Level", $"'{options.Logging.Level}' is not one of {string.Join(", ", Levels)}");
        }

        if (string.IsNullOrWhiteSpace(options.Logging.Journald.SocketPath))
        {
            errors.Add($"{root}:Logging:Journald:SocketPath", "must not be empty");
        }

        return errors.ToResult();
    }
}
