namespace OpsAgent.Core.Secrets;

/// <summary>Reads secrets from their configured source and registers them with the <see cref="SecretRedactor"/>.</summary>
/// <param name="redactor">The redactor that learns every resolved value.</param>
public sealed class SecretResolver(SecretRedactor redactor)
{
    /// <summary>Resolves <paramref name="reference"/>; <paramref name="path"/> (the JSON path) names it in errors.</summary>
    /// <exception cref="SecretResolutionException">The source is missing, unreadable or does not hold the variable.</exception>
    public async Task<string> ResolveAsync(SecretReference reference, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        string value;
        if (reference.Value is not null)
        {
            value = reference.Value;
        }
        else if (reference.File is { } file)
        {
            value = (await ReadAsync(file, path, cancellationToken).ConfigureAwait(false)).TrimEnd('\r', '\n');
        }
        else if (reference.FromEnvFile is { } envFile)
        {
            var variables = EnvFile.Parse(await ReadAsync(envFile, path, cancellationToken).ConfigureAwait(false));
            if (!variables.TryGetValue(reference.Variable ?? string.Empty, out var v))
            {
                throw new SecretResolutionException($"{path}: variable '{reference.Variable}' is not defined in '{envFile}'");
            }

            value = v;
        }
        else if (reference.Environment is { } variable)
        {
            value = System.Environment.GetEnvironmentVariable(variable)
                ?? throw new SecretResolutionException($"{path}: environment variable '{variable}' is not set for the agent");
        }
        else
        {
            throw new SecretResolutionException($"{path}: no secret source configured");
        }

        redactor.Register(value);
        return value;
    }

    private static async Task<string> ReadAsync(string file, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await System.IO.File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SecretResolutionException($"{path}: secret file '{file}' does not exist", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new SecretResolutionException($"{path}: secret file '{file}' is not readable by the agent (permission denied)", ex);
        }
    }
}
