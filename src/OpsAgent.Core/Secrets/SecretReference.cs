using System.ComponentModel;
using System.Text.Json.Serialization;

namespace OpsAgent.Core.Secrets;

/// <summary>
/// Where a secret (a password or a connection string) comes from: inline, <c>{ "File": path }</c>,
/// <c>{ "FromEnvFile": path, "Variable": name }</c> or <c>{ "Environment": name }</c>.
/// </summary>
/// <remarks>
/// The inline form is converted from a plain JSON string, so <c>"Connection": "Host=db;..."</c> and
/// <c>"Connection": { "Environment": "DATABASE_URL" }</c> bind to the same type. <see cref="ToString"/> never prints the value.
/// </remarks>
[TypeConverter(typeof(SecretReferenceConverter))]
public sealed class SecretReference
{
    /// <summary>The inline value.</summary>
    [JsonIgnore]
    public string? Value { get; set; }

    /// <summary>A file whose whole content (trailing newline removed) is the secret.</summary>
    public string? File { get; set; }

    /// <summary>A dotenv-style file (<c>KEY=value</c> lines) holding the secret under <see cref="Variable"/>.</summary>
    public string? FromEnvFile { get; set; }

    /// <summary>The variable to read from <see cref="FromEnvFile"/>.</summary>
    public string? Variable { get; set; }

    /// <summary>An environment variable of the agent's own process.</summary>
    public string? Environment { get; set; }

    /// <summary>Describes the source without its value, for status and CLI output.</summary>
    public string Describe() => this switch
    {
        { File: { } f } => $"file {f}",
        { FromEnvFile: { } f } => $"{Variable} from {f}",
        { Environment: { } e } => $"environment {e}",
        { Value: not null } => "inline",
        _ => "unset",
    };

    /// <summary>Collects shape errors (exactly one source; a variable with an env file).</summary>
    public IEnumerable<Configuration.ConfigError> Validate(string path)
    {
        var sources = new[] { Value is not null, File is not null, FromEnvFile is not null, Environment is not null }.Count(b => b);
        if (sources == 0)
        {
            yield return new(path, "no secret source: give a value, File, FromEnvFile with Variable, or Environment");
        }
        else if (sources > 1)
        {
            yield return new(path, "more than one secret source: give only one of a value, File, FromEnvFile, Environment");
        }

        if (FromEnvFile is not null && string.IsNullOrWhiteSpace(Variable))
        {
            yield return new($"{path}:Variable", "FromEnvFile needs the Variable to read");
        }

        if (Variable is not null && FromEnvFile is null)
        {
            yield return new($"{path}:FromEnvFile", "Variable is only meaningful with FromEnvFile");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Describe();
}
