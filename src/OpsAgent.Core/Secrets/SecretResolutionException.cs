namespace OpsAgent.Core.Secrets;

/// <summary>A secret could not be read; the message names the JSON path and source, never the value.</summary>
public sealed class SecretResolutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SecretResolutionException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public SecretResolutionException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public SecretResolutionException() { }
}
