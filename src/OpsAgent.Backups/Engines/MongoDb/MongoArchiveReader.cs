using System.Buffers.Binary;
using System.IO.Hashing;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace OpsAgent.Backups.Engines.MongoDb;

/// <summary>
/// Walks a mongodump archive as it streams past (mongo-tools <c>common/archive/spec.md</c>): magic number, header, one
/// metadata document per collection, terminator, then namespace blocks (a header, documents, a terminator) until every
/// namespace's EOF header, which carries the CRC-64 of its documents.
/// </summary>
/// <remarks>
/// Hand-written because nothing on NuGet reads this format, and <c>mongorestore --dryRun</c> connects to a server before
/// reading anything. The BSON of headers is decoded by MongoDB.Bson and the CRC computed by System.IO.Hashing; documents
/// themselves are never decoded, only framed and summed, so memory stays at one header whatever the dump's size.
/// </remarks>
internal sealed class MongoArchiveReader(bool checkCrc) : IDumpContentCheck
{
    /// <summary><c>0x8199e26d</c> little-endian.</summary>
    public static readonly byte[] Magic = [0x6d, 0xe2, 0x99, 0x81];

    private const uint Terminator = 0xffffffff;
    private const int MinBsonSize = 5;

    // mongo-tools' db.MaxBSONSize: its archive parser refuses a length above it (common/archive/parser.go), so mongorestore
    // stops at 16 MiB. The extra 16 KiB mongo-tools allows is for oplog entries read from a .bson file, not archives.
    private const int MaxBsonSize = 16 * 1024 * 1024;

    // Go's crc64.MakeTable(crc64.ECMA), which mongo-tools uses: the reflected ECMA-182 polynomial with all-ones start and
    // final xor (CRC-64/XZ), not .NET's Crc64, which is ECMA-182 unreflected from zero.
    private static readonly Crc64ParameterSet GoEcma = Crc64ParameterSet.Create(0x42F0E1EBA9EA3693, ulong.MaxValue, ulong.MaxValue, true);

    private readonly byte[] _length = new byte[4];
    private readonly Dictionary<string, Crc64?> _open = new(StringComparer.Ordinal);
    private readonly HashSet<string> _closed = new(StringComparer.Ordinal);
    private Stage _stage = Stage.Magic;
    private int _lengthFill;
    private byte[]? _document;
    private int _documentFill;
    private int _bodyRemaining;
    private byte _bodyLast;
    private string? _namespace;
    private bool _namespaceEnded;

    private enum Stage
    {
        Magic,
        Header,
        Prelude,
        BlockStart,
        BlockBody,
        Failed,
    }

    /// <summary>Collections (not views) the prelude lists.</summary>
    public int Collections { get; private set; }

    /// <summary>The reason of the first problem found (<c>corrupt</c>, <c>checksum_mismatch</c>), or null.</summary>
    public string? Reason { get; private set; }

    /// <summary>The first problem found, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>What the reader checked, for <c>verifiedBy</c>.</summary>
    public string Checks => checkCrc ? "mongodump archive, crc64" : "mongodump archive";

