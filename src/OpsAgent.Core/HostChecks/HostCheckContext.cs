using Docker.DotNet;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Docker;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;
using OpsAgent.Core.Systemd;

namespace OpsAgent.Core.HostChecks;

/// <summary>
/// What the host checks of one <c>check-config</c> run share: the findings, and the host look-ups (secrets, the Docker
/// endpoint, systemd units, the agent's own sandbox), each bounded by <see cref="Timeout"/> and asked once.
/// </summary>
public sealed class HostCheckContext
{
    /// <summary>The agent's own unit, whose sandbox decides where backups can be written.</summary>
    public const string AgentUnit = "opsagent";

    private readonly List<HostFinding> _findings = [];
    private readonly Dictionary<string, Task<string?>> _units = new(StringComparer.Ordinal);
    private readonly SecretResolver _secrets;
    private readonly DockerClientProvider _docker;
    private readonly ToolRunner _tools;
    private readonly string _dockerEndpoint;
    private Task<bool>? _dockerReachable;
    private Task<ServiceSandbox?>? _sandbox;

    internal HostCheckContext(AgentConfiguration configuration, SecretResolver secrets, DockerClientProvider docker, ToolRunner tools, TimeSpan timeout, bool offline = false)
    {
        Offline = offline;
        _secrets = secrets;
        _docker = docker;
        _tools = tools;
        _dockerEndpoint = configuration.Agent.Docker.Endpoint;
        Timeout = timeout;
    }

    /// <summary>What <c>check-config --offline</c> skips, as it says it.</summary>
    public const string OfflineSkipped = "secrets, tools, Docker, systemd units, directories, CA files";

    /// <summary>
    /// True for <c>check-config --offline</c>: the file is checked for another host (or a repository's CI), so nothing of
    /// this one is consulted. The look-ups here answer "unknown" then; a check reading the host itself asks this first.
    /// </summary>
    public bool Offline { get; }

    /// <summary>The limit of each call to the host (the Docker endpoint, systemctl, a secret file on a hung mount).</summary>
    public TimeSpan Timeout { get; }

    /// <summary>What was found so far.</summary>
    public IReadOnlyList<HostFinding> Findings => _findings;

    /// <summary>Something that cannot work as configured.</summary>
    public void Error(string path, string message) => _findings.Add(new(HostFindingSeverity.Error, path, message));

    /// <summary>Something that may work once it appears.</summary>
    public void Warning(string path, string message) => _findings.Add(new(HostFindingSeverity.Warning, path, message));

    /// <summary>An error when <paramref name="host"/> is an example domain the operator was meant to replace.</summary>
    public void CheckHost(string path, string? host)
    {
        if (ExampleHosts.IsPlaceholder(host))
        {
            Error(path, $"'{host}' is an example placeholder: replace it with this host's real name");
        }
    }

    /// <summary>
    /// An error when <paramref name="url"/> points at an example domain, or still holds a <c>&lt;placeholder&gt;</c> of the
    /// examples (<c>https://hc-ping.com/&lt;uuid&gt;</c>): pings to it would go nowhere and nobody would notice.
    /// </summary>
    public void CheckUrl(string path, string? url)
    {
        foreach (var host in ExampleHosts.OfUrl(url))
        {
            CheckHost(path, host);
        }

        var start = url?.IndexOf('<', StringComparison.Ordinal) ?? -1;
        var end = start < 0 ? -1 : url!.IndexOf('>', start);
        if (end > start)
        {
            Error(path, $"'{Configuration.ConfigErrorText.Printable(url![start..(end + 1)], 80)}' is an example placeholder: paste the URL the service gives for this check");
        }
    }

    /// <summary>An error when the mail <paramref name="address"/> is at an example domain.</summary>
    public void CheckAddress(string path, string? address)
    {
        var domain = address?[(address.LastIndexOf('@') + 1)..];
        if (ExampleHosts.IsPlaceholder(domain))
        {
            Error(path, $"'{Configuration.ConfigErrorText.Printable(address!, 200)}' is an example placeholder: replace it with a real address");
        }
    }

    /// <summary>An error for each example host in a resolved connection: a MongoDB URI, or PostgreSQL keywords or URL.</summary>
    public void CheckConnectionHosts(string path, string connection, bool mongoUri)
    {
        IEnumerable<string> hosts;
        if (mongoUri)
        {
            hosts = ExampleHosts.OfUrl(connection);
        }
        else
        {
            try
            {
                hosts = Databases.PostgresConnection.Parse(connection, null).Host?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            }
            catch (FormatException)
            {
                // The job reports a malformed connection itself, naming the field; here it only hides no host.
                return;
            }
        }

        foreach (var host in hosts)
        {
            CheckHost(path, host);
        }
    }

