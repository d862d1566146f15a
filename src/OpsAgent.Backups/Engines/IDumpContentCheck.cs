namespace OpsAgent.Backups.Engines;

/// <summary>Checks a dump's content as the verifier streams it past once, decompressed, whatever its size.</summary>
public interface IDumpContentCheck
{
    /// <summary>What it checked, for <c>verifiedBy</c> (<c>mongodump archive, crc64</c>), or null when it adds nothing worth naming.</summary>
    string? Checks { get; }

    /// <summary>Feeds the next bytes.</summary>
    void Add(ReadOnlySpan<byte> bytes);

    /// <summary>Called after the last byte of a non-empty dump: the problem's reason and text, or nulls when the dump is whole.</summary>
    (string? Reason, string? Problem) Finish();

    /// <summary>Tells the check what the engine recorded about the dump when it wrote it (entry counts), so it can compare; checks that record nothing ignore it.</summary>
    /// <param name="facts">The engine's facts, from the run or the backup's <c>.json</c>; null when unknown.</param>
    void Expect(IReadOnlyDictionary<string, System.Text.Json.JsonElement>? facts)
    {
    }
}
