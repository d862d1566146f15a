using OpsAgent.Cli;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Control;

/// <summary>Runs a <see cref="ControlRequest"/> with the daemon's own services and the configuration in force.</summary>
internal sealed class ControlVerbRunner(IServiceProvider services, AgentConfigurationManager configuration)
{
    public async Task<int> RunAsync(ControlRequest request, TextWriter output, CancellationToken cancellationToken)
    {
        if (request.Verb == ControlVerbs.Reload)
        {
            return await ReloadAsync(output, cancellationToken).ConfigureAwait(false);
        }

        var current = configuration.Current;
        return request.Verb switch
        {
            ControlVerbs.BackupRun when request.Name is { } job => await BackupCommands.RunAsync(services, current, job, output, cancellationToken).ConfigureAwait(false),
            ControlVerbs.BackupCopy when request.Name is { } job => await BackupCommands.CopyAsync(services, current, job, request.Target, output, cancellationToken).ConfigureAwait(false),
            ControlVerbs.ProbeRun when request.Name is { } probe => await ProbeCommands.RunAsync(services, current, probe, output, cancellationToken).ConfigureAwait(false),
            ControlVerbs.CertCheck => await CertificateCommands.CheckAsync(services, current, request.Name, request.Json, output, cancellationToken).ConfigureAwait(false),
            ControlVerbs.Pause when request.Name is { } probe && request.Duration is { } duration => ProbeCommands.Pause(services, current, probe, duration, output),
            ControlVerbs.Resume => ProbeCommands.Resume(services, current, request.Name, output),
            _ => Unknown(request, output),
        };
    }

    /// <summary><c>opsagent reload</c> (the unit's <c>ExecReload=</c>): every error with its path, and exit 1 when the configuration was rejected.</summary>
    private async Task<int> ReloadAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var published = await configuration.ReloadAsync("opsagent reload", force: true, cancellationToken).ConfigureAwait(false);
        var current = configuration.Current;
        if (published)
        {
            await output.WriteLineAsync($"configuration reloaded: generation {current.Generation}, {current.Jobs.Count} jobs").ConfigureAwait(false);
            return 0;
        }

        var errors = configuration.LastErrors;
        await output.WriteLineAsync($"configuration rejected ({errors.Count} errors); generation {current.Generation} stays in force:").ConfigureAwait(false);
        var files = configuration.Files.Enumerate();
        foreach (var error in errors)
        {
            await output.WriteLineAsync($"  {ConfigurationLines.Describe(files, error)}").ConfigureAwait(false);
        }

        return 1;
    }

    private static int Unknown(ControlRequest request, TextWriter output)
    {
        output.WriteLine($"the daemon does not know the verb '{request.Verb}' (an opsagent CLI of another version?)");
        return 2;
    }
}
