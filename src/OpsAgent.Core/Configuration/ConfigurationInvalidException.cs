namespace OpsAgent.Core.Configuration;

/// <summary>The configuration is invalid; <see cref="Exception.Message"/> lists every error, one per line.</summary>
public sealed class ConfigurationInvalidException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigurationInvalidException(IReadOnlyList<ConfigError> errors)
        : base("invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors)) => Errors = errors;

    /// <summary>Creates the exception.</summary>
    public ConfigurationInvalidException() : base("invalid configuration") => Errors = [];

    /// <summary>Creates the exception.</summary>
    public ConfigurationInvalidException(string message) : base(message) => Errors = [];

    /// <summary>Creates the exception.</summary>
    public ConfigurationInvalidException(string message, Exception inner) : base(message, inner) => Errors = [];

    /// <summary>Every error.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }
}
