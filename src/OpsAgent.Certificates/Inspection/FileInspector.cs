namespace OpsAgent.Certificates.Inspection;

/// <summary>Reads the certificates of one <c>Files</c> entry: every file its pattern matches, each as its own check.</summary>
public static class FileInspector
{
    /// <summary>One check per matched file; a single failed check (<c>no_match</c>, <c>permission_denied</c>) when nothing could be matched.</summary>
    public static IReadOnlyList<CertificateCheck> Inspect(string entry, CertificateFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pattern = options.Path!;
        if (!Glob.HasWildcards(pattern))
        {
            return [ReadFile(entry, entry, pattern)];
        }

        var (matches, unreadable) = Glob.Expand(pattern);
        var checks = new List<CertificateCheck>();
        var baseDirectory = Glob.BaseDirectory(pattern);
        foreach (var path in matches)
        {
            var relative = Path.GetRelativePath(baseDirectory, path).Replace(Path.DirectorySeparatorChar, '/');
            checks.Add(ReadFile(entry, $"{entry}:{relative}", path));
        }

        if (checks.Count == 0)
        {
            checks.Add(unreadable.Count > 0
                ? CertificateCheck.Failed(entry, entry, CertificateSource.File, pattern, "permission_denied", $"cannot list {string.Join(", ", unreadable)}")
                : CertificateCheck.Failed(entry, entry, CertificateSource.File, pattern, "no_match", "no file matches the pattern"));
        }

        return checks;
    }

    /// <summary>Reads one file (following symlinks).</summary>
    public static CertificateCheck ReadFile(string entry, string label, string path)
    {
        if (Directory.Exists(path))
        {
            return CertificateCheck.Failed(entry, label, CertificateSource.File, path, "no_certificate", "a directory, not a certificate file");
        }

        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            var message = new FileInfo(path).LinkTarget is { } target ? $"the symlink points to {target}, which does not exist" : "the file does not exist";
            return CertificateCheck.Failed(entry, label, CertificateSource.File, path, "not_found", message);
        }
        catch (UnauthorizedAccessException)
        {
            return CertificateCheck.Failed(entry, label, CertificateSource.File, path, "permission_denied", "the agent may not read the file");
        }
        catch (IOException ex)
        {
            return CertificateCheck.Failed(entry, label, CertificateSource.File, path, "read_error", ex.Message);
        }

        var (certificates, reason, problem) = CertificateFileReader.Read(data);
        return reason is null
            ? new CertificateCheck(entry, label, CertificateSource.File, path, certificates)
            : CertificateCheck.Failed(entry, label, CertificateSource.File, path, reason, problem!);
    }
}
