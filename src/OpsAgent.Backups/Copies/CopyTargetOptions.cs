using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Copies;

/// <summary>One named copy target (<c>OpsAgent:Targets:&lt;name&gt;</c>), shared by the jobs that name it in their <c>Copies</c>.</summary>
public sealed class CopyTargetOptions
{
    /// <summary>The type: <c>s3</c>, <c>sftp</c> or <c>directory</c>.</summary>
    public string? Type { get; set; }

    /// <summary>The type's own settings, bound from the same object into the type's options.</summary>
    [ConfigurationKind]
    public object? Settings { get; set; }

    /// <summary>Upload bandwidth limit in bytes per second for each transfer; 0 means unlimited.</summary>
    public long MaxBytesPerSecond { get; set; }

    /// <summary>One file's transfer (upload, download) is abandoned after this (<c>timeout</c>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(2);
}
