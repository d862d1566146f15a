using System.Diagnostics;

namespace OpsAgent.Tests.Support;

/// <summary>What a run of the real executable printed.</summary>
public sealed record CliResult(int Exit, string Out, string Err)
{
    /// <summary>Both streams, for checks that nothing anywhere leaks.</summary>
    public string All => Out + Err;
}

/// <summary>Starts the real executable (<c>dotnet opsagent.dll</c> from the test's bin), as systemd and operators do.</summary>
public static class AgentProcess
{
    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "opsagent.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(TimeSpan.FromSeconds(60), args);

    /// <summary>Runs the executable and waits at most <paramref name="timeout"/> (a verb moving a 100 MB dump needs more than a minute on a loaded machine).</summary>
    public static async Task<CliResult> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
