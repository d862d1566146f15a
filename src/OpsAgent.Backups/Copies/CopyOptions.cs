namespace OpsAgent.Backups.Copies;

/// <summary>One copy of a job's backups (<c>OpsAgent:Backups:&lt;job&gt;:Copies:&lt;name&gt;</c>); the name is the target's unless <see cref="Target"/> says otherwise.</summary>
public sealed class CopyOptions
{
    /// <summary>The target (a name under <c>OpsAgent:Targets</c>); null means the copy's own name.</summary>
    public string? Target { get; set; }

    /// <summary>A folder under the target's root for this copy (a second copy of one target, such as cold storage, needs its own); null means the root.</summary>
    public string? Folder { get; set; }

    /// <summary>What the target keeps, with restic's rules; not written means the job's own <c>Retention</c>.</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>Upload the <c>age</c> encryption of each file to the job's <c>Encryption:Recipients</c> instead of the file.</summary>
    public bool Encrypt { get; set; }

    /// <summary>The storage class objects are written with (S3: <c>STANDARD_IA</c>, <c>GLACIER</c>, ...); null for the target's default.</summary>
    public string? StorageClass { get; set; }

    /// <summary>Extra attempts of a failed file transfer within a pass.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>Wait before the first retry; doubles for each further one.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}
