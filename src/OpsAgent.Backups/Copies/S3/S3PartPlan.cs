namespace OpsAgent.Backups.Copies.S3;

/// <summary>
/// The size of each part of one multipart upload, chosen so the upload never needs more than <c>MaxParts</c> parts
/// while holding as little as possible in memory (one part is buffered while the previous one is sent).
/// </summary>
/// <remarks>
/// A known length gets equal parts: the minimum, or <c>length / MaxParts</c> rounded up to a MiB when that is larger.
/// An unknown length (<c>age</c>'s output) cannot be divided in advance, so the part size doubles every
/// <see cref="PartsPerSize"/> parts: small streams use the minimum throughout, a large one pays with parts of about
/// <c>bytes so far / PartsPerSize</c>. <see cref="PartsPerSize"/> is the largest count whose doubling still reaches
/// S3's 5 TiB object limit within <c>MaxParts</c> (about MaxParts / 10 with 8 MiB parts); when even one part per
/// size cannot reach it (a tiny <c>MaxParts</c>), every part doubles and <see cref="Capacity"/> says where it ends.
/// </remarks>
internal sealed class S3PartPlan
{
    /// <summary>S3's largest object.</summary>
    internal const long MaximumObject = 5L << 40;

    private const long MiB = 1L << 20;

    private readonly long _minimum;
    private readonly long? _fixed;

    /// <summary>Plans the parts of a stream of <paramref name="length"/> bytes (null: unknown).</summary>
    public S3PartPlan(long? length, long minimumPartSize, int maxParts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumPartSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParts, 1);
        _minimum = minimumPartSize;
        MaxParts = maxParts;
        if (length is { } known)
        {
            var even = (known + maxParts - 1) / maxParts;
            _fixed = Math.Min(S3TargetOptions.MaximumPartSize, Math.Max(minimumPartSize, (even + MiB - 1) / MiB * MiB));
            PartsPerSize = maxParts;
        }
        else
        {
            PartsPerSize = 1;
            for (var perSize = maxParts; perSize >= 1; perSize--)
            {
                if (CapacityOf(perSize) >= MaximumObject)
                {
                    PartsPerSize = perSize;
                    break;
                }
            }
        }

        Capacity = _fixed is { } size ? size * maxParts : CapacityOf(PartsPerSize);
    }

    /// <summary>The most parts.</summary>
    public int MaxParts { get; }

    /// <summary>How many parts of one size come before the size doubles (for an unknown length).</summary>
    public int PartsPerSize { get; }

    /// <summary>The most bytes the plan can carry in <see cref="MaxParts"/> parts.</summary>
    public long Capacity { get; }

    /// <summary>The largest part the plan uses, which bounds the memory of an upload of <see cref="Capacity"/> bytes.</summary>
    public long LargestPart => SizeOf(MaxParts);

    /// <summary>The size of part <paramref name="partNumber"/> (1-based).</summary>
    public long SizeOf(int partNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        return _fixed ?? SizeAt((partNumber - 1) / PartsPerSize);
    }

    private long SizeAt(int doubling) => doubling >= 40 ? S3TargetOptions.MaximumPartSize : Math.Min(S3TargetOptions.MaximumPartSize, _minimum << doubling);

    private long CapacityOf(int perSize)
    {
        long total = 0;
        for (var (first, doubling) = (0, 0); first < MaxParts; first += perSize, doubling++)
        {
            total += Math.Min(perSize, MaxParts - first) * SizeAt(doubling);
            if (total >= MaximumObject)
            {
                return total;
            }
        }

        return total;
    }
}
