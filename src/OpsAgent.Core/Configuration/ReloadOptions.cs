namespace OpsAgent.Core.Configuration;

/// <summary>Configuration reload settings.</summary>
public sealed class ReloadOptions
{
    /// <summary>
    /// Reload when the files change (default). When false only <c>SIGHUP</c> (<c>systemctl reload opsagent</c>) reloads,
    /// for sites where configuration management writes several files and signals once when done.
    /// </summary>
    public bool WatchFiles { get; set; } = true;
}