    /// <summary>Feeds the next bytes of the archive.</summary>
    public void Add(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty && _stage != Stage.Failed)
        {
            if (_document is not null)
            {
                var take = Math.Min(bytes.Length, _document.Length - _documentFill);
                bytes[..take].CopyTo(_document.AsSpan(_documentFill));
                _documentFill += take;
                bytes = bytes[take..];
                if (_documentFill == _document.Length)
                {
                    var document = _document;
                    _document = null;
                    OnDocument(document);
                }

                continue;
            }

            if (_bodyRemaining > 0)
            {
                var take = Math.Min(bytes.Length, _bodyRemaining);
                Sum(bytes[..take]);
                _bodyLast = bytes[take - 1];
                _bodyRemaining -= take;
                bytes = bytes[take..];
                if (_bodyRemaining == 0 && _bodyLast != 0)
                {
                    Fail(BackupReasons.Corrupt, $"a document of {_namespace} does not end with a null byte");
                }

                continue;
            }

            var fill = Math.Min(bytes.Length, 4 - _lengthFill);
            bytes[..fill].CopyTo(_length.AsSpan(_lengthFill));
            _lengthFill += fill;
            bytes = bytes[fill..];
            if (_lengthFill == 4)
            {
                _lengthFill = 0;
                OnLength(BinaryPrimitives.ReadUInt32LittleEndian(_length));
            }
        }
    }

    /// <summary>Called after the last byte: returns the problem's reason and text, or nulls when the archive is whole.</summary>
    public (string? Reason, string? Problem) Finish()
    {
        if (_stage == Stage.Failed)
        {
            return (Reason, Problem);
        }

        if (_stage == Stage.Magic && _lengthFill == 0)
        {
            return (BackupReasons.Empty, "the dump is empty");
        }

        if (_stage is Stage.Magic or Stage.Header or Stage.Prelude || _lengthFill != 0 || _document is not null || _bodyRemaining != 0 || _stage == Stage.BlockBody)
        {
            return (BackupReasons.Truncated, "the mongodump archive is truncated (it does not end with a terminator after a whole block)");
        }

        if (_open.Keys.FirstOrDefault(n => !_closed.Contains(n)) is { } unfinished)
        {
            return (BackupReasons.Truncated, $"the mongodump archive is truncated: {unfinished} has no end-of-collection header");
        }

        return Collections == 0
            ? (BackupReasons.Empty, "the mongodump archive holds no collection (is the database name right? mongodump dumps a database that does not exist as an empty archive)")
            : (null, null);
    }

    private void OnLength(uint length)
    {
        switch (_stage)
        {
            case Stage.Magic:
                if (!_length.AsSpan().SequenceEqual(Magic))
                {
                    Fail(BackupReasons.Corrupt, "not a mongodump archive (bad magic number)");
                    return;
                }

                _stage = Stage.Header;
                return;
            case Stage.Prelude when length == Terminator:
                _stage = Stage.BlockStart;
                return;
            case Stage.BlockStart when length == Terminator:
                Fail(BackupReasons.Corrupt, "consecutive terminators in the mongodump archive");
                return;
            case Stage.BlockBody when length == Terminator:
                _stage = Stage.BlockStart;
                return;
            case Stage.Header when length == Terminator:
                Fail(BackupReasons.Corrupt, "the mongodump archive has no header");
                return;
        }

        if (length is < MinBsonSize or > MaxBsonSize)
        {
            Fail(BackupReasons.Corrupt, $"{length} is neither a BSON document length nor an archive terminator");
            return;
        }

        if (_stage == Stage.BlockBody)
        {
            if (_namespaceEnded)
            {
                Fail(BackupReasons.Corrupt, $"documents follow the end-of-collection header of {_namespace}");
                return;
            }

            Sum(_length);
            _bodyRemaining = (int)length - 4;
            return;
        }

        _document = new byte[length];
        _length.CopyTo(_document, 0);
        _documentFill = 4;
    }

    private void OnDocument(byte[] bytes)
    {
        BsonDocument document;
        try
        {
            document = BsonSerializer.Deserialize<BsonDocument>(bytes);
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException or BsonSerializationException)
        {
            Fail(BackupReasons.Corrupt, $"unreadable BSON in the mongodump archive: {ex.Message}");
            return;
        }

        switch (_stage)
        {
            case Stage.Header:
                _stage = Stage.Prelude;
                return;
            case Stage.Prelude:
                if (!document.TryGetValue("type", out var type) || type != "view")
                {
                    Collections++;
                }

                return;
            default:
                OnNamespaceHeader(document);
                return;
        }
    }

    private void OnNamespaceHeader(BsonDocument header)
    {
        if (!header.TryGetValue("db", out var db) || !header.TryGetValue("collection", out var collection) || !header.TryGetValue("EOF", out var eof))
        {
            Fail(BackupReasons.Corrupt, "a namespace header of the mongodump archive lacks db, collection or EOF");
            return;
        }

        _namespace = $"{db.AsString}.{collection.AsString}";
        _namespaceEnded = eof.ToBoolean();
        _stage = Stage.BlockBody;
        if (_closed.Contains(_namespace))
        {
            Fail(BackupReasons.Corrupt, $"{_namespace} continues after its end-of-collection header");
            return;
        }

        if (!_open.TryGetValue(_namespace, out var crc))
        {
            _open[_namespace] = crc = checkCrc ? new Crc64(GoEcma) : null;
        }

        if (!_namespaceEnded)
        {
            return;
        }

        _closed.Add(_namespace);
        if (crc is not null && header.TryGetValue("CRC", out var recorded) && recorded.IsInt64)
        {
            var actual = crc.GetCurrentHashAsUInt64();
            var expected = unchecked((ulong)recorded.AsInt64);
            if (actual != expected)
            {
                Fail(BackupReasons.ChecksumMismatch, $"the documents of {_namespace} have CRC-64 {actual:x16}, the archive recorded {expected:x16}");
            }
        }
    }

    private void Sum(ReadOnlySpan<byte> bytes)
    {
        if (_namespace is not null && _open.TryGetValue(_namespace, out var crc))
        {
            crc?.Append(bytes);
        }
    }

    private void Fail(string reason, string problem)
    {
        Reason = reason;
        Problem = problem;
        _stage = Stage.Failed;
    }
}
