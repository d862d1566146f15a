using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using MongoDB.Bson;

namespace OpsAgent.Backups.Tests.Support;

/// <summary>
/// Writes a mongodump archive byte by byte as mongo-tools' <c>common/archive/spec.md</c> defines it: magic number, header,
/// collection metadata, terminator, then namespace segments (header, documents, terminator) and EOF headers carrying the
/// CRC-64 of each namespace's documents.
/// </summary>
public sealed class MongoArchiveBuilder
{
    /// <summary><c>0x8199e26d</c> little-endian.</summary>
    public static readonly byte[] Magic = [0x6d, 0xe2, 0x99, 0x81];

    private static readonly byte[] Terminator = [0xff, 0xff, 0xff, 0xff];

    // Go's crc64.MakeTable(crc64.ECMA) as mongo-tools uses it: reflected ECMA-182 polynomial, all-ones start and final xor (CRC-64/XZ).
    private static readonly Crc64ParameterSet GoEcma = Crc64ParameterSet.Create(0x42F0E1EBA9EA3693, ulong.MaxValue, ulong.MaxValue, true);

    private readonly ArrayBufferWriter<byte> _bytes = new();
    private readonly Dictionary<string, Crc64> _crcs = [];

    /// <summary>Magic number and header.</summary>
    public MongoArchiveBuilder Prelude()
    {
        _bytes.Write<byte>(Magic);
        return Document(new BsonDocument { ["concurrent_collections"] = 4, ["version"] = "0.1", ["server_version"] = "7.0.14", ["tool_version"] = "100.10.0" });
    }

    /// <summary>One collection's metadata in the prelude.</summary>
    public MongoArchiveBuilder Collection(string db, string collection) => Document(new BsonDocument
    {
        ["db"] = db,
        ["collection"] = collection,
        ["metadata"] = new BsonDocument { ["indexes"] = new BsonArray { new BsonDocument { ["v"] = 2, ["key"] = new BsonDocument("_id", 1), ["name"] = "_id_" } }, ["collectionName"] = collection, ["type"] = "collection" }.ToJson(),
        ["size"] = 1000,
        ["type"] = "",
    });

    /// <summary>The terminator ending the prelude or a block.</summary>
    public MongoArchiveBuilder Terminate()
    {
        _bytes.Write<byte>(Terminator);
        return this;
    }

    /// <summary>A namespace segment: header, documents, terminator.</summary>
    public MongoArchiveBuilder Segment(string db, string collection, params BsonDocument[] documents)
    {
        Document(new BsonDocument { ["db"] = db, ["collection"] = collection, ["EOF"] = false, ["CRC"] = 0L });
        var crc = Crc(db, collection);
        foreach (var document in documents)
        {
            var bytes = document.ToBson();
            crc.Append(bytes);
            _bytes.Write<byte>(bytes);
        }

        return Terminate();
    }

    /// <summary>A namespace segment of one document of exactly <paramref name="size"/> bytes (a binary field filling it), summed like any other.</summary>
    public MongoArchiveBuilder SegmentOfSize(string db, string collection, int size)
    {
        Document(new BsonDocument { ["db"] = db, ["collection"] = collection, ["EOF"] = false, ["CRC"] = 0L });
        // length, type 0x05, name "d\0", binary length, subtype, bytes, document terminator
        var document = new byte[size];
        BinaryPrimitives.WriteInt32LittleEndian(document, size);
        document[4] = 0x05;
        document[5] = (byte)'d';
        BinaryPrimitives.WriteInt32LittleEndian(document.AsSpan(7), size - 13);
        Crc(db, collection).Append(document);
        _bytes.Write<byte>(document);
        return Terminate();
    }

    /// <summary>The namespace's EOF header with the CRC-64 of its documents (or <paramref name="crc"/>), and a terminator.</summary>
    public MongoArchiveBuilder End(string db, string collection, ulong? crc = null)
    {
        var sum = crc ?? Crc(db, collection).GetCurrentHashAsUInt64();
        Document(new BsonDocument { ["db"] = db, ["collection"] = collection, ["EOF"] = true, ["CRC"] = unchecked((long)sum) });
        return Terminate();
    }

    /// <summary>A complete archive of one database with <paramref name="documents"/> in each collection.</summary>
    public static byte[] Database(string db, int documents, params string[] collections)
    {
        var builder = new MongoArchiveBuilder().Prelude();
        foreach (var c in collections)
        {
            builder.Collection(db, c);
        }

        builder.Terminate();
        foreach (var c in collections)
        {
            builder.Segment(db, c, [.. Enumerable.Range(1, documents).Select(i => new BsonDocument { ["_id"] = i, ["note"] = $"{c} {i}" })]).End(db, c);
        }

        return builder.ToArray();
    }

    public MongoArchiveBuilder Document(BsonDocument document)
    {
        _bytes.Write<byte>(document.ToBson());
        return this;
    }

    public MongoArchiveBuilder Raw(params byte[] bytes)
    {
        _bytes.Write<byte>(bytes);
        return this;
    }

    public byte[] ToArray() => _bytes.WrittenSpan.ToArray();

    /// <summary>The length prefix of a BSON document, as the archive stores it.</summary>
    public static int LengthOf(ReadOnlySpan<byte> bson) => BinaryPrimitives.ReadInt32LittleEndian(bson);

    private Crc64 Crc(string db, string collection)
    {
        var key = db + "." + collection;
        if (!_crcs.TryGetValue(key, out var crc))
        {
            _crcs[key] = crc = new Crc64(GoEcma);
        }

        return crc;
    }
}
