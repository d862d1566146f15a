using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Backups.Copies.FileSystem;

/// <summary>The settings of a <c>directory</c> target: a directory on another disk or a mounted share (NFS, CIFS, a USB disk).</summary>
public sealed class FileSystemTargetOptions : ICopyTargetSettings
{
    /// <summary>The root directory. It must exist: an unmounted share's empty mount point is never written to.</summary>
    public string? Path { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Path))
        {
            errors.Add($"{path}:{nameof(Path)}", "required for a directory target: the mounted directory copies go to");
        }
        else if (Path.Any(char.IsControl))
        {
            errors.Add($"{path}:{nameof(Path)}", "contains a NUL or another control character: write the directory's path as plain text");
        }
        else if (!System.IO.Path.IsPathFullyQualified(Path))
        {
            errors.Add($"{path}:{nameof(Path)}", $"'{StrictBinder.Truncate(Path)}' must be an absolute path");
        }
        else if (Path.Split('/', '\\').Contains(".."))
        {
            errors.Add($"{path}:{nameof(Path)}", $"'{StrictBinder.Truncate(Path)}' must not contain '..' segments: write the directory it means");
        }
    }

    /// <inheritdoc />
    public string Describe() => $"directory {Path}";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Offline && Path is not null && !System.IO.Directory.Exists(Path))
        {
            context.Error($"{path}:{nameof(Path)}", $"{Path} does not exist (is the share mounted?): copies to it fail with not_found");
        }

        return Task.CompletedTask;
    }
}
