using Microsoft.Extensions.Configuration.Json;

namespace OpsAgent.Core.Configuration;

/// <summary>The JSON configuration provider's own parse, with its flat key/value table readable.</summary>
internal sealed class FlatJsonProvider(JsonStreamConfigurationSource source) : JsonStreamConfigurationProvider(source)
{
    /// <summary>Parses <paramref name="bytes"/> as the JSON configuration provider does (comments, trailing commas, errors).</summary>
    public static Dictionary<string, string?> Read(byte[] bytes)
    {
        var provider = new FlatJsonProvider(new JsonStreamConfigurationSource());
        using var stream = new MemoryStream(bytes);
        provider.Load(stream);
        return new Dictionary<string, string?>(provider.Data, StringComparer.OrdinalIgnoreCase);
    }
}