    /// <summary>Resolves a secret as the job would (its value is registered for redaction); an error and null when it cannot be read.</summary>
    public async Task<string?> ResolveSecretAsync(SecretReference reference, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (Offline)
        {
            // An inline value is in the file: its hosts can still be checked. A file or variable is the host's.
            return reference.Value;
        }

        using var timeout = Bounded(cancellationToken);
        try
        {
            return await _secrets.ResolveAsync(reference, path, timeout.Token).ConfigureAwait(false);
        }
        catch (SecretResolutionException ex)
        {
            Error(path, ex.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? ex.Message[(path.Length + 2)..] : ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Error(path, $"reading {reference.Describe()} took longer than {Timeout.TotalSeconds:0} s");
        }

        return null;
    }

    /// <summary>
    /// A warning when the container does not exist (not created yet?); when the Docker endpoint does not answer, one error
    /// for <c>OpsAgent:Docker:Endpoint</c> instead, whatever the number of containers.
    /// </summary>
    public async Task CheckContainerAsync(string path, string container, CancellationToken cancellationToken)
    {
        if (!await DockerAvailableAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        using var timeout = Bounded(cancellationToken);
        try
        {
            await _docker.Get(_dockerEndpoint).Containers.InspectContainerAsync(container, timeout.Token).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            Warning(path, $"container '{container}' does not exist at {_dockerEndpoint} (not created yet?)");
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Warning(path, $"could not inspect container '{container}': {ex.Message}");
        }
    }

    /// <summary>False offline or when the endpoint does not answer (said once, for <c>OpsAgent:Docker:Endpoint</c>).</summary>
    private async Task<bool> DockerAvailableAsync(CancellationToken cancellationToken)
    {
        if (Offline)
        {
            return false;
        }

        _dockerReachable ??= PingDockerAsync(cancellationToken);
        return await _dockerReachable.ConfigureAwait(false);
    }

    /// <summary>A warning when Docker has no such volume (not created yet?) or it has no local mount point the agent could read.</summary>
    public async Task CheckVolumeAsync(string path, string volume, CancellationToken cancellationToken)
    {
        if (!await DockerAvailableAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        using var timeout = Bounded(cancellationToken);
        try
        {
            var inspect = await _docker.Get(_dockerEndpoint).Volumes.InspectAsync(volume, timeout.Token).ConfigureAwait(false);
            if (string.IsNullOrEmpty(inspect.Mountpoint))
            {
                Warning(path, $"volume '{volume}' has no mount point on this host (driver {inspect.Driver}): the agent cannot read it");
            }
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            Warning(path, $"volume '{volume}' does not exist at {_dockerEndpoint} (not created yet? docker volume ls lists them)");
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Warning(path, $"could not inspect volume '{volume}': {ex.Message}");
        }
    }

    /// <summary>An error when systemd does not know the unit; nothing when this is not a systemd host.</summary>
    public async Task CheckUnitAsync(string path, string unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (Offline)
        {
            return;
        }

        if (!_units.TryGetValue(unit, out var state))
        {
            _units[unit] = state = ShowAsync(unit, "LoadState", cancellationToken);
        }

        if (SystemdProperties.Parse(await state.ConfigureAwait(false) ?? "").GetValueOrDefault("LoadState") == "not-found")
        {
            Error(path, $"systemd unit '{unit}' does not exist (systemctl show: LoadState=not-found)");
        }
    }

    /// <summary>The agent unit's sandbox; null when the unit is not installed or this is not a systemd host.</summary>
    public Task<ServiceSandbox?> AgentSandboxAsync(CancellationToken cancellationToken)
        => _sandbox ??= Offline ? Task.FromResult<ServiceSandbox?>(null) : SandboxAsync(cancellationToken);

    private async Task<ServiceSandbox?> SandboxAsync(CancellationToken cancellationToken)
        => await ShowAsync(AgentUnit, ServiceSandbox.Properties, cancellationToken).ConfigureAwait(false) is { } output ? ServiceSandbox.Parse(output) : null;

    private async Task<bool> PingDockerAsync(CancellationToken cancellationToken)
    {
        string problem;
        // Docker.DotNet reports a socket that is not there as "Cannot assign requested address"; say what it means.
        var socket = _dockerEndpoint.StartsWith("unix://", StringComparison.Ordinal) ? _dockerEndpoint["unix://".Length..] : null;
        if (socket is not null && !File.Exists(socket))
        {
            problem = $"no socket at {socket}: is Docker installed and running?";
        }
        else
        {
            using var timeout = Bounded(cancellationToken);
            try
            {
                await _docker.Get(_dockerEndpoint).System.PingAsync(timeout.Token).ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problem = $"no answer within {Timeout.TotalSeconds:0} s";
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                problem = (ex.InnerException ?? ex).Message;
            }
        }

        Error($"{OpsAgentOptions.SectionName}:Docker:Endpoint", $"the Docker endpoint {_dockerEndpoint} does not answer ({problem}): every job and probe that uses a container would fail");
        return false;
    }

    /// <summary><c>systemctl show UNIT -p PROPERTIES</c>; null when systemctl is missing or fails (not a systemd host).</summary>
    private async Task<string?> ShowAsync(string unit, string properties, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(cancellationToken);
        try
        {
            var (exit, output) = await _tools.RunAsync(new ToolCommand("systemctl", ["show", unit, "-p", properties, "--no-pager"]), timeout.Token).ConfigureAwait(false);
            return exit.ExitCode == 0 ? output : null;
        }
        catch (ToolStartException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(Timeout);
        return source;
    }
}
