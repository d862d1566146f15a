using System.Text;

namespace OpsAgent.Backups.Engines.Postgres;

/// <summary>Checks that a pg_dump output is whole: the custom format's <c>PGDMP</c> header, or the completion line a SQL dump ends with.</summary>
/// <remarks>Only the first and last few hundred bytes are kept, whatever the dump's size.</remarks>
internal sealed class PostgresDumpCheck(string format) : IDumpContentCheck
{
    private const string PlainTrailer = "-- PostgreSQL database dump complete";
    private const string ClusterTrailer = "-- PostgreSQL database cluster dump complete";
    private static readonly byte[] CustomMagic = "PGDMP"u8.ToArray();

    private readonly byte[] _head = new byte[16];
    private readonly byte[] _tail = new byte[256];
    private int _headLength;
    private int _tailLength;

    public string? Checks => null;

    public void Add(ReadOnlySpan<byte> bytes)
    {
        if (_headLength < _head.Length)
        {
            var take = Math.Min(_head.Length - _headLength, bytes.Length);
            bytes[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
        }

        if (bytes.Length >= _tail.Length)
        {
            bytes[^_tail.Length..].CopyTo(_tail);
            _tailLength = _tail.Length;
            return;
        }

        var keep = Math.Min(_tailLength, _tail.Length - bytes.Length);
        _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
        bytes.CopyTo(_tail.AsSpan(keep));
        _tailLength = keep + bytes.Length;
    }

    public (string? Reason, string? Problem) Finish() => format switch
    {
        PostgresEngine.CustomFormat when !StartsWith(CustomMagic) => (BackupReasons.Truncated, "not a pg_dump custom-format archive (no PGDMP header)"),
        PostgresEngine.PlainFormat when !TailContains(PlainTrailer) => (BackupReasons.Truncated, $"the SQL dump is truncated (no '{PlainTrailer}' line)"),
        DumpPlan.GlobalsFormat when !TailContains(ClusterTrailer) => (BackupReasons.Truncated, $"the roles dump is truncated (no '{ClusterTrailer}' line)"),
        _ => (null, null),
    };

    private bool StartsWith(byte[] magic) => _headLength >= magic.Length && _head.AsSpan(0, magic.Length).SequenceEqual(magic);

    private bool TailContains(string text) => Encoding.UTF8.GetString(_tail, 0, _tailLength).Contains(text, StringComparison.Ordinal);
}
