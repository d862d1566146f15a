using System.Formats.Tar;
using System.Text.Json;

namespace OpsAgent.Backups.Engines.FileTrees;

/// <summary>Reads a tar archive back in full and compares its entry count and content bytes with what the run wrote.</summary>
internal sealed class TarContentCheck : IDumpStreamCheck
{
    private long? _expectedEntries;
    private long? _expectedBytes;

    /// <summary>Entries read.</summary>
    public long Entries { get; private set; }

    /// <summary>Content bytes read.</summary>
    public long Bytes { get; private set; }

    public string? Checks => "tar entries and bytes";

    public void Expect(IReadOnlyDictionary<string, JsonElement>? facts)
    {
        _expectedEntries = Number(facts, FilesFacts.Entries);
        _expectedBytes = Number(facts, FilesFacts.Bytes);
    }

    public void Add(ReadOnlySpan<byte> bytes) => throw new InvalidOperationException("a tar archive is read with ReadAsync");

    public (string? Reason, string? Problem) Finish() => throw new InvalidOperationException("a tar archive is read with ReadAsync");

    public async Task<(string? Reason, string? Problem)> ReadAsync(Stream dump, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dump);
        try
        {
            await using var reader = new TarReader(dump, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }

                Entries++;
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    Bytes += entry.Length;
                }
            }
        }
        catch (EndOfStreamException ex)
        {
            return (BackupReasons.Truncated, $"the archive ends inside entry {Entries + 1}: {ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or ArgumentException)
        {
            return (BackupReasons.Corrupt, $"entry {Entries + 1} of the archive cannot be read: {ex.Message}");
        }

        if (Entries == 0)
        {
            return (BackupReasons.Empty, "the archive has no entry");
        }

        if (_expectedEntries is { } entries && entries != Entries)
        {
            return (BackupReasons.Truncated, $"the archive holds {Entries} entries, the run wrote {entries}");
        }

        if (_expectedBytes is { } bytes && bytes != Bytes)
        {
            return (BackupReasons.Corrupt, $"the archive holds {Bytes} bytes of file content, the run wrote {bytes}");
        }

        return (null, null);
    }

    private static long? Number(IReadOnlyDictionary<string, JsonElement>? facts, string name)
        => facts is not null && facts.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;
}
