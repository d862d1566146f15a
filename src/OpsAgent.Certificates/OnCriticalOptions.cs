namespace OpsAgent.Certificates;

/// <summary>A renewal command run at most once a day per configured certificate (or per critical matched file) while it is critical.</summary>
public sealed class OnCriticalOptions
{
    /// <summary>
    /// The command line (split like a shell would, but not run through one), such as <c>certbot renew --cert-name {CertName}</c>;
    /// in a Files entry <c>{CertName}</c> (the matched file's directory name: certbot's lineage) and <c>{Path}</c> name the critical file, and it runs once per such file.
    /// </summary>
    public string? Command { get; set; }

    /// <summary>Run after <see cref="Command"/> succeeded, such as <c>systemctl reload nginx</c>; takes the same placeholders.</summary>
    public string? Then { get; set; }

    /// <summary>Each command is killed after this.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
}
